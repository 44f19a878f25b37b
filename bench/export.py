"""Benchmark the complaint export, CSV (comma and semicolon) and XLSX, against a raw dump of
the same rows: seconds, the ratio, file size and peak memory.

    python bench/export.py --count 200000 [--database-url postgresql+psycopg://...]
                           [--schema bench_export]   (PostgreSQL: keep the data for the next run)
    python bench/export.py --count 1000000 --database-url sqlite:////tmp/bench-1m.db   (reused)

Builds a throwaway database (or reuses the given SQLite file or kept schema, adding only the
complaints it lacks), fills it with `seed-bulk`, then gives the bulk complaints what the engine
keeps of their documents — the addressee of every disposition and order, the Hal and opening
of every answer — and half of them a class. Each export is timed
through the real Flask stack as the front office downloads it; a second, untimed run measures
its peak memory (tracemalloc slows Python down). Prints a table; asserts nothing.
"""

import argparse
import csv
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import inspect, select, text, update  # noqa: E402

from admin_views.export import XLSX_MAX_ROWS  # noqa: E402
from app import create_app  # noqa: E402
from bench.throwaway import throwaway_database  # noqa: E402
from models import Complaint, ComplaintClass, StepRecord, User, db  # noqa: E402
from models.sop import SopOutcome  # noqa: E402
from seeds.bulk import seed_bulk  # noqa: E402
from seeds.loader import create_demo_accounts, init_data  # noqa: E402

# The complaint columns behind the export: a raw dump of these, written to a file as the
# export is, is what the export is compared with.
RAW_COLUMNS = ("id", "reg_number", "received_at", "channel_id", "platform_id",
               "lapor_tracking_no", "lapor_classification", "lapor_category", "jenis_id",
               "class_id", "sop_id", "status", "closed_as", "current_step_no", "due_at",
               "paused_at", "closed_at", "class_due_at", "complainant_name",
               "complainant_contact", "complainant_address", "subject",
               "description", "addressed_to", "answer_subject", "answer_opening")  # fmt: skip
BODY = ("Dengan hormat, menindaklanjuti pengaduan Saudara, bersama ini kami sampaikan bahwa "
        "permohonan telah diverifikasi dan diproses sesuai ketentuan. ") * 4  # fmt: skip


def _enrich() -> None:
    """Give the bulk complaints (empty forms) what the engine keeps of a walk's documents
    (workflow.summarise): the Kabid as the addressee of every complaint a disposition or an
    order reached, a Surat Dinas's Hal and opening on every answered one. Once per database."""
    if db.session.scalar(select(Complaint.id).where(Complaint.addressed_to != "").limit(1)):
        return
    kabid = db.session.scalar(select(User).where(User.username == "kabid"))
    reached = {"addressed_to": f"{kabid.full_name} ({kabid.position})"}
    answered = {"answer_subject": "Jawaban atas pengaduan", "answer_opening": BODY[:200]}
    for forms, values in ((("disposition", "order"), reached), (("answer",), answered)):
        codes = select(SopOutcome.code).where(SopOutcome.form.in_(forms))
        ids = select(StepRecord.complaint_id).where(StepRecord.outcome.in_(codes))
        db.session.execute(update(Complaint).where(Complaint.id.in_(ids)).values(**values))
    ringan = db.session.scalar(select(ComplaintClass.id).where(ComplaintClass.code == "ringan"))
    db.session.execute(update(Complaint).where(Complaint.class_id.is_(None),
                                               Complaint.id % 2 == 0).values(
        class_id=ringan, class_due_at=Complaint.received_at))  # fmt: skip
    db.session.commit()


def raw_dump(app) -> float:
    """Seconds to write RAW_COLUMNS of every complaint to a CSV file through the driver."""
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


def _download(client, url) -> int:
    response = client.get(url, buffered=False)
    assert response.status_code == 200, (url, response.status_code)
    size = sum(len(part) for part in response.response)  # streamed, as a browser reads
    response.close()
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--database-url")
    parser.add_argument("--schema", help="PostgreSQL: a schema kept after the run and reused")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
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
            _enrich()
            fill = time.perf_counter() - t0
            dialect = db.engine.dialect.name
            if dialect == "postgresql":  # as autovacuum would have left it
                with db.engine.connect() as conn:
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                    conn.execute(text("VACUUM ANALYZE complaint"))
                    conn.execute(text("VACUUM ANALYZE step_record"))
            rows = db.session.execute(text("SELECT count(*) FROM complaint")).scalar()
            db.session.remove()
        raw = raw_dump(app)
        print(f"{dialect}, {rows} complaints (seed-bulk and enrich {fill:.0f} s); "
              f"raw dump of the same rows to a file: {raw:.1f} s")  # fmt: skip
        print(f"{'export':34} {'rows':>9} {'s':>7} {'raw s':>7} {'ratio':>6} {'MB file':>8} "
              f"{'peak MB':>8}")  # fmt: skip
        client = app.test_client()
        client.post("/login", data={"username": "fo", "password": "Bench-2026"})
        for label, url in (("CSV, comma", "/admin/pengaduan/ekspor/csv/"),
                           ("CSV, semicolon (Excel)",
                            "/admin/pengaduan/ekspor/csv/?pemisah=titik-koma"),
                           ("XLSX", "/admin/pengaduan/ekspor/xlsx/")):  # fmt: skip
            if url.endswith("xlsx/") and rows > XLSX_MAX_ROWS:
                print(f"{label:34} more rows than a worksheet holds: not offered")
                continue
            t0 = time.perf_counter()
            size = _download(client, url)
            seconds = time.perf_counter() - t0
            peak = "-"
            if not args.no_memory:
                tracemalloc.start()
                _download(client, url)
                peak = f"{tracemalloc.get_traced_memory()[1] / 1e6:.0f}"
                tracemalloc.stop()
            print(f"{label:34} {rows:9d} {seconds:7.1f} {raw:7.1f} {seconds / raw:6.2f} "
                  f"{size / 1e6:8.0f} {peak:>8}", flush=True)  # fmt: skip
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
