"""Rules the database itself enforces, whatever program writes to it.

The logs of the system are append-only: the history of a complaint's steps (step_record),
the reveals of hidden identities, the history of administration, the login attempts and the
notifications handed over (notification_delivery). The application only ever inserts their
rows; triggers on SQLite and PostgreSQL refuse every other way of changing them, from anyone:

- UPDATE and DELETE (and so PostgreSQL's ``INSERT … ON CONFLICT DO UPDATE`` and SQLite's
  upsert, which update);
- on SQLite, ``INSERT OR REPLACE`` / ``REPLACE`` over an existing row, which deletes it
  without firing a delete trigger: an insert that would meet an existing key is refused;
- on PostgreSQL, ``TRUNCATE`` (row triggers do not see it; a statement trigger does), also
  when it cascades from another table.

What they cannot stop is the owner of the schema dropping a table or disabling its triggers:
that needs the database's own privileges (a separate owner role in production).
"""

from sqlalchemy import event, text

APPEND_ONLY = {
    "step_record": "Riwayat langkah pengaduan tidak dapat diubah atau dihapus.",
    "identity_reveal": "Catatan pembukaan identitas tidak dapat diubah atau dihapus.",
    "admin_change": "Riwayat administrasi tidak dapat diubah atau dihapus.",
    "login_attempt": "Catatan percobaan masuk tidak dapat diubah atau dihapus.",
    "notification_delivery": "Riwayat pengiriman notifikasi tidak dapat diubah atau dihapus.",
}
# The keys a new row of each table may not share with an existing one (REPLACE would delete
# the existing row): the primary key, and the complaint's step sequence.
_KEYS = {"step_record": (("id",), ("complaint_id", "seq"))}
APPEND_ONLY_MESSAGE = APPEND_ONLY["step_record"]


def _sqlite_ddl(table: str, message: str) -> list[str]:
    keys = _KEYS.get(table, (("id",),))
    clash = " OR ".join("(" + " AND ".join(f"old.{c} = NEW.{c}" for c in key) + ")" for key in keys)
    raise_ = f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} {raise_}",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {raise_}",
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN EXISTS "
        f"(SELECT 1 FROM {table} AS old WHERE {clash}) {raise_}",
    ]


def _pg_ddl(table: str, message: str) -> list[str]:
    function = f"{table}_append_only"
    return [
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation'; "
        "END $$",
        f"CREATE TRIGGER {function} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def install(connection, tables=tuple(APPEND_ONLY)) -> None:
    """Create the append-only triggers on `tables` (by default all of them)."""
    ddl = _sqlite_ddl if connection.dialect.name == "sqlite" else _pg_ddl
    for table in tables:
        for statement in ddl(table, APPEND_ONLY[table]):
            connection.execute(text(statement))


def uninstall(connection, tables=tuple(APPEND_ONLY)) -> None:
    """Drop what `install` made (and the triggers of migration 0005)."""
    for table in tables:
        if connection.dialect.name == "sqlite":
            for change in ("update", "delete", "replace"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{change}"))
        else:
            function = f"{table}_append_only"
            connection.execute(text(f"DROP TRIGGER IF EXISTS {function} ON {table}"))
            connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"))
            connection.execute(text(f"DROP FUNCTION IF EXISTS {function}()"))


def _register() -> None:
    from models import db

    for table in APPEND_ONLY:

        def after_create(_table, connection, _name=table, **_kw):
            install(connection, (_name,))

        event.listen(db.metadata.tables[table], "after_create", after_create)
