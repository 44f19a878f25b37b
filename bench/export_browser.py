"""The whole register exported from the browser as production serves it: an official queues
the export, watches its progress bar, is told by the bell and downloads a complete file.

    python bench/export_browser.py --count 1000000 [--database-url postgresql+psycopg://...]
                                   [--schema bench_1m] [--workers 3] [--threads 4]
                                   [--timeout 1800]

Prepares a database as bench/scale.py does (a throwaway SQLite file or PostgreSQL schema, or
the given SQLite file or kept schema, filled with `seed-bulk` up to --count complaints), starts
`gunicorn -c gunicorn.conf.py` (bench/server.py) and the worker (`flask worker --poll 1`)
beside it, logging to files in a temporary folder. In Chromium (Playwright), the front office
logs in, opens Semua pengaduan, reads its row count, and clicks Ekspor, then the comma CSV:
more than EXPORT_STREAM_MAX_ROWS rows, so the export is queued and the job's page opens.

Prints a timeline: the click until the job's page (ms); the page's progress (status, bar, rows
line) sampled from its DOM every second; the click until the download link shows; the bell's
count and the notification; the download's time, size and rows, counted with csv.reader (the
file is deleted after); the worker's peak RSS (VmHWM). Nothing is asserted about speed; a
failed or timed-out job, no bell or notification, a file whose rows are not the list's count
or a browser error fails the run (exit code 1).
"""

import csv
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from bench.export import peak_rss_mb  # noqa: E402
from bench.scale import PASSWORD, Wrong, prepare  # noqa: E402
from bench.server import interrupted, serve, served_arguments, stop, wait_ready  # noqa: E402
from bench.throwaway import database_url, throwaway_database  # noqa: E402
from models import Complaint, db  # noqa: E402
from models.export_jobs import DEFAULT_STREAM_MAX_ROWS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
USERNAME = "fo"  # the front office sees every complaint of the register
MB = 1024 * 1024


def start_worker(config: dict, log) -> subprocess.Popen:
    """The worker as deploy/ runs it, on the server's database and SECRET_KEY (bench/server.py)."""
    env = {**os.environ, "DATABASE_URL": database_url(config), "SECRET_KEY": "bench-server",
           "PENGADUAN_ENV": "bench"}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker", "--poll", "1"],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def since(t0: float) -> float:
    return time.perf_counter() - t0


def export(page, base: str, timeout: float) -> None:
    """The official's walk, printed as it goes; Wrong when something is not as it must be."""
    page.goto(base + "/login")
    page.get_by_label("Nama pengguna").fill(USERNAME)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()
    if "/admin/" not in page.url:
        raise Wrong(f"login as {USERNAME} failed: still at {page.url}")
    t0 = time.perf_counter()
    page.goto(base + "/admin/pengaduan/")
    tab = page.locator(".nav-tabs .nav-link.active").first.inner_text()
    shown = int(re.search(r"\((\d[\d.]*)\)", tab).group(1).replace(".", ""))
    print(f"Semua pengaduan: {shown:,} rows, page loaded in {since(t0) * 1000:.0f} ms")
    at_once = int(os.environ.get("EXPORT_STREAM_MAX_ROWS") or DEFAULT_STREAM_MAX_ROWS)
    if shown <= at_once:
        raise Wrong(f"{shown} rows: not more than EXPORT_STREAM_MAX_ROWS ({at_once}), no job")

    page.get_by_role("link", name="Ekspor").click()
    clicked = time.perf_counter()
    with page.expect_navigation():
        page.get_by_role("link", name="CSV, pemisah koma (sesuai saringan)").click()
    job_url = page.url
    if not re.search(r"/admin/ekspor/\d+/$", job_url):
        flash = " ".join(page.locator(".alert").all_inner_texts())
        raise Wrong(f"the export opened {job_url}, not a job's page: {flash}")
    file_name = page.locator("#ekspor p strong").first.inner_text()
    print(f"click -> job page {job_url}: {since(clicked) * 1000:.0f} ms; file {file_name}")

    print(f"{'s':>7}  {'status':18} {'bar':>4}  rows")
    link = page.locator("#ekspor-unduh")
    while True:
        elapsed, status = since(clicked), page.locator("#ekspor-status").inner_text()
        print(f"{elapsed:7.1f}  {status:18} {page.locator('#ekspor-bar').inner_text():>4}"
              f"  {page.locator('#ekspor-baris').inner_text()}", flush=True)  # fmt: skip
        if status not in ("Menunggu giliran", "Sedang dibuat", "Siap diunduh"):  # Gagal, ...
            error = page.locator("#ekspor-galat").inner_text()
            raise Wrong(f"the export ended {status!r}: {error}")
        if elapsed > timeout:
            raise Wrong(f"the export not ready after {timeout:g} s")
        if link.is_visible():
            break
        try:  # the next sample in a second, or as soon as the link shows
            link.wait_for(state="visible", timeout=1000)
        except PlaywrightTimeout:
            pass
    print(f"job: click -> ready {elapsed:.1f} s (as the page shows it, polling each 2 s)")

    page.goto(base + "/admin/")
    bell = page.locator("#bell .bell-count")
    unread = int(bell.inner_text()) if bell.count() else 0
    if not unread:
        raise Wrong("the bell shows no unread notification")
    page.goto(base + "/admin/notifikasi/")
    told = (page.locator(".list-group-item", has_text="Ekspor siap diunduh")
            .filter(has_text=file_name))  # fmt: skip
    if not told.count():
        raise Wrong(f"no notification 'Ekspor siap diunduh' of {file_name}")
    subject = told.first.locator("strong").evaluate("e => e.lastChild.textContent.trim()")
    print(f"bell: {unread} unread; notification: {subject}")

    page.goto(job_url)
    t0 = time.perf_counter()
    with page.expect_download(timeout=timeout * 1000) as started:
        link.click()
    download = started.value
    try:
        path = download.path()  # when the whole file has come
        took = since(t0)
        if download.failure():
            raise Wrong(f"the download failed: {download.failure()}")
        size = os.path.getsize(path)
        t0 = time.perf_counter()
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = sum(1 for _ in csv.reader(f)) - 1  # the header's row
        print(f"download {download.suggested_filename}: {size / MB:.1f} MB in {took:.1f} s "
              f"({size / MB / max(took, 1e-9):.1f} MB/s); {rows:,} rows "
              f"(counted in {since(t0):.1f} s)")  # fmt: skip
    finally:
        download.delete()
    if rows != shown:
        raise Wrong(f"the file has {rows:,} rows, the list {shown:,}")


