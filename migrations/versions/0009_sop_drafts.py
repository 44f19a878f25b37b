"""SOP revisions edited in the admin: a draft is in force for nobody until published

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, also on SQLite: a batch copy of `sop` would drop a table that
    # complaints and steps refer to, which SQLite refuses with its foreign keys on.
    op.add_column('sop', sa.Column('draft', sa.Boolean(), server_default=sa.false(),
                                   nullable=False))


def downgrade():
    with op.batch_alter_table('sop', schema=None) as batch_op:
        batch_op.drop_column('draft')
