"""Benchmark the complaint export, CSV (comma and semicolon) and XLSX, against a raw dump of
the same rows: seconds, the ratio, file size and peak memory; written in the request and as a
job by the worker.

    python bench/export.py --count 200000 [--database-url postgresql+psycopg://...]
                           [--schema bench_export]   (PostgreSQL: keep the data for the next run)
    python bench/export.py --count 1000000 --database-url sqlite:////tmp/bench-1m.db   (reused)

Builds a throwaway database (or reuses the given SQLite file or kept schema, adding only the
complaints it lacks), fills it with `seed-bulk`, then gives the bulk complaints what the engine
keeps of their documents — the addressee of every disposition and order, the Hal and opening
of every answer — and half of them a class. Each export is timed
through the real Flask stack as the front office downloads it; a second, untimed run measures
its peak memory (tracemalloc slows Python down). Then the same exports as jobs
(models/export_jobs.py), as a list past EXPORT_STREAM_MAX_ROWS becomes: the request that queues
one, the job as a worker process (`flask worker`) writes it, that process's peak RSS, and the
download, whose rows are counted. Prints tables; asserts only that every file is whole.
"""

import argparse
import csv
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text, update  # noqa: E402

from admin_views.export import XLSX_MAX_ROWS  # noqa: E402
from app import create_app  # noqa: E402
from bench.throwaway import PASSWORD, database_url, fill, throwaway_database  # noqa: E402
from models import Complaint, ComplaintClass, ExportJob, StepRecord, User, db  # noqa: E402
from models.sop import SopOutcome  # noqa: E402

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
            # PostgreSQL: a server-side cursor, as the export reads (a client-side one would
            # hold every row in this process's memory).
            named = {"name": "raw_dump"} if db.engine.dialect.name == "postgresql" else {}
            cursor = raw.cursor(**named)
            cursor.execute(f"SELECT {', '.join(RAW_COLUMNS)} FROM complaint ORDER BY id")
            with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                while rows := cursor.fetchmany(5000):
                    writer.writerows(rows)
            return time.perf_counter() - t0
        finally:
            raw.close()


def prepare(app, count: int) -> tuple[int, float, str]:
    """The database filled up to `count` complaints and enriched (bench/throwaway.fill);
    return (complaints, seconds it took, the database's dialect)."""
    seconds = fill(app, count, then=_enrich)
    with app.app_context():
        rows = db.session.execute(text("SELECT count(*) FROM complaint")).scalar()
        dialect = db.engine.dialect.name
        db.session.remove()
    return rows, seconds, dialect


def _download(client, url) -> int:
    response = client.get(url, buffered=False)
    assert response.status_code == 200, (url, response.status_code)
    size = sum(len(part) for part in response.response)  # streamed, as a browser reads
    response.close()
    return size


ROOT = Path(__file__).resolve().parent.parent
EXPORTS = (("CSV, comma", "/admin/pengaduan/ekspor/csv/"),
           ("CSV, semicolon (Excel)", "/admin/pengaduan/ekspor/csv/?pemisah=titik-koma"),
           ("XLSX", "/admin/pengaduan/ekspor/xlsx/"))  # fmt: skip


@dataclass
class JobRun:
    request_ms: float  # the request that queues the job
    job_s: float  # the job's own time, started to finished, as the database recorded it
    worker_s: float  # the worker process, start to the job's end (start-up, a sweep included)
    worker_rss_mb: float  # that process's peak resident set size
    rows: int  # rows in the downloaded file
    size: int  # its bytes
    download_s: float


