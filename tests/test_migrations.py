"""The migrations build exactly the models' schema, and init-db is idempotent."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SAWarning

from models import Channel, Sop, SopOutcome, SopStep, db
from models.search import include_object


def _schema_diff(app):
    with app.app_context(), warnings.catch_warnings():
        # Reflection cannot read the expression indexes of models/search.py; they are ours.
        warnings.filterwarnings(
            "ignore",
            "Skipped unsupported reflection of expression-based "
            "index ix_complaint_(queue|search|due_order)",
            SAWarning,
        )
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    "include_object": include_object,
                },
            )
            return compare_metadata(context, db.metadata)


def test_migrations_produce_exactly_the_models_schema(empty_app):
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert _schema_diff(empty_app) == []


def test_a_model_change_without_migration_is_detected(empty_app):
    """The diff check can fail: a column the migrations lack shows up."""
    from sqlalchemy import Column, Integer

    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    column = Column("not_migrated", Integer)
    db.metadata.tables["jenis"].append_column(column)
    try:
        diff = _schema_diff(empty_app)
    finally:
        db.metadata.tables["jenis"]._columns.remove(column)
    assert any(d[0] == "add_column" and d[3].name == "not_migrated" for d in diff)


def _counts(app):
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Sop, SopStep, SopOutcome, Channel)
        )


def test_init_db_upgrades_loads_and_is_idempotent(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "SOP.48 rev. 1, SOP.49 rev. 1, SOP.50 rev. 1" in first.output
    after_first = _counts(empty_app)
    from seeds.loader import SOP_SEEDS

    assert after_first[:2] == (len(SOP_SEEDS), sum(len(seed.steps) for seed in SOP_SEEDS))
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0, second.output
    assert "tidak ada (sudah ada)" in second.output
    assert _counts(empty_app) == after_first


def test_an_installation_in_use_upgrades_to_the_newest_migration(empty_app):
    """Migrations run on a database with complaints in it, not only on an empty one (SQLite
    refuses to copy a table that others refer to while its foreign keys are on)."""
    from seeds.loader import create_demo_accounts
    from tests.conftest import PASSWORD
    from tests.workflow_helpers import register_complaint

    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0008"]).exit_code == 0
    with empty_app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("sop")}
        assert "draft" not in columns
    # An SOP and its step as 0008 stored them (the models are newer than that schema).
    with empty_app.app_context(), db.engine.begin() as conn:
        conn.execute(
            db.text(
                "INSERT INTO sop (code, revision, number, name, unit, made_on, "
                "effective_on, approver_position, approver_name, approver_rank, "
                "approver_nip, legal_basis, qualifications, related, equipment, "
                "warnings, records, procedure_title, reconstructed, note) VALUES "
                "('SOP.99', 1, '065/SOP.99', 'Uji', 'PKPL', '2021-01-01', "
                "'2021-01-01', 'Kepala Dinas', 'X', 'IV/c', '197502101998031004', "
                "'', '', '', '', '', '', 'Uraian', false, '')"
            )
        )
        conn.execute(
            db.text(
                "INSERT INTO sop_step (sop_id, no, actor, activity, short_name, "
                "input_doc, time_minutes, output) SELECT id, 1, 'masyarakat', "
                "'a', 'a', '', 30, '' FROM sop WHERE code = 'SOP.99'"
            )
        )
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        create_demo_accounts(PASSWORD)
        register_complaint("kantor")
        old = db.session.scalar(select(Sop).where(Sop.code == "SOP.99"))
        assert old.draft is False
        # 0011 gave it the closing stage every SOP has: sending the answer
        assert [(s.no, s.closing) for s in old.steps] == [(1, None), (2, "dispatch")]


def test_an_answer_waiting_to_be_sent_becomes_the_sops_dispatch_step(empty_app):
    """Before 0011 sending the answer was a phase of code ("dispatch"), with no due moment;
    after it, the SOP's own step, with one: the front office's letter that waited a week
    unseen is late. Its history (append-only) stays as written and still reads right."""
    from sqlalchemy import text

    from models import Complaint
    from models.workflow import advance, step_numbers
    from tests.conftest import PASSWORD
    from tests.workflow_helpers import FORMS, user

    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0010"]).exit_code == 0
    moment = "'2026-11-16 02:00:00'"  # Monday 09:00 WIB, two weeks ago
    statements = [
        "INSERT INTO sop (code, revision, number, name, unit, made_on, effective_on, "
        "approver_position, approver_name, approver_rank, approver_nip, legal_basis, "
        "qualifications, related, equipment, warnings, records, procedure_title, reconstructed, "
        "note, draft) VALUES ('SOP.77', 1, '065/SOP.77', 'Uji', 'PKPL', '2021-01-01', "
        "'2021-01-01', 'Kepala Dinas', 'X', 'IV/c', '197502101998031004', '', '', '', '', '', "
        "'', 'Uraian', false, '', false)",
        "INSERT INTO sop_step (sop_id, no, actor, activity, short_name, input_doc, time_minutes, "
        "output) SELECT id, 1, 'masyarakat', 'a', 'Diajukan', '', 30, '' FROM sop",
        "INSERT INTO sop_step (sop_id, no, actor, activity, short_name, input_doc, time_minutes, "
        "output) SELECT id, 2, 'kasi', 'b', 'Jawab', '', 30, '' FROM sop",
        "INSERT INTO sop_outcome (step_id, position, code, label, form, next_step_no) "
        "SELECT id, 0, 'diajukan', 'Diajukan', 'submit', 2 FROM sop_step WHERE no = 1",
        "INSERT INTO sop_outcome (step_id, position, code, label, form, ends, document) "
        "SELECT id, 0, 'jawab', 'Jawab', 'answer', 'dispatch', 'surat_dinas' FROM sop_step "
        "WHERE no = 2",
        "INSERT INTO channel (code, name, sop_code, needs_platform, needs_tracking_number, "
        "ordering, active) VALUES ('uji', 'Uji', 'SOP.77', false, false, 0, true)",
        "INSERT INTO jenis (code, name, ordering, active) VALUES ('uji', 'Uji', 0, true)",
        'INSERT INTO "user" (username, full_name, position, rank, role, active, password_hash, '
        "session_generation) VALUES ('fo_lama', 'FO Lama', 'FO', '', 'fo', true, 'x', 0)",
        "INSERT INTO complaint (reg_year, reg_seq, reg_number, channel_id, jenis_id, "
        "received_at, complainant_name, complainant_contact, complainant_address, "
        "is_anonymous, is_confidential, subject, description, sop_id, status, "
        "current_step_no, current_actor, last_outcome, step_started_at, paused_minutes, "
        "registered_by_id, version) SELECT 2026, 1, '0001/PGD/X/2026', channel.id, jenis.id, "
        f"{moment}, 'Budi', '', '', false, false, 'Izin', 'Uraian', sop.id, 'dispatch', NULL, "
        f"'fo', 'jawab', {moment}, 0, \"user\".id, 3 FROM channel, jenis, sop, \"user\"",
        "INSERT INTO step_record (complaint_id, seq, sop_id, step_no, phase, outcome, "
        "outcome_label, actor_id, actor_role, started_at, finished_at, note, data) SELECT "
        "complaint.id, 1, complaint.sop_id, 2, 'in_progress', 'jawab', 'Jawab', NULL, 'kasi', "
        f"{moment}, {moment}, '', '{{}}' FROM complaint",
    ]
    with empty_app.app_context(), db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        from seeds.loader import create_demo_accounts

        create_demo_accounts(PASSWORD)
        complaint = db.session.scalar(select(Complaint))
        sop = complaint.sop
        dispatch = sop.closing_step("dispatch")
        assert (dispatch.no, dispatch.actor, dispatch.time_working_days) == (3, "fo", 1)
        assert [o.next_step_no for o in sop.step(2).outcomes] == [3]
        assert (complaint.status, complaint.current_step_no, complaint.current_actor) == (
            "in_progress",
            3,
            "fo",
        )
        from models.deadlines import deadline_state
        from models.types import utcnow

        # due a working day after it waited for the front office, two weeks ago: late
        assert complaint.due_at is not None and deadline_state(complaint, utcnow()) == "overdue"
        data = {**FORMS["terkirim"]()}
        advance(complaint.id, user("fo"), "terkirim", data)
        db.session.expire_all()
        complaint = db.session.get(Complaint, complaint.id)
        assert complaint.status == "closed" and step_numbers(complaint) == [2, 3]


def test_a_register_in_use_gets_where_its_complaints_went_and_how_they_were_answered(empty_app):
    """0023 fills the summary the engine keeps from then on (Diteruskan kepada, Tindak lanjut)
    from the histories already recorded, to the same text the engine writes."""
    from sqlalchemy import text

    from models import Complaint
    from seeds.loader import create_demo_accounts
    from tests.conftest import PASSWORD
    from tests.workflow_helpers import SOP_50_WALK, act, register_complaint

    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    columns = ("addressed_to", "answer_subject", "answer_opening")
    with empty_app.app_context():
        create_demo_accounts(PASSWORD)
        walked, fresh = register_complaint(), register_complaint()
        for who, _queue, outcome in SOP_50_WALK:
            act(walked, who, outcome)
        db.session.commit()
        kept = db.session.execute(
            select(Complaint.id, *(getattr(Complaint, c) for c in columns)).order_by(Complaint.id)
        ).all()
        assert kept[0][1] and kept[0][2] and kept[1][1:] == ("", None, None)
        ids = (walked.id, fresh.id)
        db.session.remove()
    assert runner.invoke(args=["db", "downgrade", "0022"]).exit_code == 0
    with empty_app.app_context():
        names = {c["name"] for c in inspect(db.engine).get_columns("complaint")}
        assert not names & set(columns)
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        again = db.session.execute(
            text(f"SELECT id, {', '.join(columns)} FROM complaint WHERE id IN {ids} ORDER BY id")
        ).all()
        assert [tuple(r) for r in again] == [tuple(r) for r in kept]
