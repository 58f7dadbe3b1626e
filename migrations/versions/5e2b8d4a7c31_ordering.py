"""question types: ordering (排序题) joins the registry's CHECK on question_revisions.type; papers keep their
ordering_scoring (strict | position)

Written by hand, like 3c1a7e5d9f20: the constraint's list is the registry's (app/models/banks.py builds it from
QUESTION_TYPES); this migration spells out the lists before and after, so that it stays what it was when later types
are added. Papers drawn before it score ordering items strict, the blueprint default.

Revision ID: 5e2b8d4a7c31
Revises: 3c1a7e5d9f20
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e2b8d4a7c31'
down_revision = '3c1a7e5d9f20'
branch_labels = None
depends_on = None

BEFORE = ('single', 'multiple', 'judge', 'blank', 'short', 'calculation')
AFTER = (*BEFORE, 'ordering')


def _types(names):
    return f"type IN ({', '.join(repr(name) for name in names)})"


def upgrade():
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_question_revisions_type'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_question_revisions_type'), _types(AFTER))
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ordering_scoring', sa.String(length=16), nullable=False,
                                      server_default='strict'))


def downgrade():
    # An ordering item has no place in the older schema: its revisions (and what drew them) must go first.
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.drop_column('ordering_scoring')
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_question_revisions_type'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_question_revisions_type'), _types(BEFORE))
