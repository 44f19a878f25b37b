"""Benchmark the notifications: the outbox's cost per action, the sweep at scale, the worker.

    python bench/notifications.py --count 100000 [--database-url postgresql+psycopg://...]
                                  [--schema bench_notif_1m]  (PostgreSQL: keep the data)
    python bench/notifications.py --count 1000000 --database-url sqlite:////tmp/bench-notif-1m.db

1. The outbox: registrations and the Kepala Dinas's *arahan* in a fresh database (the demo
   officials, e-mail configured), each action timed whole and in `announce_stage`.
2. The sweep: in the given database — a throwaway SQLite file or PostgreSQL schema, or the
   given file or kept schema, reused with the complaints it already has — filled by
   `seed-bulk`; the first sweep of an office morning, the steady state a minute apart, the
   next working day's opening, and the plans of the candidate queries.
3. The worker: `deliver()` against an aiosmtpd server on 127.0.0.1, in the fresh database.

Prints the timings; asserts nothing.
"""

import argparse
import hashlib
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as daytime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, inspect, select  # noqa: E402
from sqlalchemy.ext.compiler import compiles  # noqa: E402
from sqlalchemy.sql.expression import ClauseElement, Executable  # noqa: E402

from app import create_app  # noqa: E402
from bench.throwaway import throwaway_database, vacuum  # noqa: E402
from models import (  # noqa: E402
    Channel,
    Complaint,
    Jenis,
    Notice,
    Notification,
    Platform,
    User,
    db,
    workflow,
)
from models import notifications as notifications_module  # noqa: E402
from models.calendar import load_calendar  # noqa: E402
from models.dates import WIB, to_wib  # noqa: E402
from models.delivery import deliver  # noqa: E402
from models.notifications import (  # noqa: E402
    _longest_quarter,
    due_soon_candidates,
    late_candidates,
    notification_settings,
    sweep,
)
from models.sop import PUBLIC  # noqa: E402
from models.types import utcnow  # noqa: E402
from seeds.bulk import seed_bulk  # noqa: E402
from seeds.loader import create_demo_accounts, init_data  # noqa: E402
from tests.fake_servers import smtp_server  # noqa: E402

PASSWORD = "Bench-2026"
WARMUP = 10  # actions run first and not counted: caches of SOPs and forms fill once


# -- measuring ----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]


class Statements:
    """Counts the statements an engine runs; while `recording`, keeps each one's time."""

    def __init__(self, engine):
        self.count = 0
        self.log: list | None = None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, _cursor, _statement, *_args):
        self.count += 1
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, _cursor, statement, parameters, _context, executemany):
        started = conn.info.pop("bench_started", None)
        if self.log is not None and started is not None:
            self.log.append((time.perf_counter() - started, statement, parameters, executemany))

    @contextmanager
    def recording(self):
        self.log = []
        try:
            yield self.log
        finally:
            self.log = None


def brief(statement: str) -> str:
    """A statement on one line, a long SELECT list cut to its count of columns."""
    text_ = " ".join(statement.split())
    if text_.startswith("SELECT "):
        depth = 0
        for i, char in enumerate(text_):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and text_.startswith(" FROM ", i):
                columns = text_[7:i]
                if len(columns) > 60:
                    text_ = f"SELECT <{columns.count(',') + 1} columns>{text_[i:]}"
                break
    return text_


def print_slowest(log: list, top: int = 4) -> None:
    """The statements that took longest in all, grouped by their text."""
    total, calls = defaultdict(float), defaultdict(int)
    for seconds, statement, *_ in log:
        key = brief(statement)
        total[key] += seconds
        calls[key] += 1
    print(f"    {len(log)} statements, {sum(total.values()) * 1000:.0f} ms in the database; "
          "slowest in all:")  # fmt: skip
    for key in sorted(total, key=total.get, reverse=True)[:top]:
        print(f"    {total[key] * 1000:8.1f} ms {calls[key]:5d}×  {key[:150]}")


