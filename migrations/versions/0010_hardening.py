"""hardening: sessions that end on every host, login turns, append-only logs, search apart
from names, confidential readers counted from an index

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from models import identity, integrity, search


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    # A plain ADD COLUMN, also on SQLite (see 0009).
    op.add_column('user', sa.Column('session_generation', sa.Integer(), server_default='0',
                                    nullable=False))
    op.create_table('login_gate',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_gate'))
    )
    op.create_table('confidential_reader',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_confidential_reader_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_confidential_reader_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', 'complaint_id', name=op.f('pk_confidential_reader'))
    )
    op.create_index(op.f('ix_confidential_reader_complaint_id'), 'confidential_reader',
                    ['complaint_id'], unique=False)
    op.create_index('ix_complaint_confidential', 'complaint',
                    ['current_actor', 'current_co_actor', 'is_confidential', 'id'], unique=False,
                    **identity.CONFIDENTIAL_WHERE)
    identity.install(connection)
    identity.rebuild(connection)
    # Every log refuses UPDATE, DELETE, REPLACE and TRUNCATE (0005 guarded the history only
    # against UPDATE and DELETE).
    logs = ("step_record", "identity_reveal", "admin_change", "login_attempt")  # as of 0010
    integrity.uninstall(connection, logs)
    integrity.install(connection, logs)
    # The description joins the search words; the name stands apart from them.
    search.uninstall_search(connection)
    search.install_search(connection)
    # The register's order index holds what the visibility rule reads.
    search.reorder_index(connection)


def downgrade():
    connection = op.get_bind()
    integrity.uninstall(connection, ("step_record", "identity_reveal", "admin_change",
                                     "login_attempt"))
    integrity.install(connection, ("step_record",))
    identity.uninstall(connection)
    op.drop_index('ix_complaint_confidential', table_name='complaint')
    op.drop_index(op.f('ix_confidential_reader_complaint_id'), table_name='confidential_reader')
    op.drop_table('confidential_reader')
    op.drop_table('login_gate')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
