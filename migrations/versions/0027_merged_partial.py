"""The index of the complaints merged into another holds only the merged ones (a NULL for every
other complaint made SQLite's planner, given ANALYZE's figures, walk the whole register)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 08:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

MERGED = sa.text('merged_into_id IS NOT NULL')


def upgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_merged_into_id')
        batch_op.create_index('ix_complaint_merged_into_id', ['merged_into_id'], unique=False,
                              sqlite_where=MERGED, postgresql_where=MERGED)


def downgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_merged_into_id')
        batch_op.create_index('ix_complaint_merged_into_id', ['merged_into_id'], unique=False)
