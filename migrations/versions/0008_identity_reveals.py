"""identity reveals: who looked at a hidden complainant, when and why

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 20:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('identity_reveal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_identity_reveal_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_identity_reveal_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_reveal'))
    )
    with op.batch_alter_table('identity_reveal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_reveal_complaint_id'), ['complaint_id'], unique=False)


def downgrade():
    with op.batch_alter_table('identity_reveal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_reveal_complaint_id'))
    op.drop_table('identity_reveal')
