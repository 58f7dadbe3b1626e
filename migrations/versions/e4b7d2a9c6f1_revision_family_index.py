"""question_revisions.family indexed: practice withholds every question of a family while an exam that has not
ended may ask one of it, and finds the siblings of a paper's few family questions by this index rather than by
reading every question's current revision (app/attempts/release.py).

Revision ID: e4b7d2a9c6f1
Revises: c7e2a9d41f58
Create Date: 2026-12-04

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4b7d2a9c6f1'
down_revision = 'c7e2a9d41f58'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_question_revisions_family', 'question_revisions', ['family'], unique=False)


def downgrade():
    op.drop_index('ix_question_revisions_family', table_name='question_revisions')
