"""Many realistic complaints with their histories, inserted in bulk for scale tests.

Complaints follow the demo paths of their SOP (seeds/demo_complaints.py) to a random depth,
with working-time gaps, received over the last three years. Rows go in with executemany in
chunks, bypassing the engine: this is test data, and the engine's per-action checks would
take hours at a million complaints. Registration numbers continue each year's counter.

Rows reach the driver as tuples (PostgreSQL: COPY; SQLite: executemany), in the forms
SQLAlchemy itself would store, so that a million complaints take minutes, not a quarter hour.
"""

import random
from bisect import bisect_right
from datetime import UTC, timedelta

from sqlalchemy import func, select, text

from models import (
    Channel,
    Complaint,
    Jenis,
    NumberSequence,
    Platform,
    Sop,
    StepRecord,
    User,
    db,
    identity,
    search,
    tally,
)
from models.calendar import load_calendar
from models.dates import to_wib
from models.settings import agency_settings
from models.sop import PUBLIC
from models.types import utcnow
from models.workflow import due_moments
from seeds.demo_complaints import CHANNELS, KELURAHAN, NAMES, PATHS, TOPICS

CHUNK = 5000
RECENT_MINUTES = 22 * 510  # about a month of working time


class Timeline:
    """Working minutes since `start` mapped to moments and back, by bisection (microseconds,
    where the calendar's own walk takes a fraction of a millisecond per call)."""

    def __init__(self, calendar, start, end):
        self.starts, self.ends, self.cumulative = [], [], []
        total = 0
        day = to_wib(start).date()
        while day <= to_wib(end).date():
            for a, b in calendar.periods(day):
                self.starts.append(a)
                self.ends.append(b)
                self.cumulative.append(total)
                total += int((b - a).total_seconds() // 60)
            day += timedelta(days=1)
        self.total = total

    def moment(self, offset: int):
        i = bisect_right(self.cumulative, offset) - 1
        return (self.starts[i] + timedelta(minutes=offset - self.cumulative[i])).astimezone(UTC)


def _plans(sop):
    """For each depth of the SOP's demo path: the records written and where it then stands."""
    steps = {s.no: s for s in sop.steps}
    outcomes = {(s.no, o.code): o for s in sop.steps for o in s.outcomes}
    plans = []
    for depth in range(len(PATHS[sop.code]) + 1):
        stage, records = 3, [(1, "diajukan", "masyarakat"), (2, "diregistrasi", "fo")]
        status, last = "in_progress", "diregistrasi"
        for _user, code in PATHS[sop.code][:depth]:
            records.append((stage, code, steps[stage].actor))
            o = outcomes[(stage, code)]
            last = code
            if o.next_step_no is None:
                status = "closed"
                break
            stage = o.next_step_no
        plans.append((records, status, stage if status == "in_progress" else None, last))
    return plans, steps, outcomes


def seed_bulk(count: int, seed: int = 7, echo=print) -> int:
    """Insert `count` complaints with histories; return how many step records were written."""
    rnd = random.Random(seed)
    calendar = load_calendar()
    settings = agency_settings()
    users = {u.role: u for u in db.session.scalars(select(User).order_by(User.id))}
    channels = {c.code: c for c in db.session.scalars(select(Channel))}
    platforms = [p.id for p in db.session.scalars(select(Platform))]
    jenis = [j.id for j in db.session.scalars(select(Jenis))]
    sops = {}
    for sop in db.session.scalars(select(Sop).where(Sop.revision == 1)):
        sops[sop.code] = (sop, *_plans(sop))
    labels = {code: o.label for _sop, _plans_, _steps, outcomes in sops.values()
              for (_no, code), o in outcomes.items()}  # fmt: skip
    counters = {}
    now = utcnow()
    timeline = Timeline(calendar, now - timedelta(days=3 * 365 + 5), now)
    recent = timeline.total - RECENT_MINUTES
    records_written = 0
    stamp = _stamper(db.session.get_bind().dialect.name == "sqlite")
    next_id = (db.session.scalar(select(func.max(Complaint.id))) or 0) + 1
    complaints, records = [], []
    # Search words and the step tally are made in one statement each at the end, not by a
    # trigger per row (at a million complaints: minutes saved).
    connection = db.session.connection()
    search.pause_indexing(connection)
    tally.uninstall(connection)
    identity.uninstall(connection)
    try:
        for i in range(count):
            cid = next_id + i
            channel = channels[CHANNELS[rnd.randrange(len(CHANNELS))]]
            sop, plans, steps, _outcomes = sops[channel.sop_code]
            # Complaints of the last month stand at every step; older ones are closed, but for a
            # few left behind (a backlog), as in an office that keeps up with its work.
            offset = rnd.randint(0, timeline.total - 1)
            in_flight = rnd.random() < (0.6 if offset >= recent else 0.03)
            plan = plans[rnd.randrange(len(plans)) if in_flight else -1]
            steps_done, status, step_no, last = plan
            gaps = [0 if actor == PUBLIC else rnd.choice((10, 20, 30, 45, 60, 90, 200, 600))
                    for _no, _code, actor in steps_done]  # fmt: skip
            offset = min(offset, timeline.total - sum(gaps) - 1)
            received = timeline.moment(offset)
            year = to_wib(received).year
            if year not in counters:
                counters[year] = _last(year)
            counters[year] = seq = counters[year] + 1
            when = received
            for n, ((no, code, actor), minutes) in enumerate(zip(steps_done, gaps, strict=True), 1):
                started = when
                offset += minutes
                when = timeline.moment(offset)
                phase = "in_progress"
                step = steps[no]
                standard = (step.time_minutes or step.time_working_days * 510) if step else None
                records.append(dict(
                    complaint_id=cid, seq=n, sop_id=sop.id, step_no=no,
                    phase=phase, outcome=code, outcome_label=labels[code],
                    actor_id=None if actor == PUBLIC else users[actor].id, actor_role=actor,
                    started_at=stamp(started), finished_at=stamp(when), note="", data="{}",
                    working_minutes=minutes,
                    met_standard=(minutes <= standard) if standard is not None else None,
                ))  # fmt: skip
            due = soon = None
            if status == "in_progress":
                step = steps[step_no]
                if step.time_minutes is not None:
                    due = timeline.moment(offset + step.time_minutes)
                    soon = timeline.moment(offset + (step.time_minutes * 3 + 3) // 4)
                else:
                    due, soon = due_moments(when, step, calendar)
            actor = steps[step_no].actor if step_no else None
            anonymous = rnd.random() < 0.05
            topic = TOPICS[rnd.randrange(len(TOPICS))]
            complaints.append(dict(
                id=cid, reg_year=year, reg_seq=seq,
                reg_number=settings.registration_number_pattern.format(
                    seq=seq, year=year, unit_code=settings.unit_code),
                channel_id=channel.id, platform_id=rnd.choice(platforms) if channel.needs_platform
                else None, jenis_id=rnd.choice(jenis),
                lapor_tracking_no=f"LPR-{year}-{seq}" if channel.needs_tracking_number else None,
                received_at=stamp(received),
                complainant_name="Anonim" if anonymous else
                f"{NAMES[rnd.randrange(len(NAMES))]} {rnd.randint(1, 999)}",
                complainant_contact=f"08{rnd.randint(1000000000, 9999999999)}",
                complainant_address=f"Kel. {KELURAHAN[rnd.randrange(len(KELURAHAN))]}, Mojokerto",
                is_anonymous=anonymous, is_confidential=rnd.random() < 0.02,
                subject=topic[0], description=topic[1], sop_id=sop.id, status=status,
                current_step_no=step_no, current_actor=actor,
                current_co_actor=steps[step_no].co_actor if step_no else None,
                last_outcome=last, step_started_at=stamp(when), due_at=stamp(due),
                due_soon_at=stamp(soon),
                registered_by_id=users["fo"].id, created_at=stamp(received),
                closed_at=stamp(when) if status == "closed" else None, version=1, paused_minutes=0,
            ))  # fmt: skip
            if len(complaints) >= CHUNK:
                records_written += _flush(complaints, records)
                echo(f"  {i + 1} pengaduan")
        records_written += _flush(complaints, records)
    finally:
        db.session.rollback()  # a chunk that failed half-way; the others are committed
        connection = db.session.connection()
        search.resume_indexing(connection, next_id)
        tally.install(connection)
        tally.rebuild(connection)
        identity.install(connection)
        identity.rebuild(connection)
        if connection.dialect.name == "postgresql":  # the planner's figures of the new rows
            for table in ("complaint", "step_record", "step_tally", "confidential_reader"):
                connection.execute(text(f"ANALYZE {table}"))
        db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":  # ids were given explicitly
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('complaint', 'id'), "
                                 "(SELECT max(id) FROM complaint))"))  # fmt: skip
    for year, last_value in counters.items():
        row = db.session.get(NumberSequence, ("registrasi", year))
        if row is None:
            db.session.add(NumberSequence(name="registrasi", year=year, last_value=last_value))
        else:
            row.last_value = last_value
    db.session.commit()
    return records_written


def _last(year: int) -> int:
    row = db.session.get(NumberSequence, ("registrasi", year))
    return row.last_value if row else 0


def _stamper(sqlite: bool):
    """Moments as the driver takes them: SQLite keeps naive UTC text, as SQLAlchemy writes it."""
    if not sqlite:
        return lambda moment: moment

    def stamp(moment):
        if moment is None:
            return None
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    return stamp


def _write(table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys in the same order) into `table`."""
    columns = list(rows[0])
    cursor = db.session.connection().connection.cursor()
    try:
        if db.session.get_bind().dialect.name == "sqlite":
            cursor.executemany(
                f"INSERT INTO {table.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                [tuple(row.values()) for row in rows],
            )
        else:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(row.values()))
    finally:
        cursor.close()


def _flush(complaints, records) -> int:
    written = len(records)
    if complaints:
        _write(Complaint.__table__, complaints)
        _write(StepRecord.__table__, records)
        db.session.commit()
    complaints.clear()
    records.clear()
    return written
