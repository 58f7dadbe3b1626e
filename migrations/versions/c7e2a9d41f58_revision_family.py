"""question_revisions.family: questions of one bank that give each other away share a family, and a draw takes at
most one of them (issue 14); empty for every revision written before.

Revision ID: c7e2a9d41f58
Revises: b3f1c7a9e2d4
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7e2a9d41f58'
down_revision = 'b3f1c7a9e2d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family', sa.String(length=64), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.drop_column('family')
