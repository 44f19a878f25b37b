"""The logs are append-only in the database itself: the history of steps, the reveals of
identities, the history of administration, the login attempts and the notifications handed
over refuse every way of rewriting them — UPDATE, DELETE, an upsert that updates, SQLite's
REPLACE (which deletes without a delete trigger) and PostgreSQL's TRUNCATE (which row
triggers do not see), also cascaded — typed at a console by someone who has the database's
password."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from models import Delivery, Notification, db
from models.identity import reveal
from models.integrity import APPEND_ONLY
from tests.workflow_helpers import register_complaint, user

# Each log's columns a forged row needs (besides id), as SQL values.
ROWS = {
    "step_record": {"complaint_id": None, "seq": "1", "sop_id": None, "phase": "'in_progress'",
                    "outcome": "'palsu'", "outcome_label": "'dipalsukan'",
                    "actor_role": "'fo'", "started_at": "'2026-01-01 00:00:00'",
                    "finished_at": "'2026-01-01 00:00:00'", "note": "''", "data": "'{}'"},
    "identity_reveal": {"complaint_id": None, "user_id": None, "at": "'2026-01-01 00:00:00'",
                        "reason": "'dipalsukan'"},
    "admin_change": {"at": "'2026-01-01 00:00:00'", "actor_name": "'dipalsukan'",
                     "action": "'update'", "table": "'user'", "row_key": "'1'",
                     "summary": "'dipalsukan'", "changes": "'{}'"},
    "login_attempt": {"username": "'dipalsukan'", "address": "'-'",
                      "at": "'2026-01-01 00:00:00'", "succeeded": "true"},
    "notification_delivery": {"notification_id": None, "at": "'2026-01-01 00:00:00'",
                              "recipient_id": None, "channel": "'email'",
                              "address": "'palsu@example.org'", "subject": "'dipalsukan'",
                              "attempt": "1", "ok": "true"},
}  # fmt: skip
# The column each test changes, and its first column to compare before and after.
CHANGED = {"step_record": "outcome_label", "identity_reveal": "reason",
           "admin_change": "summary", "login_attempt": "username",
           "notification_delivery": "subject"}  # fmt: skip


@pytest.fixture
def logs(app, client, auth):
    """One row at least in every log; returns the forged-row values that need ids."""
    auth.login("kadis")  # a login attempt
    with app.app_context():
        complaint = register_complaint("kantor", is_anonymous="y")  # history, a notification
        reveal(complaint, user("kadis"), "Perlu menghubungi pengadu untuk klarifikasi.")
        official = user("fo")
        official.position = "Petugas Front Office Utama"  # the history of administration
        db.session.commit()
        sop_id = complaint.sop_id
        sent = db.session.scalar(select(Notification))  # handed over, as the worker records it
        db.session.add(Delivery(notification_id=sent.id, recipient_id=sent.recipient_id,
                                channel="email", address="kadis@dpmptsp.example",
                                subject=sent.subject, attempt=1, ok=True))  # fmt: skip
        db.session.commit()
        notification = sent.id
        return {
            "complaint_id": complaint.id,
            "sop_id": sop_id,
            "user_id": official.id,
            "notification_id": notification,
            "recipient_id": official.id,
        }


def _state(table):
    column = CHANGED[table]
    return db.session.execute(text(f'SELECT id, "{column}" FROM "{table}" ORDER BY id')).all()


def _forged(table, ids, row_id, **override):
    values = {"id": str(row_id), **{k: str(ids[k]) if v is None else v
                                    for k, v in ROWS[table].items()}, **override}  # fmt: skip
    if db.engine.dialect.name == "sqlite":
        values = {k: v.replace("true", "1") for k, v in values.items()}
    names = ", ".join(f'"{k}"' for k in values)
    return names, ", ".join(values.values())


def _ways_in(table, ids, dialect) -> dict[str, str]:
    first = db.session.execute(text(f'SELECT min(id) FROM "{table}"')).scalar_one()
    names, values = _forged(table, ids, first)
    column = CHANGED[table]
    ways = {
        "update": f"UPDATE \"{table}\" SET \"{column}\" = 'dipalsukan'",
        "delete": f'DELETE FROM "{table}"',
        "upsert": f'INSERT INTO "{table}" ({names}) VALUES ({values}) ON CONFLICT (id) '
                  f"DO UPDATE SET \"{column}\" = 'dipalsukan'",
    }  # fmt: skip
    if dialect == "sqlite":
        ways["insert or replace"] = f'INSERT OR REPLACE INTO "{table}" ({names}) VALUES ({values})'
        ways["replace"] = f'REPLACE INTO "{table}" ({names}) VALUES ({values})'
        if table == "step_record":  # a new id, but the step sequence of an existing row
            names, values = _forged(table, ids, 999_999)
            ways["replace on (complaint, seq)"] = (
                f'INSERT OR REPLACE INTO "{table}" ({names}) VALUES ({values})'
            )
    else:
        ways["truncate"] = f'TRUNCATE "{table}"'
        ways["truncate cascaded"] = f'TRUNCATE "{table}" CASCADE'
        if table == "step_record":
            ways["truncate of the complaints, cascading"] = "TRUNCATE complaint CASCADE"
    return ways


@pytest.mark.parametrize("table", sorted(APPEND_ONLY))
def test_no_statement_rewrites_an_append_only_log(app, logs, table):
    with app.app_context():
        before = _state(table)
        assert before, f"{table} has rows to protect"
        dialect = db.engine.dialect.name
        tried = []
        for way, statement in _ways_in(table, logs, dialect).items():
            with pytest.raises(DatabaseError) as refused:
                db.session.execute(text(statement))
            message = str(refused.value)
            # (a plain TRUNCATE of a table others refer to stops at their foreign keys first;
            # a cascade reaches several logs, and whichever comes first refuses)
            refusals = APPEND_ONLY.values() if "cascading" in way else [APPEND_ONLY[table]]
            assert any(refusal in message for refusal in refusals) or (
                way == "truncate" and "foreign key" in message
            ), way
            db.session.rollback()
            assert _state(table) == before, way
            tried.append(way)
        assert {"update", "delete", "upsert"} < set(tried)
        assert ("replace" if dialect == "sqlite" else "truncate") in tried


@pytest.mark.parametrize("table", sorted(APPEND_ONLY))
def test_an_append_only_log_still_takes_new_rows(app, logs, table):
    with app.app_context():
        before = _state(table)
        new_seq = {"seq": "99"} if table == "step_record" else {}  # the complaint's next step
        names, values = _forged(table, logs, 999_999, **new_seq)
        db.session.execute(text(f'INSERT INTO "{table}" ({names}) VALUES ({values})'))
        db.session.commit()
        assert len(_state(table)) == len(before) + 1


def test_tables_created_from_a_list_get_the_confidential_readers_kept(empty_app):
    """`create_all(tables=…)` (bench/scale.py on a fresh database) may create
    confidential_reader before step_record; its triggers still land: the officials who acted
    on a confidential complaint are its readers."""
    from models.identity import ConfidentialReader
    from seeds.loader import create_demo_accounts, init_data
    from tests.conftest import PASSWORD
    from tests.workflow_helpers import act, uid

    with empty_app.app_context():
        db.metadata.create_all(db.engine, tables=list(db.metadata.sorted_tables))
        init_data()
        create_demo_accounts(PASSWORD)
        complaint = register_complaint("kantor", is_confidential=True)
        act(complaint, "kadis", "arahan")
        readers = set(db.session.execute(select(ConfidentialReader.user_id)
                                          .where(ConfidentialReader.complaint_id == complaint.id)
                                          ).scalars())  # fmt: skip
        assert readers == {uid("fo"), uid("kadis")}


def test_creating_no_tables_on_a_built_database_installs_nothing_again(app):
    """`create_all(tables=[])` (a benchmark reusing its database) creates nothing, and so
    installs no trigger a second time (the tallies' triggers once failed as existing)."""
    with app.app_context():
        db.metadata.create_all(db.engine, tables=[])
        complaint = register_complaint("kantor")
        assert complaint.id is not None
