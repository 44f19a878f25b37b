"""Benchmark the duplicate check: `models.duplicates.similar` over a register of a million.

    python bench/duplicates.py  (the file /tmp/bench-public-1m.db, made by bench/public_pages.py)
    python bench/duplicates.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
                               --schema bench_public_1m  (the kept schema of bench/public_pages.py)

The database is reused as it is (bench/public_pages.py fills it; nothing is seeded here), with
the index of the LAPOR! Tracking ID made when missing (ANALYZE after on PostgreSQL). `now` is
the latest moment a complaint was received, so that the 60-day window holds as many
complaints as a live register would. The inputs come from the data itself: random complaints
of the window, as if each came again (so that it is the duplicate to find):

1. its subject (the full-text query; every complaint of that subject in the window matches),
2. its contact (the contact query: the number's last digits; the seeded contacts are mobile
   numbers, no e-mail addresses),
3. a made-up subject of common words with an e-mail and a number nobody gave (text, e-mail
   and number queries, all finding nothing: each reads as much as it can),
4. its LAPOR! Tracking ID (complaints that have one), and one that no complaint has,
5. the whole complaint after its registration, itself excluded (`exclude_id`): subject,
   contact and Tracking ID together.

Each call to `similar` is timed whole (after warm-up calls that are not counted). Prints the
timings, the matches found, the time in the database by statement, and the plans of the four
queries (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL). Asserts
nothing. Target: p50 ≤ 50 ms for every kind of input at 1,000,000 complaints.
"""

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, inspect, select, text  # noqa: E402

from app import create_app  # noqa: E402
from bench.notifications import (  # noqa: E402
    Statements,
    brief,
    percentile,
    print_plan,
    print_slowest,
    revision,
)
from bench.throwaway import throwaway_database  # noqa: E402
from models import Complaint, User, db  # noqa: E402
from models.contacts import reachable  # noqa: E402
from models.duplicates import WINDOW_DAYS, similar  # noqa: E402

WARMUP = 20  # calls of each kind run first and not counted: the statement cache, the pages
TARGET_MS = 50
LAPOR_INDEX = "ix_complaint_lapor_tracking_no"
FILL = ("python bench/public_pages.py --count 1000000 --database-url {url}"
        "{schema}")  # what makes the database: a million complaints, kept  # fmt: skip
MADE_UP = (  # common words, in no seeded subject together
    "Izin usaha belum terbit mohon informasi",
    "Mohon informasi jadwal pelatihan kerja untuk warga",
    "Pelayanan izin lama sekali mohon dibantu",
    "Belum ada kabar tentang dokumen izin usaha saya",
    "Mohon informasi persyaratan izin usaha mikro",
)


# -- the database -------------------------------------------------------------------------


def make_app(config: dict):
    """The app with no mail server or gateway (nothing is sent)."""
    return create_app({"SECRET_KEY": "bench", "MAIL_SERVER": "", "WHATSAPP_GATEWAY_URL": "",
                       **config})  # fmt: skip


def filled(url: str, schema: str | None) -> bool:
    """Whether the database (the file, or the schema) is there with its complaint table;
    nothing made when not (a missing file or schema would be made empty)."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not Path(path).is_file():
            return False
    engine = create_engine(url)
    try:
        return inspect(engine).has_table("complaint", schema=schema)
    finally:
        engine.dispose()


def ensure_index() -> str:
    """The index of the LAPOR! Tracking ID, made when missing (the database was made before
    it); what was done."""
    with warnings.catch_warnings():  # SQLite: "skipped unsupported reflection" of others
        warnings.simplefilter("ignore")
        names = {ix["name"] for ix in inspect(db.engine).get_indexes("complaint")}
    if LAPOR_INDEX in names:
        return f"{LAPOR_INDEX} there"
    t0 = time.perf_counter()
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {LAPOR_INDEX} "
                          "ON complaint (lapor_tracking_no)"))  # fmt: skip
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE complaint"))
    return f"{LAPOR_INDEX} made in {time.perf_counter() - t0:.1f} s"


class Case:
    """One kind of input: its calls' arguments, timings, matches and statements."""

    def __init__(self, label: str, calls: list[dict]):
        self.label, self.calls = label, calls
        self.ms: list[float] = []
        self.found: list[int] = []
        self.reasons: dict[str, int] = {}
        self.log: list = []


