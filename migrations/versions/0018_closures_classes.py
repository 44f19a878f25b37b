"""A complaint's life beside its SOP's steps: complaint classes with their overall limit,
the other agencies complaints are forwarded to, and on each complaint its class and overall due
moment, how it closed when not answered (merged, forwarded), into which complaint, to which
agency, when its SP4N-LAPOR! report was closed there; the citizen's messages of a merge and a
forwarding

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 19:30:00

"""
from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

CLOSED_AS = "closed_as IS NULL OR closed_as = 'merge' OR closed_as = 'forward'"
EVENTS_BEFORE = "event IN ('received', 'registered', 'answered')"
EVENTS_AFTER = "event IN ('received', 'registered', 'answered', 'merged', 'forwarded')"
FOREIGN = (('class_id', 'complaint_class'), ('merged_into_id', 'complaint'),
           ('forwarded_to_id', 'other_agency'))


def _citizen_message_events(check: str):
    """The citizen_message's event check: a small table, rebuilt on SQLite from its own
    definition here (which the batch copies whole)."""
    if op.get_bind().dialect.name != 'sqlite':
        name = op.f('ck_citizen_message_event_known')  # named already: no convention applied
        op.drop_constraint(name, 'citizen_message', type_='check')
        op.create_check_constraint(name, 'citizen_message', check)
        return
    table = sa.Table(
        'citizen_message', sa.MetaData(),
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
        sa.CheckConstraint("channel IN ('email', 'whatsapp')", name='ck_citizen_message_channel_known'),
        sa.CheckConstraint(check, name='ck_citizen_message_event_known'),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name='ck_citizen_message_status_known'),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name='fk_citizen_message_complaint_id_complaint'),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name='fk_citizen_message_submission_id_submission'),
        sa.PrimaryKeyConstraint('id', name='pk_citizen_message'),
        sa.Index('ix_citizen_message_complaint_id', 'complaint_id'),
        sa.Index('ix_citizen_message_due', 'status', 'next_attempt_at', 'id'),
        sa.Index('ix_citizen_message_submission_id', 'submission_id'),
    )
    with op.batch_alter_table('citizen_message', copy_from=table, recreate='always'):
        pass


def upgrade():
    op.create_table('complaint_class',
    sa.Column('limit_days', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('ordering', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_class')),
    sa.UniqueConstraint('code', name=op.f('uq_complaint_class_code'))
    )
    op.create_table('other_agency',
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('ordering', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_other_agency')),
    sa.UniqueConstraint('code', name=op.f('uq_other_agency_code'))
    )
    # Plain ADD COLUMNs and indexes: the complaint table (its triggers, its expression
    # indexes) is not rebuilt.
    for name in ('class_due_at', 'class_due_soon_at', 'lapor_closed_at'):
        op.add_column('complaint', sa.Column(name, models.types.UTCDateTime(timezone=True),
                                             nullable=True))
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:  # ADD COLUMN with its constraint: no rebuild
        op.execute('ALTER TABLE complaint ADD COLUMN closed_as VARCHAR(20) CONSTRAINT '
                   f'ck_complaint_closed_as_known CHECK ({CLOSED_AS})')
        for column, target in FOREIGN:
            op.execute(f'ALTER TABLE complaint ADD COLUMN {column} INTEGER CONSTRAINT '
                       f'fk_complaint_{column}_{target} REFERENCES {target} (id)')
    else:
        op.add_column('complaint', sa.Column('closed_as', sa.String(length=20), nullable=True))
        op.create_check_constraint(op.f('ck_complaint_closed_as_known'), 'complaint', CLOSED_AS)
        for column, target in FOREIGN:
            op.add_column('complaint', sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(f'fk_complaint_{column}_{target}'), 'complaint', target,
                                  [column], ['id'])
    op.create_index('ix_complaint_class_due', 'complaint', ['status', 'class_due_soon_at'])
    op.create_index('ix_complaint_merged_into_id', 'complaint', ['merged_into_id'])
    op.create_index('ix_complaint_lapor_followup', 'complaint', ['lapor_followup_at'])
    _citizen_message_events(EVENTS_AFTER)


def downgrade():
    _citizen_message_events(EVENTS_BEFORE)
    op.drop_index('ix_complaint_lapor_followup', table_name='complaint')
    op.drop_index('ix_complaint_merged_into_id', table_name='complaint')
    op.drop_index('ix_complaint_class_due', table_name='complaint')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_complaint_closed_as_known'), 'complaint', type_='check')
        for column, target in FOREIGN:
            op.drop_constraint(op.f(f'fk_complaint_{column}_{target}'), 'complaint',
                               type_='foreignkey')
    for name in ('class_due_at', 'class_due_soon_at', 'lapor_closed_at', 'closed_as',
                 *(c for c, _ in FOREIGN)):
        op.execute(f'ALTER TABLE complaint DROP COLUMN {name}')  # SQLite 3.35+, PostgreSQL
    op.drop_table('other_agency')
    op.drop_table('complaint_class')
