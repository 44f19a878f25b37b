"""append-only step history, enforced by the database

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:30:00.000000

"""
from alembic import op

from models import integrity


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    integrity.install(op.get_bind(), ("step_record",))


def downgrade():
    integrity.uninstall(op.get_bind(), ("step_record",))