class Stopwatch:
    """A function wrapped: the time spent in it, its SQL statements and result since `reset`.
    With `flush_first`, the session's pending changes are flushed before the clock starts (the
    caller's own writes, which the function's first query would otherwise autoflush), their
    time kept apart in `flush_seconds`."""

    def __init__(self, function, statements: Statements, flush_first: bool = False):
        self.function, self.statements, self.flush_first = function, statements, flush_first
        self.reset()

    def reset(self) -> None:
        self.seconds, self.flush_seconds, self.sql, self.result = 0.0, 0.0, 0, None

    def __call__(self, *args, **kwargs):
        if self.flush_first:
            t0 = time.perf_counter()
            db.session.flush()
            self.flush_seconds += time.perf_counter() - t0
        before, t0 = self.statements.count, time.perf_counter()
        try:
            self.result = self.function(*args, **kwargs)
            return self.result
        finally:
            self.seconds += time.perf_counter() - t0
            self.sql += self.statements.count - before


@contextmanager
def wrapped(module, name: str, statements: Statements, flush_first: bool = False):
    """Replace `module.name` (a function the code calls by that module-level name) with a
    Stopwatch for the duration."""
    original = getattr(module, name)
    watch = Stopwatch(original, statements, flush_first)
    setattr(module, name, watch)
    try:
        yield watch
    finally:
        setattr(module, name, original)


class Explain(Executable, ClauseElement):
    """EXPLAIN of a statement, its parameters bound as the session binds them."""

    inherit_cache = False

    def __init__(self, statement):
        self.statement = statement


@compiles(Explain)
def _compile_explain(element, compiler, **kw):
    prefix = ("EXPLAIN QUERY PLAN " if compiler.dialect.name == "sqlite"
              else "EXPLAIN (ANALYZE, BUFFERS) ")  # fmt: skip
    return prefix + compiler.process(element.statement, **kw)


def print_plan_rows(rows) -> None:
    if db.engine.dialect.name == "sqlite":
        depth = {0: 0}
        for node, parent, _unused, detail in rows:
            depth[node] = depth.get(parent, 0) + 1
            print(f"    {'  ' * (depth[node] - 1)}{detail}")
    else:
        for (line,) in rows:
            print(f"    {line}")


def print_plan(label: str, statement) -> None:
    rows = db.session.execute(Explain(statement)).all()
    times, found = [], 0
    for _ in range(5):
        t0 = time.perf_counter()
        found = len(db.session.execute(statement).all())
        times.append(time.perf_counter() - t0)
    print(f"  {label}: {found} rows, p50 {statistics.median(times) * 1000:.1f} ms (5 runs)")
    print_plan_rows(rows)
    db.session.rollback()


def print_slowest_plans(log: list, top: int = 2) -> None:
    """The plans of the `top` slowest single SELECTs of `log`, with the parameters they ran
    with."""
    prefix = ("EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite"
              else "EXPLAIN (ANALYZE, BUFFERS) ")  # fmt: skip
    seen = set()
    for seconds, statement, parameters, executemany in sorted(log, key=lambda e: -e[0]):
        if executemany or not statement.lstrip().startswith("SELECT") or statement in seen:
            continue
        seen.add(statement)
        print(f"    plan of a slow SELECT ({seconds * 1000:.1f} ms): {brief(statement)[:300]}")
        print_plan_rows(db.session.connection().exec_driver_sql(prefix + statement, parameters))
        db.session.rollback()
        if len(seen) == top:
            break


# -- databases ----------------------------------------------------------------------------


@contextmanager
def fresh_database(url: str | None):
    """An empty database beside the given one (a SQLite file removed after, or a throwaway
    PostgreSQL schema)."""
    if url is None or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            with throwaway_database(f"sqlite:///{folder}/fresh.db") as config:
                yield config
        return
    with throwaway_database(url) as config:
        yield config


@contextmanager
def main_database(url: str | None, schema: str | None):
    """The database of the sweep: a throwaway one, or the given SQLite file or kept schema."""
    if url is None:
        with fresh_database(None) as config:
            yield config
        return
    with throwaway_database(url, keep=schema) as config:
        yield config