def export_job(app, config: dict, client, url: str) -> JobRun:
    """Queue the export at `url` as the logged-in `client`, have a worker process write it,
    download it and count its rows. The app's EXPORT_STREAM_MAX_ROWS must make it a job."""
    t0 = time.perf_counter()
    response = client.get(url)
    request_ms = (time.perf_counter() - t0) * 1000
    found = re.search(r"/admin/ekspor/(\d+)/$", response.headers.get("Location", ""))
    if response.status_code != 302 or not found:
        raise SystemExit(f"{url}: no job queued (status {response.status_code})")
    job_id = int(found.group(1))
    env = {**os.environ, "DATABASE_URL": database_url(config), "SECRET_KEY": "bench",
           "MAIL_SERVER": "", "WHATSAPP_GATEWAY_URL": ""}  # fmt: skip
    t0 = time.perf_counter()
    # The worker as it runs in production (its loop, the export in its own thread), stopped
    # once the job has ended. Its peak RSS is read from /proc while it runs: what the kernel
    # reports at exit (ru_maxrss) counts this process's pages it was forked from too.
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker",
                               "--poll", "0.2"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        with app.app_context():
            while (job := db.session.get(ExportJob, job_id)).status in ("queued", "running"):
                db.session.remove()
                if worker.poll() is not None:
                    raise SystemExit(f"{url}: the worker stopped ({worker.returncode})")
                time.sleep(0.2)
            worker_s = time.perf_counter() - t0
            peak = peak_rss_mb(worker.pid)
            if job.status != "done":
                raise SystemExit(f"{url}: the job ended {job.status} ({job.error})")
            job_s = (job.finished_at - job.started_at).total_seconds()
            db.session.remove()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    t0 = time.perf_counter()
    download = client.get(f"/admin/ekspor/{job_id}/unduh", buffered=False)
    with tempfile.TemporaryFile() as out:
        for part in download.response:  # streamed, as a browser reads
            out.write(part)
        download.close()
        download_s = time.perf_counter() - t0
        size = out.tell()
        out.seek(0)
        if "xlsx" in url:
            rows = _sheet_rows(out) - 1
        else:
            text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
            rows = sum(1 for _ in csv.reader(text)) - 1
    return JobRun(request_ms, job_s, worker_s, peak, rows, size, download_s)


def peak_rss_mb(pid: int) -> float | None:
    """A running process's peak resident set size (VmHWM: its own pages only); None when it
    has ended."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


def _sheet_rows(file) -> int:
    """The rows of an XLSX's one worksheet, counted in its XML as it is unzipped."""
    import zipfile

    count, tail = 0, b""
    with zipfile.ZipFile(file) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
        while part := sheet.read(1 << 20):
            joined = tail + part
            count += joined.count(b"<row ") - tail.count(b"<row ")
            tail = joined[-4:]
    return count


JOB_HEADER = (f"{'export job':34} {'rows':>9} {'queue ms':>9} {'job s':>7} {'raw s':>7} "
              f"{'ratio':>6} {'worker s':>8} {'RSS MB':>7} {'MB file':>8} "
              f"{'get s':>6}")  # fmt: skip


def job_line(label: str, run: JobRun, raw: float) -> str:
    return (f"{label:34} {run.rows:9d} {run.request_ms:9.0f} {run.job_s:7.1f} {raw:7.1f} "
            f"{run.job_s / raw:6.2f} {run.worker_s:8.1f} {run.worker_rss_mb:7.0f} "
            f"{run.size / 1e6:8.0f} {run.download_s:6.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--database-url")
    parser.add_argument("--schema", help="PostgreSQL: a schema kept after the run and reused")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument("--jobs-only", action="store_true", help="only the exports as jobs")
    args = parser.parse_args()
    with throwaway_database(args.database_url, keep=args.schema) as config:
        app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **config})  # fmt: skip
        rows, fill, dialect = prepare(app, args.count)
        raw = raw_dump(app)
        print(f"{dialect}, {rows} complaints (seed-bulk and enrich {fill:.0f} s); "
              f"raw dump of the same rows to a file: {raw:.1f} s")  # fmt: skip
        client = app.test_client()
        client.post("/login", data={"username": "fo", "password": PASSWORD})
        if not args.jobs_only:
            app.config["EXPORT_STREAM_MAX_ROWS"] = rows  # all of them in the request
            print(f"{'export in the request':34} {'rows':>9} {'s':>7} {'raw s':>7} {'ratio':>6} "
                  f"{'MB file':>8} {'peak MB':>8}")  # fmt: skip
            for label, url in EXPORTS:
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
        app.config["EXPORT_STREAM_MAX_ROWS"] = 0  # every export a job
        print(JOB_HEADER)
        for label, url in EXPORTS:
            if url.endswith("xlsx/") and rows > XLSX_MAX_ROWS:
                continue
            run = export_job(app, config, client, url)
            if run.rows != rows:
                raise SystemExit(f"{label}: {run.rows} rows in the file, {rows} complaints")
            print(job_line(label, run, raw), flush=True)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
