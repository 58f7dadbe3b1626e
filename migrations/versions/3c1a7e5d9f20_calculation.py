"""question types: calculation (计算题) joins the registry's CHECK on question_revisions.type, which widens to 16

Written by hand: the constraint's list is the registry's (app/models/banks.py builds it from QUESTION_TYPES); this
migration spells out the lists before and after, so that it stays what it was when later types are added.

Revision ID: 3c1a7e5d9f20
Revises: 14bc4b4eb9d8
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c1a7e5d9f20'
down_revision = '14bc4b4eb9d8'
branch_labels = None
depends_on = None

BEFORE = ('single', 'multiple', 'judge', 'blank', 'short')
AFTER = (*BEFORE, 'calculation')


def _types(names):
    return f"type IN ({', '.join(repr(name) for name in names)})"


def upgrade():
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_question_revisions_type'), type_='check')
        batch_op.alter_column('type', existing_type=sa.String(length=10), type_=sa.String(length=16),
                              existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_question_revisions_type'), _types(AFTER))


def downgrade():
    # A calculation item has no place in the older schema: its revisions (and what drew them) must go first.
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_question_revisions_type'), type_='check')
        batch_op.alter_column('type', existing_type=sa.String(length=16), type_=sa.String(length=10),
                              existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_question_revisions_type'), _types(BEFORE))
