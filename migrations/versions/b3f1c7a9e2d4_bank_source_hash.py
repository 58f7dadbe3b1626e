"""banks.source_hash: the SHA-256 of the file a bank was last imported from whole, so that re-importing the same
unchanged file skips reading it (issue 13); empty until the next import, which then reads every file as before.

Revision ID: b3f1c7a9e2d4
Revises: 8e4c2a6f1b93
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3f1c7a9e2d4'
down_revision = '8e4c2a6f1b93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_hash', sa.String(length=64), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.drop_column('source_hash')
