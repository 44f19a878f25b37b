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
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based "
                                "index ix_complaint_(queue|search|due_order)", SAWarning)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True,
                            "include_object": include_object}
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
    assert after_first[:2] == (3, 20)
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
        conn.execute(db.text("INSERT INTO sop (code, revision, number, name, unit, made_on, "
                             "effective_on, approver_position, approver_name, approver_rank, "
                             "approver_nip, legal_basis, qualifications, related, equipment, "
                             "warnings, records, procedure_title, reconstructed, note) VALUES "
                             "('SOP.99', 1, '065/SOP.99', 'Uji', 'PKPL', '2021-01-01', "
                             "'2021-01-01', 'Kepala Dinas', 'X', 'IV/c', '197502101998031004', "
                             "'', '', '', '', '', '', 'Uraian', false, '')"))
        conn.execute(db.text("INSERT INTO sop_step (sop_id, no, actor, activity, short_name, "
                             "input_doc, time_minutes, output) SELECT id, 1, 'masyarakat', "
                             "'a', 'a', '', 30, '' FROM sop WHERE code = 'SOP.99'"))
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        create_demo_accounts(PASSWORD)
        register_complaint("kantor")
        old = db.session.scalar(select(Sop).where(Sop.code == "SOP.99"))
        assert old.draft is False and len(old.steps) == 1