def window_sample(rnd: random.Random, since, wanted: int) -> tuple[list, int]:
    """`wanted` random complaints received since `since` (id, subject, contact, Tracking ID),
    in random order."""
    table = Complaint.__table__
    ids = db.session.scalars(select(table.c.id).where(table.c.received_at >= since)).all()
    chosen = rnd.sample(ids, min(wanted, len(ids)))
    rows = {}
    for start in range(0, len(chosen), 500):
        rows.update((row.id, row) for row in db.session.execute(
            select(table.c.id, table.c.subject, table.c.complainant_contact,
                   table.c.lapor_tracking_no)
            .where(table.c.id.in_(chosen[start : start + 500]))))  # fmt: skip
    return [rows[i] for i in chosen], len(ids)


def build_cases(rnd: random.Random, now, wanted: int) -> tuple[list[Case], dict]:
    since = now - timedelta(days=WINDOW_DAYS)
    sample, in_window = window_sample(rnd, since, 12 * wanted)
    with_contact = [r for r in sample if any(reachable(r.complainant_contact))]
    with_lapor = [r for r in sample if r.lapor_tracking_no]
    table = Complaint.__table__
    with_lapor_all = db.session.scalar(
        select(func.count()).where(table.c.lapor_tracking_no.is_not(None))
    )
    base = rnd.randrange(10**7)
    unknown_contact = [f"warga{base + i}@contoh.id, 0812-{(base + i) % 10**8:08d}"
                       for i in range(wanted)]  # fmt: skip
    cases = [
        Case("own subject (text)",
             [dict(subject=r.subject, now=now) for r in sample[:wanted]]),
        Case("own contact (number)",
             [dict(subject="", contact=r.complainant_contact, now=now)
              for r in with_contact[:wanted]]),
        Case("made-up subject, unknown contact",
             [dict(subject=rnd.choice(MADE_UP), contact=unknown_contact[i], now=now)
              for i in range(wanted)]),
        Case("own LAPOR! Tracking ID",
             [dict(subject="", lapor_tracking_no=r.lapor_tracking_no, now=now)
              for r in with_lapor[:wanted]]),
        Case("unknown LAPOR! Tracking ID",
             [dict(subject="", lapor_tracking_no=f"LPR-2026-9{base + i:08d}", now=now)
              for i in range(wanted)]),
        Case("whole complaint, itself excluded",
             [dict(subject=r.subject, contact=r.complainant_contact,
                   lapor_tracking_no=r.lapor_tracking_no, now=now, exclude_id=r.id)
              for r in sample[wanted : 2 * wanted]]),
    ]  # fmt: skip
    facts = {
        "in_window": in_window,
        "contact_share": len(with_contact) / max(1, len(sample)),
        "lapor_share": len(with_lapor) / max(1, len(sample)),
        "with_lapor_all": with_lapor_all,
        "contacts": [r.complainant_contact for r in sample[:3]],
    }
    db.session.rollback()
    return [case for case in cases if case.calls], facts


# -- measuring ----------------------------------------------------------------------------


def front_office() -> User:
    """The reader: a front-office official (who registers, and sees every complaint)."""
    return db.session.scalar(select(User).where(User.role == "fo").order_by(User.id).limit(1))


def run(case: Case, statements: Statements) -> None:
    """Each call of `case`, in its own session as a request would have; the first WARMUP
    not counted."""
    for i, kwargs in enumerate(case.calls):
        reader = front_office()  # not timed: a request has its user loaded already
        with statements.recording() as log:
            t0 = time.perf_counter()
            matches = similar(reader, **kwargs)
            seconds = time.perf_counter() - t0
        db.session.remove()
        if i < WARMUP:
            continue
        case.ms.append(seconds * 1000)
        case.found.append(len(matches))
        case.log += log
        for match in matches:
            for reason in match.reasons:
                case.reasons[reason] = case.reasons.get(reason, 0) + 1


@contextmanager
def captured():
    """The statements `similar` executes through the session, kept (and still run)."""
    kept = []
    execute = db.session.execute

    def recording(statement, *args, **kwargs):
        kept.append(statement)
        return execute(statement, *args, **kwargs)

    db.session.execute = recording  # shadows the scoped session's proxy for the duration
    try:
        yield kept
    finally:
        del db.session.execute


