"""The co-acting queues' count from a small partial index: open steps with a co-actor, by
co-actor and actor (the Kabid's meetings, counted without reading rows)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 08:32:44

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_co_acting', ['current_co_actor', 'current_actor'], unique=False, sqlite_where=sa.text('current_co_actor IS NOT NULL'), postgresql_where=sa.text('current_co_actor IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_co_acting', sqlite_where=sa.text('current_co_actor IS NOT NULL'), postgresql_where=sa.text('current_co_actor IS NOT NULL'))