def revision() -> str:
    """The code measured: its commit, and the project files changed since (edits under way)."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "log", "-1", "--format=%h %ad", "--date=iso"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        diff = subprocess.run(
            ["git", "diff", "HEAD"], cwd=root, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    files = [line[3:] for line in changed.splitlines()]
    if not files:
        return head
    return (f"{head}, uncommitted changes in {', '.join(files)} "
            f"(diff sha1 {hashlib.sha1(diff).hexdigest()[:10]})")  # fmt: skip


def make_app(config: dict):
    # E-mail configured: each notice is written for the app and for e-mail, as in an office
    # with a mail server (no message leaves before part 3 starts a server).
    return create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "MAIL_SERVER": "127.0.0.1", "MAIL_TIMEOUT": "5", **config})  # fmt: skip


def prepare() -> None:
    inspector = inspect(db.engine)
    missing = [t for t in db.metadata.sorted_tables if not inspector.has_table(t.name)]
    # All of them, unless reused. Not with none missing: create_all(tables=[]) installs the
    # tallies' triggers again (models/tally._after_create reads [] as every table).
    if missing:
        db.metadata.create_all(db.engine, tables=missing)
    init_data()
    create_demo_accounts(PASSWORD)


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


# -- 1. the outbox's cost per action ------------------------------------------------------


def registration_form(now: datetime) -> dict:
    """As tests/workflow_helpers.registration(): a social-media complaint, 20 minutes old."""
    channel = db.session.scalar(select(Channel).where(Channel.code == "media_sosial"))
    platform = db.session.scalar(select(Platform).where(Platform.code == "instagram"))
    jenis = db.session.scalar(select(Jenis).where(Jenis.code == "pengaduan"))
    return {
        "channel_id": str(channel.id),
        "platform_id": str(platform.id) if channel.needs_platform else "0",
        "lapor_tracking_no": "LPR-2026-000123" if channel.needs_tracking_number else "",
        "jenis_id": str(jenis.id),
        "received_at": to_wib(now - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"),
        "complainant_name": "Budi Santoso",
        "complainant_contact": "0812-3456-7890",
        "complainant_address": "Jl. Majapahit No. 5, Mojokerto",
        "subject": "Izin usaha belum terbit",
        "description": "Permohonan NIB saya sejak dua minggu belum ada kabar.",
    }


def arahan_form() -> dict:
    """As tests/workflow_helpers.FORMS["arahan"]: the Kepala Dinas's disposition to the Kabid."""
    return {"sifat": "Segera", "marks": ["ditindaklanjuti"], "to_user": str(user("kabid").id),
            "instruction": "Segera tindak lanjuti dan jawab pengadu."}  # fmt: skip


