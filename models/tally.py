"""Finished SOP steps counted per office day: what the recap's compliance figures read.

A year of a busy register holds millions of history rows; the recap needs, per SOP step, how
many finished, how many met the time standard, and the median working time used. Those
figures compose from counts per (office day, SOP revision, step, minutes used), so a trigger
in the database keeps such a count with every history row inserted — by the engine, by
seed-bulk, by anything — and the recap reads a few thousand tally rows instead.
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


def _upsert(day: str, minutes: str, met: str) -> str:
    return (
        "INSERT INTO step_tally (day, sop_id, step_no, minutes, finished, met) "
        f"VALUES ({day}, new.sop_id, new.step_no, {minutes}, 1, {met}) "
        "ON CONFLICT (day, sop_id, step_no, minutes) DO UPDATE "
        "SET finished = step_tally.finished + 1, met = step_tally.met + excluded.met"
    )


def install(connection) -> None:
    """Create the counting trigger on step_record (after both tables exist)."""
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
        connection.execute(text(f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON step_record FOR "
                                f"EACH ROW WHEN ({_COUNTED}) EXECUTE FUNCTION {TRIGGER}()"))


def uninstall(connection) -> None:
    connection.execute(text(f"DROP TRIGGER IF EXISTS {TRIGGER}"
                            + ("" if connection.dialect.name == "sqlite" else " ON step_record")))
    if connection.dialect.name != "sqlite":
        connection.execute(text(f"DROP FUNCTION IF EXISTS {TRIGGER}()"))


def rebuild(connection) -> None:
    """Count the history already there from scratch (migration 0004; a check in the tests)."""
    day = (_SQLITE_DAY if connection.dialect.name == "sqlite" else _PG_DAY).format("finished_at")
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
def _after_create(_metadata, connection, tables=(), **_kw):
    names = {t.name for t in tables} if tables else {"step_record", "step_tally"}
    if {"step_record", "step_tally"} <= names:
        install(connection)
