"""The duplicate check's index: a window's contacts read from (received_at, contact, id)
instead of the rows

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 18:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_complaint_received_contact', 'complaint',
                    ['received_at', 'complainant_contact', 'id'])


def downgrade():
    op.drop_index('ix_complaint_received_contact', table_name='complaint')