def outbox_cost(app, actions: int) -> None:
    with app.app_context():
        prepare()
        statements = Statements(db.engine)
        timings = {"register": [], "advance": []}
        with wrapped(workflow, "announce_stage", statements, flush_first=True) as watch:
            for i in range(WARMUP + actions):
                rows = {}
                for kind in ("register", "advance"):
                    watch.reset()
                    before, t0 = statements.count, time.perf_counter()
                    if kind == "register":
                        form = registration_form(utcnow())
                        complaint_id = workflow.register(user("fo"), form).id
                    else:
                        workflow.advance(complaint_id, user("kadis"), "arahan", arahan_form())
                    total = time.perf_counter() - t0
                    rows[kind] = (total, watch.seconds, statements.count - before, watch.sql,
                                  watch.result, watch.flush_seconds)  # fmt: skip
                if i >= WARMUP:
                    for kind, row in rows.items():
                        timings[kind].append(row)
        print(f"1. Outbox cost per action ({db.engine.dialect.name}, fresh database, {actions} "
              f"of each after {WARMUP} warm-up; e-mail configured)")  # fmt: skip
        print(f"  {'action':32} {'whole p50':>9} {'p95':>6} {'outbox p50':>10} {'p95':>6} "
              f"{'share':>5} {'flush p50':>9} {'rows':>4} {'SQL':>4} "
              f"{'outbox SQL':>10}")  # fmt: skip
        for kind, label in (("register", "register (FO → Kepala Dinas)"),
                            ("advance", "advance arahan (Kadis → Kabid)")):  # fmt: skip
            whole = [r[0] * 1000 for r in timings[kind]]
            outbox = [r[1] * 1000 for r in timings[kind]]
            print(f"  {label:32} {percentile(whole, 0.5):9.2f} {percentile(whole, 0.95):6.2f} "
                  f"{percentile(outbox, 0.5):10.2f} {percentile(outbox, 0.95):6.2f} "
                  f"{percentile(outbox, 0.5) / percentile(whole, 0.5):5.0%} "
                  f"{percentile([r[5] * 1000 for r in timings[kind]], 0.5):9.2f} "
                  f"{statistics.median(r[4] for r in timings[kind]):4.0f} "
                  f"{statistics.median(r[2] for r in timings[kind]):4.0f} "
                  f"{statistics.median(r[3] for r in timings[kind]):10.0f}")  # fmt: skip
        print(
            "  (ms; outbox = inside announce_stage; flush = the action's own changes, flushed\n"
            "  before it (its first query would autoflush them), not counted as outbox; rows =\n"
            "  notifications it wrote; SQL = statements, medians)\n"
            "  target: the outbox adds ≤ 2 ms p50 to an action"
        )
        # Where the outbox's time goes: the statements of one more advance's announce_stage.
        complaint_id = workflow.register(user("fo"), registration_form(utcnow())).id
        with wrapped(workflow, "announce_stage", statements, flush_first=True) as watch:
            inner = watch.function
            log: list = []

            def recorded(*args, **kwargs):
                with statements.recording() as seen:
                    result = inner(*args, **kwargs)
                log.extend(seen)
                return result

            watch.function = recorded
            workflow.advance(complaint_id, user("kadis"), "arahan", arahan_form())
        in_sql = sum(entry[0] for entry in log)
        print(f"  one more advance's announce_stage: {watch.seconds * 1000:.2f} ms, of it "
              f"{in_sql * 1000:.2f} ms in {len(log)} statements:")  # fmt: skip
        for seconds, statement, *_ in log:
            print(f"    {seconds * 1000:6.2f} ms  {brief(statement)[:140]}")
        db.session.remove()


# -- 2. the sweep at scale ----------------------------------------------------------------


def office_morning(calendar, after: datetime) -> datetime:
    """The first 10:00 WIB of a working day at or after `after`."""
    day = to_wib(after).date()
    while True:
        moment = datetime.combine(day, daytime(10), WIB)
        if moment >= after and calendar.is_open(moment):
            return moment
        day += timedelta(days=1)


def timed_sweep(now: datetime, statements: Statements, slowest: bool = False):
    with wrapped(notifications_module, "_digests", statements) as digests:
        with statements.recording() as log:
            t0 = time.perf_counter()
            result = sweep(now)
            seconds = time.perf_counter() - t0
    line = (f"{seconds * 1000:8.0f} ms  due soon {result.due_soon}, late {result.late}, "
            f"digests {result.digests}, notifications {result.notifications}; "
            f"digests part {digests.seconds * 1000:.0f} ms, {len(log)} SQL")  # fmt: skip
    if not result.ran:
        line += f" (not run: {result.reason})"
    return seconds, line, log if slowest else None, result


