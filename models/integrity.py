"""Rules the database itself enforces, whatever program writes to it.

The history of a complaint's steps (step_record) is append-only: the application only ever
inserts rows, and triggers on SQLite and PostgreSQL refuse an UPDATE or DELETE from anyone,
so that no later edit (by a script, a console, a bug) can rewrite who decided what and when.
"""

from sqlalchemy import event, text

from models.complaint import StepRecord

APPEND_ONLY_MESSAGE = "Riwayat langkah pengaduan tidak dapat diubah atau dihapus."
_FUNCTION = "step_record_append_only"


def install(connection) -> None:
    """Create the append-only triggers on step_record."""
    if connection.dialect.name == "sqlite":
        for change in ("UPDATE", "DELETE"):
            connection.execute(text(
                f"CREATE TRIGGER step_record_no_{change.lower()} BEFORE {change} ON step_record "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            ))  # fmt: skip
    else:
        connection.execute(text(
            f"CREATE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' "
            "USING ERRCODE = 'integrity_constraint_violation'; END $$"
        ))  # fmt: skip
        connection.execute(text(
            f"CREATE TRIGGER {_FUNCTION} BEFORE UPDATE OR DELETE ON step_record "
            f"FOR EACH ROW EXECUTE FUNCTION {_FUNCTION}()"
        ))  # fmt: skip


def uninstall(connection) -> None:
    if connection.dialect.name == "sqlite":
        for change in ("update", "delete"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS step_record_no_{change}"))
    else:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {_FUNCTION} ON step_record"))
        connection.execute(text(f"DROP FUNCTION IF EXISTS {_FUNCTION}()"))


@event.listens_for(StepRecord.__table__, "after_create")
def _after_create(_table, connection, **_kw):
    install(connection)
