"""Benchmark the lists at scale: queue page, all complaints, deep page, searches, CSV export
(against a raw dump of the same columns), and the year's recap.

    python bench/scale.py --count 100000 [--database-url postgresql+psycopg://...]
                          [--schema bench_1m]   (PostgreSQL: keep the data for the next run)
    python bench/scale.py --count 1000000 --database-url sqlite:////tmp/bench-1m.db   (reused)

Builds a throwaway database (a SQLite file, or a PostgreSQL schema it drops at the end) —
or reuses the given SQLite file or kept schema, adding only the complaints it lacks — fills
it with `seed-bulk`, then times requests through the real Flask stack. Prints a table;
asserts nothing.
"""

import argparse
import csv
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, inspect, text  # noqa: E402

from app import create_app  # noqa: E402
from bench.throwaway import throwaway_database  # noqa: E402
from models import db  # noqa: E402
from models.dates import to_wib  # noqa: E402
from models.recap import build_recap, parse_period  # noqa: E402
from models.types import utcnow  # noqa: E402
from seeds.bulk import seed_bulk  # noqa: E402
from seeds.loader import create_demo_accounts, init_data  # noqa: E402

# The complaint columns behind the export's 16: a raw dump of these, written to a file as the
# export is, is what the export is compared with.
RAW_COLUMNS = ("reg_number", "received_at", "channel_id", "platform_id", "lapor_tracking_no",
               "jenis_id", "sop_id", "status", "current_step_no", "due_at", "paused_at",
               "complainant_name", "complainant_contact", "complainant_address", "subject",
               "description")  # fmt: skip


class Statements:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args):
        self.count += 1


def _timed(client, url, statements, repeat):
    client.get(url).close()  # warm up: caches of filter choices fill once per process
    times, counts = [], []
    for _ in range(repeat):
        statements.count = 0
        t0 = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        response.close()
        times.append(time.perf_counter() - t0)
        counts.append(statements.count)
        assert response.status_code == 200, (url, response.status_code, body[:300])
    return statistics.median(times) * 1000, max(counts)


def _raw_dump(app) -> float:
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            t0 = time.perf_counter()
            cursor = raw.cursor()
            cursor.execute(f"SELECT {', '.join(RAW_COLUMNS)} FROM complaint ORDER BY id")
            with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                while rows := cursor.fetchmany(5000):
                    writer.writerows(rows)
            return time.perf_counter() - t0
        finally:
            raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--schema",
        help="PostgreSQL: a schema kept after the run and reused "
        "by the next (seeded once; a million complaints take minutes)",
    )
    args = parser.parse_args()
    with throwaway_database(args.database_url, keep=args.schema) as config:
        app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **config})  # fmt: skip
        with app.app_context():
            inspector = inspect(db.engine)
            missing = [t for t in db.metadata.sorted_tables if not inspector.has_table(t.name)]
            db.metadata.create_all(db.engine, tables=missing)  # all of them, unless reused
            init_data()
            create_demo_accounts("Bench-2026")
            have = db.session.execute(text("SELECT count(*) FROM complaint")).scalar()
            t0 = time.perf_counter()
            if have < args.count:
                seed_bulk(args.count - have, echo=lambda line: None)
            fill = time.perf_counter() - t0
            if db.engine.dialect.name == "postgresql":  # as autovacuum would have left it
                with db.engine.connect() as conn:
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                    conn.execute(text("VACUUM ANALYZE complaint"))
            dialect = db.engine.dialect.name
            statements = Statements(db.engine)
            sample = db.session.execute(text("SELECT reg_number FROM complaint WHERE id = "
                                             f"{args.count // 2}")).scalar()  # fmt: skip
        print(f"{dialect}, {args.count} complaints (seed-bulk {fill:.0f} s)")
        print(f"{'measure':42} {'p50 ms':>10} {'SQL':>5}")
        client = app.test_client()
        # Semua pengaduan as each role reads it: the FO and the Kepala Dinas see every row;
        # the Kabid, the Kasi and the admin all but the confidential ones off their path.
        every_role = [(username, [(f"all complaints, first page ({username})",
                                   "/admin/pengaduan/"),
                                  (f"all complaints, page 2000 ({username})",
                                   "/admin/pengaduan/?page=2000")])
                      for username in ("kadis", "kabid", "kasi", "admin")]  # fmt: skip
        for username, rows in (
            ("kadis", [("queue page (Kadis)", "/admin/antrian/kadis/"),
                       ("queue page (Kadis), page 20", "/admin/antrian/kadis/?page=20")]),
            ("kabid", [("queue page (Kabid: own steps and rakor led)", "/admin/antrian/kabid/")]),
            *every_role,
            ("fo", [("all complaints, first page (fo)", "/admin/pengaduan/"),
                    ("all complaints, page 2000 (fo)", "/admin/pengaduan/?page=2000"),
                    ("search by registration number", f"/admin/pengaduan/?search={sample}"),
                    ("free-text search (subject, name)", "/admin/pengaduan/?search=Aminah"),
                    ("free-text search, two words", "/admin/pengaduan/?search=izin+antre")]),
        ):  # fmt: skip
            client.post("/logout")
            client.post("/login", data={"username": username, "password": "Bench-2026"})
            for label, url in rows:
                p50, sql = _timed(client, url, statements, args.repeat)
                print(f"{label:42} {p50:10.1f} {sql:5d}")

        def export() -> int:
            response = client.get("/admin/pengaduan/ekspor/csv/", buffered=False)
            size = sum(len(part) for part in response.response)  # streamed, as a browser reads
            response.close()
            return size

        t0 = time.perf_counter()
        size = export()
        export_time = time.perf_counter() - t0
        tracemalloc.start()  # a second run: tracing slows Python down, so it is not timed
        export()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        raw = _raw_dump(app)
        print(f"{'CSV export of all rows':42} {export_time * 1000:10.0f}       "
              f"{size / 1e6:.0f} MB file, {peak:.0f} MB peak (tracemalloc)")  # fmt: skip
        print(f"{'raw dump of the same columns to a file':42} {raw * 1000:10.0f}       "
              f"export/raw {export_time / raw:.2f}×")  # fmt: skip
        with app.app_context():
            year = str(to_wib(utcnow()).year)
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                build_recap(parse_period("tahun", year))
                times.append(time.perf_counter() - t0)
            print(f"{'year recap':42} {statistics.median(times) * 1000:10.0f}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