def main() -> None:
    parser = served_arguments(__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for the job")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupted)  # stopped like Ctrl+C: the server with it
    failed = False
    logs = Path(tempfile.mkdtemp(prefix="bench-export-"))
    web_log, worker_log = logs / "gunicorn.log", logs / "worker.log"
    with throwaway_database(args.database_url, keep=args.schema) as config:
        app = create_app({"SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          **config})  # fmt: skip
        fill = prepare(app, args.count)
        with app.app_context():
            dialect = db.engine.dialect.name
            total = db.session.scalar(select(func.count(Complaint.id)))
            db.session.remove()
            db.engine.dispose()  # nothing of this process's pool held (a schema dropped after)
        with open(web_log, "wb") as web_out, open(worker_log, "wb") as worker_out:
            server, base = serve(config, args.workers, args.threads, web_out)
            worker = None
            try:
                worker = start_worker(config, worker_out)
                wait_ready(server, base, web_log)
                print(f"{dialect}, {total:,} complaints (seed-bulk {fill:.0f} s); gunicorn "
                      f"{args.workers} workers x {args.threads} threads, worker pid "
                      f"{worker.pid}; logs {web_log}, {worker_log}", flush=True)  # fmt: skip
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=CHROMIUM)
                    try:
                        context = browser.new_context(
                            viewport={"width": 1366, "height": 900}, locale="id-ID",
                            timezone_id="Asia/Jakarta", accept_downloads=True)  # fmt: skip
                        page = context.new_page()
                        page.set_default_timeout(120_000)  # a busy machine, a long list
                        problems = []
                        page.on("pageerror", lambda e: problems.append(f"script: {e}"))
                        page.on("console", lambda m: m.type == "error" and problems.append(
                            f"console: {m.text} ({page.url})"))  # fmt: skip
                        export(page, base, args.timeout)
                        if problems:
                            raise Wrong("in the browser: " + "; ".join(problems))
                    finally:
                        browser.close()
            except Wrong as exc:
                print(f"WRONG: {exc}", file=sys.stderr)
                failed = True
            finally:  # also on Ctrl+C
                if worker is not None:
                    peak = peak_rss_mb(worker.pid)
                    if peak is not None:
                        print(f"worker peak RSS (VmHWM): {peak:.0f} MB")
                    stop(worker)
                stop(server)
    if failed:
        print(f"FAILED: see the errors above and {logs}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: the browser, the worker and gunicorn stopped", file=sys.stderr)
        sys.exit(130)
