"""SP4N-LAPOR!: the report's fields on complaints and on imported submissions (its Tracking
ID found by exact match; one submission per Tracking ID); when and by whom the follow-up was
posted on LAPOR!, and the follow-ups queued for LAPOR!'s API (lapor_post)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 15:15:00

"""
from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

LAPOR = (('lapor_transaction_id', sa.String(length=60)),
         ('lapor_classification', sa.String(length=30)),
         ('lapor_category', sa.String(length=120)),
         ('lapor_status', sa.String(length=40)),
         ('lapor_forwarded_at', models.types.UTCDateTime(timezone=True)),
         ('lapor_reported_at', models.types.UTCDateTime(timezone=True)))


def upgrade():
    # Plain ADD COLUMNs and indexes: the complaint table (its triggers, its expression
    # indexes) is not rebuilt.
    for name, type_ in LAPOR:
        op.add_column('complaint', sa.Column(name, type_, nullable=True))
    op.create_index('ix_complaint_lapor_tracking_no', 'complaint', ['lapor_tracking_no'])
    op.add_column('complaint', sa.Column('lapor_followup_at',
                                         models.types.UTCDateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':  # ADD COLUMN with its constraint: no rebuild
        op.execute('ALTER TABLE complaint ADD COLUMN lapor_followup_by_id INTEGER CONSTRAINT '
                   'fk_complaint_lapor_followup_by_id_user REFERENCES user (id)')
    else:
        op.add_column('complaint', sa.Column('lapor_followup_by_id', sa.Integer(),
                                             nullable=True))
        op.create_foreign_key(op.f('fk_complaint_lapor_followup_by_id_user'), 'complaint',
                              'user', ['lapor_followup_by_id'], ['id'])
    op.add_column('submission', sa.Column('lapor_tracking_id', sa.String(length=40),
                                          nullable=True))
    for name, type_ in LAPOR:
        op.add_column('submission', sa.Column(name, type_, nullable=True))
    op.add_column('submission', sa.Column('lapor_fingerprint', sa.String(length=64),
                                          nullable=True))
    op.create_index('ix_submission_lapor_tracking_id', 'submission', ['lapor_tracking_id'],
                    unique=True)
    op.create_table('lapor_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('tracking_id', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('queued_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('answer', sa.String(length=500), nullable=True),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_lapor_post_status_known')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_lapor_post_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['queued_by_id'], ['user.id'], name=op.f('fk_lapor_post_queued_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lapor_post'))
    )
    op.create_index(op.f('ix_lapor_post_complaint_id'), 'lapor_post', ['complaint_id'])
    op.create_index('ix_lapor_post_due', 'lapor_post', ['status', 'next_attempt_at', 'id'])


def downgrade():
    op.drop_table('lapor_post')
    op.drop_index('ix_submission_lapor_tracking_id', table_name='submission')
    op.drop_index('ix_complaint_lapor_tracking_no', table_name='complaint')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_complaint_lapor_followup_by_id_user'), 'complaint',
                           type_='foreignkey')
    for table, names in (('submission', ['lapor_tracking_id', 'lapor_fingerprint']),
                         ('complaint', ['lapor_followup_at', 'lapor_followup_by_id'])):
        for name in names + [n for n, _ in LAPOR]:
            op.execute(f'ALTER TABLE {table} DROP COLUMN {name}')  # SQLite 3.35+, PostgreSQL
