"""Large exports as jobs (models/export_jobs.py): the job and its file's pieces; notices and
notifications of a finished export (events export_ready, export_failed)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 07:00:09

"""
from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

EVENTS_BEFORE = "event IN ('arrived', 'due_soon', 'late', 'digest')"
EVENTS_AFTER = "event IN ('arrived', 'due_soon', 'late', 'digest', 'export_ready', 'export_failed')"


def _notice(check: str) -> sa.Table:
    return sa.Table(
        'notice', sa.MetaData(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('event', sa.String(length=20), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=True),
        sa.Column('stage_started_at', models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('step_no', sa.Integer(), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_notice'),
        sa.CheckConstraint(check, name='ck_notice_event_known'),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name='fk_notice_complaint_id_complaint'),
        sa.UniqueConstraint('key', name='uq_notice_key'),
        sa.Index('ix_notice_stage', 'complaint_id', 'stage_started_at', 'event'),
    )


def _notification(check: str) -> sa.Table:
    return sa.Table(
        'notification', sa.MetaData(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('event', sa.String(length=20), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('read_at', models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('submission_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_notification'),
        sa.CheckConstraint("channel IN ('app', 'email', 'whatsapp')", name='ck_notification_channel_known'),
        sa.CheckConstraint(check, name='ck_notification_event_known'),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name='ck_notification_status_known'),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name='fk_notification_complaint_id_complaint'),
        sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name='fk_notification_notice_id_notice'),
        sa.ForeignKeyConstraint(['recipient_id'], ['user.id'], name='fk_notification_recipient_id_user'),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name='fk_notification_submission_id_submission'),
        sa.UniqueConstraint('notice_id', 'recipient_id', 'channel', name='uq_notification_notice_id_recipient_id_channel'),
        sa.Index('ix_notification_complaint_id', 'complaint_id'),
        sa.Index('ix_notification_created_at', 'created_at'),
        sa.Index('ix_notification_due', 'status', 'next_attempt_at', 'id'),
        sa.Index('ix_notification_inbox', 'recipient_id', 'channel', 'read_at'),
    )


def _events(check: str):
    """The notices' and notifications' event check. On SQLite each table is rebuilt from its
    definition here (migrations/env.py turns the foreign keys off around the migration and
    checks them after: other tables refer to both)."""
    if op.get_bind().dialect.name != 'sqlite':
        for table in ('notice', 'notification'):
            name = op.f(f'ck_{table}_event_known')
            op.drop_constraint(name, table, type_='check')
            op.create_check_constraint(name, table, check)
        return
    for table in (_notice(check), _notification(check)):
        with op.batch_alter_table(table.name, copy_from=table, recreate='always'):
            pass


def upgrade():
    op.create_table('export_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('view', sa.String(length=80), nullable=False),
    sa.Column('list_path', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('args', sa.Text(), nullable=False),
    sa.Column('fmt', sa.String(length=4), nullable=False),
    sa.Column('file_name', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total_rows', sa.BigInteger(), nullable=False),
    sa.Column('rows_written', sa.BigInteger(), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('worker', sa.String(length=120), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('progress_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("fmt IN ('csv', 'xlsx')", name=op.f('ck_export_job_fmt_known')),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'expired')", name=op.f('ck_export_job_status_known')),
    sa.ForeignKeyConstraint(['requester_id'], ['user.id'], name=op.f('fk_export_job_requester_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_job'))
    )
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.create_index('ix_export_job_requester', ['requester_id', 'id'], unique=False)
        batch_op.create_index('ix_export_job_status', ['status', 'id'], unique=False)

    op.create_table('export_piece',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['export_job.id'], name=op.f('fk_export_piece_job_id_export_job')),
    sa.PrimaryKeyConstraint('job_id', 'seq', name=op.f('pk_export_piece'))
    )
    _events(EVENTS_AFTER)


def downgrade():
    # An export's notices stay, as plain notices (their deliveries may not be deleted).
    for table in ('notice', 'notification'):
        op.execute(f"UPDATE {table} SET event = 'digest' "
                   "WHERE event IN ('export_ready', 'export_failed')")
    _events(EVENTS_BEFORE)
    op.drop_table('export_piece')
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_index('ix_export_job_status')
        batch_op.drop_index('ix_export_job_requester')

    op.drop_table('export_job')
