"""the closing stages (drafting the answer letter, sending it) become rows of each SOP

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00.000000

Every SOP revision gains steps after its last: the Kasi drafts the Surat Dinas (where a path
leads there), the front office sends it (one working day each, until the agency sets its own). Outcomes that led to
"answer" or "dispatch" lead to those steps; complaints drafting or sending an answer stand at
them, with a due moment. History already written keeps its rows (it is append-only): a record
without a step number names its stage by its phase, which `Sop.step_of_record` reads.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# The two stages as seeds/sop_common.py defines them today, written out: a migration must not
# change when the seeds do.
ANSWER = dict(actor="kasi", activity="Kepala Seksi menyusun jawaban tertulis (Surat Dinas) kepada "
              "pengadu", short_name="Penyusunan jawaban tertulis",
              input_doc="Perintah membuat jawaban tertulis", time_working_days=1,
              output="Surat Dinas jawaban atas pengaduan", closing="answer")
DISPATCH = dict(actor="fo", activity="Petugas FO mengirimkan jawaban kepada pengadu",
                short_name="Pengiriman jawaban", input_doc="Surat Dinas jawaban atas pengaduan",
                time_working_days=1, output="Jawaban terkirim kepada pengadu", closing="dispatch")
FORMS = ("submit", "register", "disposition", "order", "resume", "study", "answer", "meeting",
         "minutes", "dispatch")
DOCUMENTS = ("buku_registrasi", "lembar_disposisi", "resume", "undangan_rakor", "berita_acara",
             "surat_dinas")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    closing_check = f"closing IS NULL OR {_in('closing', ('answer', 'dispatch'))}"
    if sqlite:  # ADD COLUMN with its CHECK: no copy of a table others refer to
        op.execute(f"ALTER TABLE sop_step ADD COLUMN closing VARCHAR(20) "
                   f"CONSTRAINT ck_sop_step_closing_known CHECK ({closing_check})")
    else:
        op.add_column('sop_step', sa.Column('closing', sa.String(length=20), nullable=True))
        op.create_check_constraint(op.f('ck_sop_step_closing_known'), 'sop_step', closing_check)
    # Form kinds and documents become rows the outcomes refer to (the registry, models/kinds.py,
    # keeps them: init-db), in place of check constraints that would need a migration for
    # every new kind; the dispatch's form is one of them. (Nothing refers to sop_outcome: a
    # batch copy on SQLite is safe.)
    op.create_table('form_kind',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_form_kind'))
    )
    op.create_table('document_kind',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_document_kind'))
    )
    kinds = sa.table('form_kind', sa.column('code'), sa.column('label'))
    documents = sa.table('document_kind', sa.column('code'), sa.column('title'))
    connection.execute(kinds.insert(), [{"code": c, "label": c} for c in FORMS])
    connection.execute(documents.insert(), [{"code": c, "title": c} for c in DOCUMENTS])
    with op.batch_alter_table('sop_outcome', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sop_outcome_form_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_sop_outcome_document_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_sop_outcome_ends_known'), type_='check')
    with op.batch_alter_table('sop_outcome', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f('fk_sop_outcome_form_form_kind'), 'form_kind',
                                    ['form'], ['code'])
        batch_op.create_foreign_key(op.f('fk_sop_outcome_document_document_kind'),
                                    'document_kind', ['document'], ['code'])
        batch_op.create_check_constraint(op.f('ck_sop_outcome_ends_known'), "ends IS NULL OR "
                                         "ends IN ('closed', 'answer', 'dispatch')")

    steps = sa.table('sop_step', *(sa.column(c) for c in (
        'id', 'sop_id', 'no', 'actor', 'co_actor', 'activity', 'short_name', 'input_doc',
        'time_minutes', 'time_working_days', 'output', 'closing')))
    outcomes = sa.table('sop_outcome', *(sa.column(c) for c in (
        'id', 'step_id', 'position', 'code', 'label', 'form', 'next_step_no', 'ends',
        'document', 'only_after')))
    complaints = sa.table('complaint', *(sa.column(c) for c in (
        'id', 'sop_id', 'status', 'current_step_no', 'current_actor', 'current_co_actor')))
    last = dict(connection.execute(
        sa.select(steps.c.sop_id, sa.func.max(steps.c.no)).group_by(steps.c.sop_id)).all())
    for sop_id, n in last.items():
        step_ids = sa.select(steps.c.id).where(steps.c.sop_id == sop_id)
        # The drafting stage only where a path (or a complaint) goes there: in SOP.48 and 49
        # the Kasi writes the answer within step 5.
        drafted = connection.execute(sa.select(sa.func.count()).select_from(outcomes).where(
            outcomes.c.step_id.in_(step_ids), outcomes.c.ends == "answer")).scalar_one() or \
            connection.execute(sa.select(sa.func.count()).select_from(complaints).where(
                complaints.c.sop_id == sop_id, complaints.c.status == "answer")).scalar_one()
        answer_no = n + 1 if drafted else None
        dispatch_no = n + 2 if drafted else n + 1
        stages = [(dispatch_no, DISPATCH, dict(code="terkirim", label="Jawaban dikirim kepada "
                                               "pengadu", form="dispatch", ends="closed"))]
        if drafted:
            stages.insert(0, (answer_no, ANSWER, dict(
                code="jawaban_tertulis", label="Jawaban tertulis (Surat Dinas)", form="answer",
                next_step_no=dispatch_no, document="surat_dinas")))
        for no, row, outcome in stages:
            step_id = connection.execute(
                steps.insert().values(sop_id=sop_id, no=no, **row).returning(steps.c.id)
            ).scalar_one()
            connection.execute(outcomes.insert().values(step_id=step_id, position=0, **outcome))
        for end, target in (("answer", answer_no), ("dispatch", dispatch_no)):
            if target is None:
                continue
            connection.execute(outcomes.update().where(outcomes.c.step_id.in_(step_ids),
                                                       outcomes.c.ends == end)
                               .values(next_step_no=target, ends=None))
        for status, target, actor in (("answer", answer_no, "kasi"),
                                      ("dispatch", dispatch_no, "fo")):
            if target is None:
                continue
            connection.execute(complaints.update().where(complaints.c.sop_id == sop_id,
                                                         complaints.c.status == status)
                               .values(status="in_progress", current_step_no=target,
                                       current_actor=actor, current_co_actor=None))
    with op.batch_alter_table('sop_outcome', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sop_outcome_ends_known'), type_='check')
    with op.batch_alter_table('sop_outcome', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_sop_outcome_ends_known'),
                                         "ends IS NULL OR ends IN ('closed')")
    if not sqlite:
        # (On SQLite the complaint table keeps its wider check: rebuilding it would drop what
        # refers to it; nothing writes "answer" or "dispatch" any more.)
        op.drop_constraint(op.f('ck_complaint_status_known'), 'complaint', type_='check')
        op.create_check_constraint(op.f('ck_complaint_status_known'), 'complaint',
                                   "status IN ('in_progress', 'closed')")
    # Every open step now has its due moment, the closing ones too.
    from models.workflow import recompute_due_moments

    with Session(bind=connection) as session:
        recompute_due_moments(session=session)


def downgrade():
    raise NotImplementedError("The closing stages cannot be folded back into code: restore "
                              "the backup made before upgrading.")
