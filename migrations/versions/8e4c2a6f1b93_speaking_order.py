"""organisations.position (the contest file's order) and round_entries.speaking_order (出场顺序)

Existing organisations take their id as position: the order they were first loaded in, which is the file's order
until a contest is loaded again and sets it exactly.

Revision ID: 8e4c2a6f1b93
Revises: 7d2e9b4c1a60
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e4c2a6f1b93'
down_revision = '7d2e9b4c1a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE organisations SET position = id")
    with op.batch_alter_table('round_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speaking_order', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('round_entries', schema=None) as batch_op:
        batch_op.drop_column('speaking_order')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('position')