def sweep_at_scale(app, count: int, repeat: int) -> None:
    with app.app_context():
        prepare()
        dialect = db.engine.dialect.name
        have = db.session.scalar(select(func.count(Complaint.id)))
        t0 = time.perf_counter()
        if have < count:
            seed_bulk(count - have, echo=lambda line: None)
        fill = time.perf_counter() - t0
        vacuum(db.engine, ("complaint", "notice", "notification"))
        statements = Statements(db.engine)
        total = db.session.scalar(select(func.count(Complaint.id)))
        open_stages = db.session.scalar(
            select(func.count(Complaint.id)).where(Complaint.status == "in_progress"))  # fmt: skip
        running = db.session.scalar(select(func.count(Complaint.id)).where(
            Complaint.status == "in_progress", Complaint.paused_at.is_(None),
            Complaint.current_actor != PUBLIC))  # fmt: skip
        calendar = load_calendar()
        newest = db.session.scalar(select(func.max(Complaint.step_started_at)))
        now = office_morning(calendar, newest)
        swept = db.session.scalar(select(func.max(Notice.day)).where(Notice.event != "arrived"))
        note = ""
        if swept is not None and swept >= to_wib(now).date():  # a reused database
            now = office_morning(calendar, datetime.combine(swept + timedelta(days=1),
                                                            daytime.min, WIB))  # fmt: skip
            note = (
                f" (swept by an earlier run up to {swept}: this run sweeps a later day, "
                "the first sweep finds fewer stages)"
            )
        reused = f"reused {have}" if have >= count else f"seed-bulk {fill:.0f} s"
        print(f"\n2. The sweep at scale ({dialect}, {total} complaints, {reused})")
        print(f"  open stages (status='in_progress'): {open_stages}; of an official, clock "
              f"running: {running}")  # fmt: skip
        print(f"  newest step started {to_wib(newest):%a %Y-%m-%d %H:%M} WIB; "
              f"now = {to_wib(now):%a %Y-%m-%d %H:%M} WIB{note}")  # fmt: skip
        seconds, line, log, _ = timed_sweep(now, statements, slowest=True)
        print(f"  first sweep        {line}")
        print_slowest(log)
        steady, written = [], 0
        for minute in range(1, repeat + 1):
            seconds, line, _, result = timed_sweep(now + timedelta(minutes=minute), statements)
            steady.append(seconds * 1000)
            written += result.notifications
            if minute == 1:
                print(f"  steady, +1 min     {line}")
        with statements.recording() as log:
            sweep(now + timedelta(minutes=repeat + 1))
        print(f"  steady state, {repeat} runs at +1…+{repeat} min: p50 "
              f"{statistics.median(steady):.1f} ms, max {max(steady):.1f} ms; they wrote "
              f"{written} notifications in all")  # fmt: skip
        print_slowest(log, top=3)
        # The plans at the steady state: what every minute's sweep reads.
        day = to_wib(now).date()
        limit = notification_settings().late_repeat_limit
        upper = calendar.add_minutes(now, _longest_quarter(calendar))
        lower = datetime.combine(calendar.working_day_before(day, limit), daytime.min, WIB)
        print(f"  plans at now+{repeat + 1} min (upper = now + longest last quarter = "
              f"{to_wib(upper):%a %d %H:%M}, lower = {to_wib(lower):%a %d %H:%M} WIB, "
              f"limit {limit}):")  # fmt: skip
        moment = now + timedelta(minutes=repeat + 1)
        print_plan("due_soon_candidates(now, upper)", due_soon_candidates(moment, upper))
        print_plan("late_candidates(now, lower, day, limit)",
                   late_candidates(moment, lower, day, limit))  # fmt: skip
        next_day = to_wib(calendar.add_working_days(now, 1)).date()
        morning = calendar.periods(next_day)[0][0] + timedelta(minutes=1)
        seconds, line, log, _ = timed_sweep(morning, statements, slowest=True)
        print(f"  next working day {to_wib(morning):%a %H:%M}  {line}")
        print_slowest(log)
        print_slowest_plans(log)
        seconds, line, _, _ = timed_sweep(morning + timedelta(minutes=1), statements)
        print(f"  … a minute later   {line}")
        print("  target: ≤ 1 s per run, by index, not a scan")
        db.session.remove()
        db.engine.dispose()


# -- 3. the worker ------------------------------------------------------------------------


def pending_email() -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.status == "pending", Notification.channel == "email"))  # fmt: skip


def drain(mailbox) -> tuple[float, int, object]:
    """deliver() until no e-mail is pending; (seconds, messages received, last result)."""
    received = len(mailbox.received)
    t0 = time.perf_counter()
    result = deliver()
    while pending_email():
        result = deliver()
    seconds = time.perf_counter() - t0
    db.session.rollback()
    return seconds, len(mailbox.received) - received, result


