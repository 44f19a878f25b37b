"""Counts per office day that the recap reads instead of millions of rows.

- `StepTally`: finished SOP steps per (office day, SOP revision, step, minutes used). The
  recap needs, per step, how many finished, how many met the time standard and the median
  working time; those compose from these counts.
- `DayTally`: complaints received and closed per office day. What was open at a moment is
  what came in before it less what closed before it.

Triggers in the database keep both with every row written — by the engine, by seed-bulk, by
anything — and `rebuild` counts from scratch (migrations; a check in the tests).
"""

from datetime import date

from sqlalchemy import Date, ForeignKey, event, text
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.sop import PUBLIC

UNKNOWN_MINUTES = -1  # a step finished without a measured time (kept out of the median)
TRIGGER = "step_tally_count"

# Which history rows count: a finished numbered SOP step done by an official.
_COUNTED = f"new.phase = 'in_progress' AND new.step_no IS NOT NULL AND new.actor_role <> '{PUBLIC}'"
_SQLITE_DAY = "date({}, '+7 hours')"  # the office (WIB, UTC+7, no daylight saving) day
_PG_DAY = "(({} AT TIME ZONE 'Asia/Jakarta')::date)"


class StepTally(db.Model):
    """How many steps finished on an office day, per SOP revision, step and minutes used."""

    __tablename__ = "step_tally"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    sop_id: Mapped[int] = mapped_column(ForeignKey("sop.id"), primary_key=True)
    step_no: Mapped[int] = mapped_column(primary_key=True)
    minutes: Mapped[int] = mapped_column(primary_key=True)  # working minutes used, or -1
    finished: Mapped[int] = mapped_column(default=0)
    met: Mapped[int] = mapped_column(default=0)  # of which within the time standard


class DayTally(db.Model):
    """Complaints received and closed on an office day."""

    __tablename__ = "day_tally"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    received: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)


DAY_TRIGGERS = ("day_tally_insert", "day_tally_update", "day_tally_delete")


def _day_upsert(day: str, received: str, closed: str, when: str = "") -> str:
    where = f" WHERE {when}" if when else " WHERE 1 = 1"
    return (
        f"INSERT INTO day_tally (day, received, closed) SELECT {day}, {received}, {closed}"
        f"{where} ON CONFLICT (day) DO UPDATE SET received = day_tally.received + "
        "excluded.received, closed = day_tally.closed + excluded.closed"
    )


def _install_day_tally(connection) -> None:
    if connection.dialect.name == "sqlite":

        def day(moment):
            return _SQLITE_DAY.format(moment)

        statements = {
            "insert": "AFTER INSERT ON complaint BEGIN "
            f"{_day_upsert(day('new.received_at'), '1', '0')}; "
            f"{_day_upsert(day('new.closed_at'), '0', '1', 'new.closed_at IS NOT NULL')}; END",
            "update": "AFTER UPDATE OF received_at, closed_at ON complaint BEGIN "
            f"{_day_upsert(day('old.received_at'), '-1', '0')}; "
            f"{_day_upsert(day('new.received_at'), '1', '0')}; "
            f"{_day_upsert(day('old.closed_at'), '0', '-1', 'old.closed_at IS NOT NULL')}; "
            f"{_day_upsert(day('new.closed_at'), '0', '1', 'new.closed_at IS NOT NULL')}; END",
            "delete": "AFTER DELETE ON complaint BEGIN "
            f"{_day_upsert(day('old.received_at'), '-1', '0')}; "
            f"{_day_upsert(day('old.closed_at'), '0', '-1', 'old.closed_at IS NOT NULL')}; END",
        }  # fmt: skip
        for kind, body in statements.items():
            connection.execute(text(f"CREATE TRIGGER day_tally_{kind} {body}"))
        return

    def day(moment):
        return _PG_DAY.format(moment)

    connection.execute(text(
        "CREATE FUNCTION day_tally_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        f"{_day_upsert(day('OLD.received_at'), '-1', '0')}; "
        f"{_day_upsert(day('OLD.closed_at'), '0', '-1', 'OLD.closed_at IS NOT NULL')}; "
        "END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        f"{_day_upsert(day('NEW.received_at'), '1', '0')}; "
        f"{_day_upsert(day('NEW.closed_at'), '0', '1', 'NEW.closed_at IS NOT NULL')}; "
        "END IF; RETURN NULL; END $$"
    ))  # fmt: skip
    connection.execute(text(
        "CREATE TRIGGER day_tally_count AFTER INSERT OR DELETE OR UPDATE OF received_at, "
        "closed_at ON complaint FOR EACH ROW EXECUTE FUNCTION day_tally_count()"
    ))  # fmt: skip


