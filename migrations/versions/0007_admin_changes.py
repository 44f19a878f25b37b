"""history of administration

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('admin_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('table', sa.String(length=60), nullable=False),
    sa.Column('row_key', sa.String(length=80), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_change'))
    )
    with op.batch_alter_table('admin_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_change_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_change_table'), ['table'], unique=False)


def downgrade():
    with op.batch_alter_table('admin_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_change_table'))
        batch_op.drop_index(batch_op.f('ix_admin_change_at'))
    op.drop_table('admin_change')