def claim_statement(now: datetime):
    """The query of models/delivery.claim: the next due message, locked."""
    return (
        select(Notification)
        .where(Notification.status == "pending", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def queue_emails(messages: int, spread: bool) -> tuple[list[int], int, int]:
    """`messages` pending e-mails, one notice each, to the officials in turn, due a minute ago
    — all at one moment (as one sweep or one action writes them) or, with `spread`, each a
    millisecond after the one before. (notice ids, body length, officials)."""
    sample = db.session.scalar(
        select(Notification).where(Notification.channel == "email").limit(1))  # fmt: skip
    officials = list(db.session.scalars(
        select(User).where(User.active.is_(True), User.email.is_not(None))
        .order_by(User.id)))  # fmt: skip
    now = utcnow()
    notice_ids = db.session.scalars(
        insert(Notice).returning(Notice.id, sort_by_parameter_order=True),
        [dict(key=f"bench-deliver:{now:%Y%m%dT%H%M%S%f}:{i}", event="arrived",
              day=to_wib(now).date(), created_at=now, complaint_id=sample.complaint_id,
              step_no=sample.notice.step_no, stage_started_at=sample.notice.stage_started_at)
         for i in range(messages)],
    ).all()  # fmt: skip
    due = now - timedelta(minutes=1)
    rows = []
    for i, notice_id in enumerate(notice_ids):
        official = officials[i % len(officials)]
        rows.append(dict(notice_id=notice_id, recipient_id=official.id, channel="email",
                         address=official.email, event="arrived",
                         complaint_id=sample.complaint_id, subject=sample.subject,
                         body=sample.body, status="pending", attempts=0,
                         next_attempt_at=due + timedelta(milliseconds=i if spread else 0),
                         created_at=now))  # fmt: skip
    db.session.execute(insert(Notification), rows)
    db.session.commit()
    return notice_ids, len(sample.body), len(officials)


def worker_throughput(app, messages: int) -> None:
    with smtp_server() as (mailbox, port), app.app_context():
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", str(port)
        dialect = db.engine.dialect.name
        print(f"\n3. The worker against aiosmtpd on 127.0.0.1:{port} ({dialect}, in-process)")
        waiting = pending_email()
        seconds, received, result = drain(mailbox)
        print(f"  the outbox of part 1's actions: {waiting} e-mails in {seconds:.2f} s, "
              f"{waiting / seconds:.0f} msg/s; mailbox received {received}")  # fmt: skip
        for spread in (False, True):
            notice_ids, body, officials = queue_emails(messages, spread)
            if not spread:
                print_plan(f"claim's query, {messages} pending due at one moment",
                           claim_statement(utcnow()))  # fmt: skip
            mailbox.received.clear()
            seconds, received, result = drain(mailbox)
            sent = db.session.scalar(select(func.count(Notification.id)).where(
                Notification.notice_id.in_(notice_ids[:1] + notice_ids[-1:]),
                Notification.status == "sent"))  # fmt: skip
            when = "each due a millisecond apart" if spread else "all due at one moment"
            print(f"  {messages} pending e-mails, {when} ({body}-character body, one notice "
                  f"each, to {officials} officials): {seconds:.2f} s, "
                  f"{messages / seconds:.0f} msg/s, "
                  f"{seconds / messages * 1000:.2f} ms each")  # fmt: skip
            print(f"    mailbox received {received} (expected {messages}: "
                  f"{'exactly' if received == messages else 'NOT'}); still pending "
                  f"{pending_email()}; first and last marked sent: {sent}/2")  # fmt: skip
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--actions", type=int, default=300, help="registrations and advances")
    parser.add_argument("--sweeps", type=int, default=15, help="steady-state sweeps")
    parser.add_argument("--messages", type=int, default=2000, help="e-mails for the worker")
    parser.add_argument("--database-url")
    parser.add_argument(
        "--schema",
        help="PostgreSQL: a schema kept after the run and reused "
        "by the next (seeded once; a million complaints take minutes)",
    )
    args = parser.parse_args()
    print(f"code: {revision()}\n")
    with fresh_database(args.database_url) as fresh, \
            main_database(args.database_url, args.schema) as scaled:  # fmt: skip
        small = make_app(fresh)
        outbox_cost(small, args.actions)
        sweep_at_scale(make_app(scaled), args.count, args.sweeps)
        worker_throughput(small, args.messages)


if __name__ == "__main__":
    main()
