"""Who signs the Undangan Rakor: the Kepala Dinas, or the Kabid on his behalf (a setting)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 00:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agency_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_signer', sa.String(length=10),
                                      server_default='kadis', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_agency_settings_invitation_signer_known'),
            "invitation_signer IN ('kadis', 'kabid')")


def downgrade():
    with op.batch_alter_table('agency_settings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agency_settings_invitation_signer_known'), type_='check')
        batch_op.drop_column('invitation_signer')
