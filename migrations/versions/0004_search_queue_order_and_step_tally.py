"""search, queue order and the tallies: the register at a million complaints

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 18:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

from models import search, tally


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('step_tally',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sop_id', sa.Integer(), nullable=False),
    sa.Column('step_no', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('finished', sa.Integer(), nullable=False),
    sa.Column('met', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sop_id'], ['sop.id'], name=op.f('fk_step_tally_sop_id_sop')),
    sa.PrimaryKeyConstraint('day', 'sop_id', 'step_no', 'minutes', name=op.f('pk_step_tally'))
    )
    op.create_table('day_tally',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_day_tally'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_closed_at'), ['closed_at'], unique=False)
        batch_op.drop_index(batch_op.f('ix_complaint_received_at'))
        batch_op.create_index('ix_complaint_received_groups', ['received_at', 'channel_id', 'jenis_id', 'sop_id', 'status'], unique=False)
    connection = op.get_bind()
    search.install(connection)  # queue-order indexes, FTS5 table / GIN index, rows indexed
    tally.install(connection)
    tally.rebuild(connection)  # the complaints and history already recorded


def downgrade():
    connection = op.get_bind()
    tally.uninstall(connection)
    search.uninstall(connection)
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_received_groups')
        batch_op.create_index(batch_op.f('ix_complaint_received_at'), ['received_at'], unique=False)
        batch_op.drop_index(batch_op.f('ix_complaint_closed_at'))
    op.drop_table('step_tally')
    op.drop_table('day_tally')
