"""tracking codes: the citizen's code on each complaint (its hash), and the failed lookups
that hold back guessing

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 13:43:15.562168

"""
from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tracking_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_attempt'))
    )
    op.create_index('ix_tracking_attempt_address_at', 'tracking_attempt', ['address', 'at'],
                    unique=False)
    # A plain ADD COLUMN and an index: the complaint table (its triggers, its expression
    # indexes) is not rebuilt. Complaints registered before have no code; the front office
    # gives one a code from its page when the citizen asks.
    op.add_column('complaint', sa.Column('tracking_hash', sa.String(length=64), nullable=True))
    op.create_index('ix_complaint_tracking_hash', 'complaint', ['tracking_hash'], unique=True)


def downgrade():
    op.drop_index('ix_complaint_tracking_hash', table_name='complaint')
    op.execute('ALTER TABLE complaint DROP COLUMN tracking_hash')  # SQLite 3.35+, PostgreSQL
    op.drop_index('ix_tracking_attempt_address_at', table_name='tracking_attempt')
    op.drop_table('tracking_attempt')
