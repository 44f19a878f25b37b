"""An attachment's purpose: the signed scan of a printed document, the proof that a letter
was sent (models/scans.py); None for the complaint's own files

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

PURPOSES = "purpose IS NULL OR purpose IN ('signed', 'dispatch')"


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':  # ADD COLUMN with its constraint: no rebuild
        op.execute('ALTER TABLE attachment ADD COLUMN purpose VARCHAR(10) CONSTRAINT '
                   f'ck_attachment_purpose_known CHECK ({PURPOSES})')
    else:
        op.add_column('attachment', sa.Column('purpose', sa.String(length=10), nullable=True))
        op.create_check_constraint(op.f('ck_attachment_purpose_known'), 'attachment', PURPOSES)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_attachment_purpose_known'), 'attachment', type_='check')
    op.execute('ALTER TABLE attachment DROP COLUMN purpose')  # SQLite 3.35+, PostgreSQL