def _upsert(day: str, minutes: str, met: str) -> str:
    return (
        "INSERT INTO step_tally (day, sop_id, step_no, minutes, finished, met) "
        f"VALUES ({day}, new.sop_id, new.step_no, {minutes}, 1, {met}) "
        "ON CONFLICT (day, sop_id, step_no, minutes) DO UPDATE "
        "SET finished = step_tally.finished + 1, met = step_tally.met + excluded.met"
    )


def install(connection) -> None:
    """Create the counting triggers (after the tables exist)."""
    _install_day_tally(connection)
    minutes = f"coalesce(new.working_minutes, {UNKNOWN_MINUTES})"
    if connection.dialect.name == "sqlite":
        upsert = _upsert(_SQLITE_DAY.format("new.finished_at"), minutes,
                         "coalesce(new.met_standard, 0)")  # fmt: skip
        connection.execute(text(f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON step_record "
                                f"WHEN {_COUNTED} BEGIN {upsert}; END"))  # fmt: skip
    else:
        upsert = _upsert(_PG_DAY.format("new.finished_at"), minutes,
                         "CASE WHEN new.met_standard THEN 1 ELSE 0 END")  # fmt: skip
        connection.execute(text(f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql "
                                f"AS $$ BEGIN {upsert}; RETURN NULL; END $$"))  # fmt: skip
        connection.execute(
            text(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON step_record FOR "
                f"EACH ROW WHEN ({_COUNTED}) EXECUTE FUNCTION {TRIGGER}()"
            )
        )


def uninstall(connection) -> None:
    """Drop the counting triggers (before a bulk load; migration downgrade)."""
    if connection.dialect.name == "sqlite":
        for name in (TRIGGER, *DAY_TRIGGERS):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        return
    connection.execute(text(f"DROP TRIGGER IF EXISTS {TRIGGER} ON step_record"))
    connection.execute(text(f"DROP FUNCTION IF EXISTS {TRIGGER}()"))
    connection.execute(text("DROP TRIGGER IF EXISTS day_tally_count ON complaint"))
    connection.execute(text("DROP FUNCTION IF EXISTS day_tally_count()"))


def rebuild(connection) -> None:
    """Count what is already there from scratch (migrations; seed-bulk; a check in tests)."""
    day_of = _SQLITE_DAY if connection.dialect.name == "sqlite" else _PG_DAY
    connection.execute(text("DELETE FROM day_tally"))
    connection.execute(text(
        "INSERT INTO day_tally (day, received, closed) SELECT day, sum(r), sum(c) FROM ("
        f"SELECT {day_of.format('received_at')} AS day, 1 AS r, 0 AS c FROM complaint "
        f"UNION ALL SELECT {day_of.format('closed_at')}, 0, 1 FROM complaint "
        "WHERE closed_at IS NOT NULL) AS moments GROUP BY day"
    ))  # fmt: skip
    day = day_of.format("finished_at")
    counted = _COUNTED.replace("new.", "")
    connection.execute(text("DELETE FROM step_tally"))
    connection.execute(text(
        "INSERT INTO step_tally (day, sop_id, step_no, minutes, finished, met) "
        f"SELECT {day}, sop_id, step_no, coalesce(working_minutes, {UNKNOWN_MINUTES}), count(*), "
        "sum(CASE WHEN met_standard THEN 1 ELSE 0 END) "
        f"FROM step_record WHERE {counted} "
        f"GROUP BY {day}, sop_id, step_no, coalesce(working_minutes, {UNKNOWN_MINUTES})"
    ))  # fmt: skip


@event.listens_for(db.metadata, "after_create")
def _after_create(_metadata, connection, tables=None, **_kw):
    # (`create_all(tables=[])`, nothing created, must not install the triggers a second time)
    names = (
        {t.name for t in tables}
        if tables is not None
        else {"step_record", "step_tally", "day_tally"}
    )
    if {"step_record", "step_tally", "day_tally"} <= names:
        install(connection)
