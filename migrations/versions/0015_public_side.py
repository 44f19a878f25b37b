"""the citizen's side: online submissions and their files, messages to citizens, the
satisfaction survey; the public pages' rate events replace the tracking page's own table (a
lookup's held-back count starts afresh). The channel "Formulir daring" is master data, added
by the seed loader (flask seed) where missing.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:28:05.315508

"""
from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_event'))
    )
    with op.batch_alter_table('rate_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_event_at'), ['at'], unique=False)
        batch_op.create_index('ix_rate_event_kind_key_at', ['kind', 'key', 'at'], unique=False)

    op.create_table('rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('u1', sa.SmallInteger(), nullable=True),
    sa.Column('u2', sa.SmallInteger(), nullable=True),
    sa.Column('u3', sa.SmallInteger(), nullable=True),
    sa.Column('u4', sa.SmallInteger(), nullable=True),
    sa.Column('u5', sa.SmallInteger(), nullable=True),
    sa.Column('u6', sa.SmallInteger(), nullable=True),
    sa.Column('u7', sa.SmallInteger(), nullable=True),
    sa.Column('u8', sa.SmallInteger(), nullable=True),
    sa.Column('u9', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('u1 IS NULL OR u1 BETWEEN 1 AND 4', name=op.f('ck_rating_u1_scale')),
    sa.CheckConstraint('u2 IS NULL OR u2 BETWEEN 1 AND 4', name=op.f('ck_rating_u2_scale')),
    sa.CheckConstraint('u3 IS NULL OR u3 BETWEEN 1 AND 4', name=op.f('ck_rating_u3_scale')),
    sa.CheckConstraint('u4 IS NULL OR u4 BETWEEN 1 AND 4', name=op.f('ck_rating_u4_scale')),
    sa.CheckConstraint('u5 IS NULL OR u5 BETWEEN 1 AND 4', name=op.f('ck_rating_u5_scale')),
    sa.CheckConstraint('u6 IS NULL OR u6 BETWEEN 1 AND 4', name=op.f('ck_rating_u6_scale')),
    sa.CheckConstraint('u7 IS NULL OR u7 BETWEEN 1 AND 4', name=op.f('ck_rating_u7_scale')),
    sa.CheckConstraint('u8 IS NULL OR u8 BETWEEN 1 AND 4', name=op.f('ck_rating_u8_scale')),
    sa.CheckConstraint('u9 IS NULL OR u9 BETWEEN 1 AND 4', name=op.f('ck_rating_u9_scale')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_rating_complaint_id_complaint')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating')),
    sa.UniqueConstraint('complaint_id', name=op.f('uq_rating_complaint_id'))
    )
    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('sop_id', sa.Integer(), nullable=False),
    sa.Column('jenis_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('whatsapp', sa.String(length=20), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('is_anonymous', sa.Boolean(), nullable=False),
    sa.Column('is_confidential', sa.Boolean(), nullable=False),
    sa.Column('tracking_hash', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('due_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_soon_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('archive_reason', sa.String(length=20), nullable=True),
    sa.Column('archive_note', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("archive_reason IS NULL OR archive_reason IN ('bukan_pengaduan', 'terlalu_umum', 'bukan_pelayanan', 'duplikat', 'spam')", name=op.f('ck_submission_archive_reason_known')),
    sa.CheckConstraint("status IN ('waiting', 'registered', 'archived')", name=op.f('ck_submission_status_known')),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_submission_channel_id_channel')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_submission_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_submission_decided_by_id_user')),
    sa.ForeignKeyConstraint(['jenis_id'], ['jenis.id'], name=op.f('fk_submission_jenis_id_jenis')),
    sa.ForeignKeyConstraint(['sop_id'], ['sop.id'], name=op.f('fk_submission_sop_id_sop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
    sa.UniqueConstraint('complaint_id', name=op.f('uq_submission_complaint_id'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_submission_tracking_hash', ['tracking_hash'], unique=True)

    op.create_table('citizen_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('address_sealed', sa.Text(), nullable=True),
    sa.Column('code_sealed', sa.Text(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'whatsapp')", name=op.f('ck_citizen_message_channel_known')),
    sa.CheckConstraint("event IN ('received', 'registered', 'answered')", name=op.f('ck_citizen_message_event_known')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_citizen_message_status_known')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_citizen_message_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_citizen_message_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_message'))
    )
    with op.batch_alter_table('citizen_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citizen_message_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index('ix_citizen_message_due', ['status', 'next_attempt_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_citizen_message_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('mime_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_file_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_file'))
    )
    with op.batch_alter_table('submission_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_file_submission_id'), ['submission_id'], unique=False)

    with op.batch_alter_table('tracking_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracking_attempt_address_at'))

    op.drop_table('tracking_attempt')
    # A plain ADD COLUMN on both databases: the notification table is not rebuilt.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE notification ADD COLUMN submission_id INTEGER CONSTRAINT '
                   'fk_notification_submission_id_submission REFERENCES submission (id)')
    else:
        op.add_column('notification', sa.Column('submission_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_notification_submission_id_submission'), 'notification',
                              'submission', ['submission_id'], ['id'])



def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_notification_submission_id_submission'), 'notification',
                           type_='foreignkey')
    op.execute('ALTER TABLE notification DROP COLUMN submission_id')  # SQLite 3.35+

    op.create_table('tracking_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_attempt'))
    )
    with op.batch_alter_table('tracking_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_attempt_address_at'), ['address', 'at'], unique=False)

    with op.batch_alter_table('submission_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_file_submission_id'))

    op.drop_table('submission_file')
    with op.batch_alter_table('citizen_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizen_message_submission_id'))
        batch_op.drop_index('ix_citizen_message_due')
        batch_op.drop_index(batch_op.f('ix_citizen_message_complaint_id'))

    op.drop_table('citizen_message')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_tracking_hash')
        batch_op.drop_index('ix_submission_status_due')

    op.drop_table('submission')
    op.drop_table('rating')
    with op.batch_alter_table('rate_event', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_event_kind_key_at')
        batch_op.drop_index(batch_op.f('ix_rate_event_at'))

    op.drop_table('rate_event')
