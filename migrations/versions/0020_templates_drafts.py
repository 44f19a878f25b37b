"""The answer letters' templates (master data) and drafts of a step's form kept on the server

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 00:20:00

"""
from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('answer_template',
    sa.Column('jenis_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('ordering', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['jenis_id'], ['jenis.id'], name=op.f('fk_answer_template_jenis_id_jenis')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_template')),
    sa.UniqueConstraint('code', name=op.f('uq_answer_template_code'))
    )
    op.create_table('step_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('step_started_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('saved_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_step_draft_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_step_draft_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_draft')),
    sa.UniqueConstraint('complaint_id', 'outcome', name=op.f('uq_step_draft_complaint_id_outcome'))
    )


def downgrade():
    op.drop_table('step_draft')
    op.drop_table('answer_template')