def print_table(cases: list[Case], dialect: str, total: int) -> None:
    print(f"  {'input':34} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'SQL':>4} "
          f"{'matched':>8} {'found':>6} {'database':>10} {'complaints':>10}")  # fmt: skip
    everything = []
    for case in cases:
        everything += case.ms
        calls = len(case.ms)
        sql = len(case.log) / calls
        print(f"  {case.label:34} {calls:4d} {percentile(case.ms, 0.5):7.1f} "
              f"{percentile(case.ms, 0.95):7.1f} {max(case.ms):7.1f} {sql:4.1f} "
              f"{sum(1 for n in case.found if n):8d} {sum(case.found):6d} {dialect:>10} "
              f"{total:10d}")  # fmt: skip
    print(f"  {'all calls':34} {len(everything):4d} {percentile(everything, 0.5):7.1f} "
          f"{percentile(everything, 0.95):7.1f} {max(everything):7.1f}")  # fmt: skip
    print("  (matched = calls that found at least one complaint; found = complaints found in "
          "all,\n  at most 5 of each kind a call; SQL = statements a call, mean)")  # fmt: skip
    for case in cases:
        reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(case.reasons.items()))
        verdict = "met" if percentile(case.ms, 0.5) <= TARGET_MS else "MISSED"
        print(f"  target p50 ≤ {TARGET_MS} ms, {case.label}: {verdict}"
              f"{f' (found by: {reasons})' if reasons else ''}")  # fmt: skip


def print_plans(kwargs: dict) -> None:
    """The plan of each statement one call with `kwargs` runs, its time over 5 runs."""
    reader = front_office()
    with captured() as statements:
        similar(reader, **kwargs)
    db.session.rollback()
    shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items() if k != "now")
    print(f"\n  Plans of the queries of one call ({shown}):")
    for statement in statements:
        compiled = statement.compile(db.engine)
        where = brief(str(compiled)).split(" WHERE ", 1)[-1]
        print_plan(f"WHERE {where[:200]}", statement)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/bench-public-1m.db",
                        help="a database filled by bench/public_pages.py")  # fmt: skip
    parser.add_argument("--schema", help="PostgreSQL: the kept schema (bench_public_1m)")
    parser.add_argument("--requests", type=int, default=300, help="timed calls of each kind")
    args = parser.parse_args()
    fill = FILL.format(url=args.database_url,
                       schema=f" --schema {args.schema}" if args.schema else "")  # fmt: skip
    if not args.database_url.startswith("sqlite") and not args.schema:
        sys.exit("PostgreSQL: give --schema, the schema bench/public_pages.py kept")
    if not filled(args.database_url, args.schema):
        where = args.database_url + (f" (schema {args.schema})" if args.schema else "")
        sys.exit(f"no complaints in {where}; fill it first (minutes): {fill}")
    print(f"code: {revision()}\n")
    rnd = random.Random(18)
    with throwaway_database(args.database_url, keep=args.schema) as config:
        app = make_app(config)
        with app.app_context():
            dialect = db.engine.dialect.name
            done = ensure_index()
            total = db.session.scalar(select(func.count(Complaint.id)))
            now = db.session.scalar(select(func.max(Complaint.received_at)))
            cases, facts = build_cases(rnd, now, WARMUP + args.requests)
            statements = Statements(db.engine)
            print(f"Duplicates ({dialect}, {total} complaints: {done}; now = the latest "
                  f"received, {now:%Y-%m-%d %H:%M} UTC; {facts['in_window']} complaints in the "
                  f"{WINDOW_DAYS}-day window)")  # fmt: skip
            print(f"  contacts as seeded, e.g. {', '.join(facts['contacts'])}: "
                  f"{facts['contact_share']:.0%} hold a mobile number `reachable` accepts; "
                  f"{facts['lapor_share']:.0%} of the window's complaints and "
                  f"{facts['with_lapor_all']} of all have a LAPOR! Tracking ID")  # fmt: skip
            load, t0 = os.getloadavg()[0], time.perf_counter()
            for case in cases:
                run(case, statements)
            elapsed = time.perf_counter() - t0
            print(f"  {args.requests} timed calls of each kind after {WARMUP} warm-up, "
                  f"{elapsed:.0f} s in all; load average (1 min) {load:.1f} before, "
                  f"{os.getloadavg()[0]:.1f} after on {os.cpu_count()} cores\n")  # fmt: skip
            print_table(cases, dialect, total)
            print("\n  Where the time goes: time in cursor.execute (fetching rows not "
                  "included), the statements that took longest in all")  # fmt: skip
            for case in cases:
                seconds = sum(entry[0] for entry in case.log) * 1000 / len(case.ms)
                print(f"  {case.label}: {seconds:.1f} ms of {statistics.mean(case.ms):.1f} ms "
                      "(mean) in cursor.execute")  # fmt: skip
                print_slowest(case.log, top=4)
            # Every query once: a complaint with a Tracking ID and a number, an e-mail added.
            whole = next((c for c in reversed(cases[-1].calls) if c["lapor_tracking_no"]
                          and reachable(c["contact"])[1]), cases[-1].calls[-1])  # fmt: skip
            print_plans({**whole, "contact": f"warga@contoh.id, {whole['contact']}"})
            print_plans(cases[2].calls[-1])  # the made-up subject: nothing found
            db.engine.dispose()


if __name__ == "__main__":
    main()
