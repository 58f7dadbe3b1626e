"""question types: material (材料分析题) joins the type CHECK; question_revisions.parts holds its sub-questions

The parts are stored without their keys (the revision's answer is the list of the parts' keys); the column is an
empty list for every other revision.

Written by hand: the constraint's list is the registry's (app/models/banks.py builds it from QUESTION_TYPES); this
migration spells out the lists before and after, so that it stays what it was when later types are added.

Revision ID: 7d2e9b4c1a60
Revises: 5d2e8b4a7c31
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d2e9b4c1a60'
down_revision = '5d2e8b4a7c31'
branch_labels = None
depends_on = None

BEFORE = ('single', 'multiple', 'judge', 'blank', 'short', 'calculation', 'ordering', 'matching')
AFTER = (*BEFORE, 'material')


def _types(names):
    return f"type IN ({', '.join(repr(name) for name in names)})"


def upgrade():
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts', sa.JSON(), server_default='[]', nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_question_revisions_type'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_question_revisions_type'), _types(AFTER))


def downgrade():
    # A material item has no place in the older schema: its revisions (and what drew them) must go first.
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_question_revisions_type'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_question_revisions_type'), _types(BEFORE))
        batch_op.drop_column('parts')
