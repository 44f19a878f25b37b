"""Benchmark: recompute the due moments of N open complaints after a calendar change.

    python bench/recompute_due.py [--count 10000] [--repeat 5] [--database-url URL]

Without --database-url it uses a throwaway SQLite file; with a PostgreSQL URL it works in a
throwaway schema that it drops at the end. Prints the timings; asserts nothing.
"""

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from bench.throwaway import throwaway_database  # noqa: E402
from models import CalendarDay, Complaint, Jenis, Sop, User, db  # noqa: E402
from models.calendar import load_calendar  # noqa: E402
from models.types import utcnow  # noqa: E402
from models.workflow import recompute_due_moments  # noqa: E402
from seeds.loader import create_demo_accounts, init_data  # noqa: E402


def _fill(count: int) -> None:
    sops = {s.code: s for s in db.session.scalars(select(Sop))}
    fo = db.session.scalar(select(User).where(User.username == "fo"))
    jenis = db.session.scalar(select(Jenis))
    channel_ids = dict(db.session.execute(text("SELECT code, id FROM channel")).all())
    now = utcnow()
    rows = []
    for i in range(count):
        sop = sops[("SOP.48", "SOP.49", "SOP.50")[i % 3]]
        step = sop.steps[2 + i % (len(sop.steps) - 2)]
        started = now - timedelta(minutes=(i * 37) % 20000)
        rows.append(dict(
            reg_year=2026, reg_seq=i + 1, reg_number=f"{i + 1:06d}/PGD/BENCH/2026",
            channel_id=channel_ids["media_sosial"], jenis_id=jenis.id, received_at=started,
            complainant_name=f"Pengadu {i}", complainant_contact="", complainant_address="",
            is_anonymous=False, is_confidential=False, subject="Benchmark", description="-",
            sop_id=sop.id, status="in_progress", current_step_no=step.no,
            current_actor=step.actor, step_started_at=started, due_at=started,
            registered_by_id=fo.id, version=1, paused_minutes=(i % 5) * 30,
        ))  # fmt: skip
    for start in range(0, count, 5000):
        db.session.execute(insert(Complaint), rows[start : start + 5000])
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with throwaway_database(args.database_url) as config:
        app = create_app({"SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          **config})  # fmt: skip
        with app.app_context():
            db.create_all()
            init_data()
            create_demo_accounts("bench-2026")
            t0 = time.perf_counter()
            _fill(args.count)
            fill_s = time.perf_counter() - t0
            timings = []
            for i in range(args.repeat):
                # a calendar change: toggle an agency day off, then recompute everything
                day = date(2026, 12, 1) + timedelta(days=i)
                db.session.add(CalendarDay(day=day, kind="off", note="bench"))
                db.session.commit()
                t0 = time.perf_counter()
                done = recompute_due_moments(load_calendar())
                timings.append(time.perf_counter() - t0)
            median = statistics.median(timings)
            print(f"database: {db.engine.dialect.name}")
            print(f"open complaints: {done}  (filled in {fill_s:.2f} s)")
            print(f"recompute after a calendar change, {args.repeat} runs: "
                  f"median {median * 1000:.0f} ms, min {min(timings) * 1000:.0f} ms, "
                  f"max {max(timings) * 1000:.0f} ms, "
                  f"{median / done * 1e6:.1f} µs per complaint")  # fmt: skip
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
