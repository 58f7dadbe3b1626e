"""question types: matching (匹配题) joins the registry's CHECK on question_revisions.type, and revisions gain
`prompts`, a matching question's left items (an empty list for every other type)

Written by hand: the constraint's list is the registry's (app/models/banks.py builds it from QUESTION_TYPES); this
migration spells out the lists before and after, so that it stays what it was when later types are added.

Revision ID: 5d2e8b4a7c31
Revises: 5e2b8d4a7c31
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d2e8b4a7c31'
down_revision = '5e2b8d4a7c31'
branch_labels = None
depends_on = None

BEFORE = ('single', 'multiple', 'judge', 'blank', 'short', 'calculation', 'ordering')
AFTER = (*BEFORE, 'matching')


def _types(names):
    return f"type IN ({', '.join(repr(name) for name in names)})"


def upgrade():
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prompts', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.drop_constraint(batch_op.f('ck_question_revisions_type'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_question_revisions_type'), _types(AFTER))


def downgrade():
    # A matching item has no place in the older schema: its revisions (and what drew them) must go first.
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_question_revisions_type'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_question_revisions_type'), _types(BEFORE))
        batch_op.drop_column('prompts')
