"""Benchmark the app as production serves it: gunicorn with N workers under a bounded
concurrent load on a queue page and on a complaint page.

    python bench/server.py --count 100000 [--database-url postgresql+psycopg://...]
                           [--schema bench_1m] [--workers 5] [--threads 4]
                           [--clients 16] [--duration 45]

Prepares a database as bench/scale.py does (a throwaway SQLite file or PostgreSQL schema, or
the given SQLite file or kept schema, filled with `seed-bulk` up to --count complaints),
starts `gunicorn -c gunicorn.conf.py 'app:create_app()'` on a free local port, and logs each
of --clients clients in (its own cookie session, through the login form and its CSRF token).
Then, one scenario after the other, every client requests its page again and again for
--duration seconds (a closed loop: a client sends its next request when the last is
answered): (a) the Kepala Dinas's queue, as the Kepala Dinas; (b) the page of a complaint
with a full history, as the front office. Prints, per scenario, requests, errors,
requests/s and the p50/p95/p99/max latency in ms. Nothing is asserted about speed; an answer
other than 200, or a page without what it must show (the queue's first complaint, the
complaint's registration number), is an error, and any error fails the run (exit code 1).
"""

import argparse
import http.cookiejar
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from bench.scale import (  # noqa: E402
    LIST_ORDER,
    PASSWORD,
    Wrong,
    full_history_complaint,
    prepare,
)
from bench.throwaway import database_url, throwaway_database  # noqa: E402
from models import Complaint, User, db  # noqa: E402
from models.actors import co_acting_roles, queue_clause  # noqa: E402

TIMEOUT = 30  # seconds: every request, the server's start and stop
CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One official's browser: its own cookies, one request at a time."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, data: dict | None = None) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=TIMEOUT) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def login(self, username: str) -> "Client":
        status, page = self.get("/login")
        match = CSRF.search(page)
        if status != 200 or not match:
            raise Wrong(f"the login form: status {status}, CSRF token found: {bool(match)}")
        data = {"username": username, "password": PASSWORD,
                "csrf_token": match.group(1).decode()}  # fmt: skip
        status, page = self.get("/login", data)  # its redirect followed
        if status != 200 or b'name="password"' in page:
            raise Wrong(f"login as {username}: status {status}, still on the login form")
        return self


def _percentile(ordered: list[float], p: float) -> float:
    """The nearest-rank percentile of an ascending list."""
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def load(clients: list[Client], path: str, must_show: bytes, duration: float) -> dict:
    """Every client requests `path` until `duration` seconds have passed; an answer other than
    200, one without `must_show` or a failed request is an error."""
    latencies, errors, lock = [], [], threading.Lock()
    start = time.perf_counter()
    stop = start + duration

    def work(client: Client) -> None:
        mine, wrong = [], []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                status, body = client.get(path)
            except OSError as exc:  # refused, reset, timed out
                status, body = repr(exc), b""
            mine.append(time.perf_counter() - t0)
            if status != 200 or must_show not in body:
                wrong.append(status if status != 200 else "200 without the expected content")
        with lock:
            latencies.extend(mine)
            errors.extend(wrong)

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + TIMEOUT + 5)  # a request started just before the end
    elapsed = time.perf_counter() - start
    if any(t.is_alive() for t in threads):
        errors.append("a client still waiting after the last request's timeout")
    ordered = sorted(latencies) or [0.0]
    return {"requests": len(latencies), "errors": errors, "rate": len(latencies) / elapsed,
            **{f"p{p}": _percentile(ordered, p) * 1000 for p in (50, 95, 99)},
            "max": ordered[-1] * 1000}  # fmt: skip


def serve(config: dict, workers: int, threads: int, log):
    """Start gunicorn with the production settings; return the process and its base URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(config), "SECRET_KEY": "bench-server",
           "PENGADUAN_ENV": "bench", "WEB_CONCURRENCY": str(workers),
           "GUNICORN_THREADS": str(threads)}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", str(workers),
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def wait_ready(process, base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/login", timeout=2).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                why = "stopped" if process.poll() is not None else "gave no answer in 60 s"
                raise Wrong(f"gunicorn {why}:\n" + log_path.read_text()[-3000:]) from None
            time.sleep(0.2)


def stop(process) -> None:
    """Stop gunicorn and its workers: SIGTERM to the group (a graceful stop), SIGKILL after
    TIMEOUT seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=TIMEOUT)
    except ProcessLookupError:
        pass


def pages(app, count: int) -> list[tuple[str, str, str, bytes]]:
    """(label, username, path, what the page must show) of the two scenarios."""
    with app.app_context():
        kadis = db.session.scalar(select(User).where(User.username == "kadis"))
        waiting = queue_clause("kadis", kadis, "kadis" in co_acting_roles())
        first = db.session.scalar(select(Complaint.id).where(waiting).order_by(*LIST_ORDER))
        if first is None:
            raise Wrong("the Kepala Dinas's queue is empty: nothing to measure")
        cid, reg_number, labels = full_history_complaint(count)
        db.session.remove()
    return [("queue page (Kadis)", "kadis", "/admin/antrian/kadis/",
             f'href="/admin/antrian/kadis/details/?id={first}'.encode()),
            (f"complaint page, {len(labels)} steps (fo)", "fo",
             f"/admin/pengaduan/details/?id={cid}", reg_number.encode())]  # fmt: skip


def interrupted(_signum, _frame):
    raise KeyboardInterrupt


def served_arguments(description: str) -> argparse.ArgumentParser:
    """The arguments of a benchmark that serves a prepared database with gunicorn."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--schema", help="PostgreSQL: a schema kept after the run and reused")
    parser.add_argument("--workers", type=int,
                        default=min(2 * multiprocessing.cpu_count() + 1, 8))  # fmt: skip
    parser.add_argument("--threads", type=int, default=4)
    return parser


def main() -> None:
    parser = served_arguments(__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=45, help="seconds per scenario")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupted)  # stopped like Ctrl+C: the server with it
    failed = False
    with throwaway_database(args.database_url, keep=args.schema) as config:
        app = create_app({"SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          **config})  # fmt: skip
        fill = prepare(app, args.count)
        with app.app_context():
            dialect = db.engine.dialect.name
            total = db.session.scalar(select(func.count(Complaint.id)))
            db.session.remove()
            db.engine.dispose()  # nothing of this process's pool held while the server runs
        scenarios = pages(app, args.count)
        with app.app_context():
            db.engine.dispose()
        log_path = Path(tempfile.mkdtemp()) / "gunicorn.log"
        with open(log_path, "wb") as log:
            process, base = serve(config, args.workers, args.threads, log)
            try:
                wait_ready(process, base, log_path)
                print(f"{dialect}, {total} complaints (seed-bulk {fill:.0f} s); gunicorn "
                      f"{args.workers} workers x {args.threads} threads; {args.clients} "
                      f"clients for {args.duration:g} s per scenario; log {log_path}")  # fmt: skip
                print(f"{'scenario':34} {'requests':>8} {'errors':>6} {'req/s':>7} "
                      f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")  # fmt: skip
                for label, username, path, must_show in scenarios:
                    clients = [Client(base).login(username) for _ in range(args.clients)]
                    for client in clients:  # each session's first request is not measured
                        status, body = client.get(path)
                        if status != 200 or must_show not in body:
                            raise Wrong(f"{label}: {path} answered {status} without "
                                        f"{must_show.decode()!r}")  # fmt: skip
                    r = load(clients, path, must_show, args.duration)
                    print(f"{label:34} {r['requests']:8d} {len(r['errors']):6d} "
                          f"{r['rate']:7.1f} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} "
                          f"{r['max']:8.1f}", flush=True)  # fmt: skip
                    if r["errors"]:
                        failed = True
                        kinds = {}
                        for e in r["errors"]:
                            kinds[str(e)] = kinds.get(str(e), 0) + 1
                        print(f"  errors: {kinds}", file=sys.stderr)
            except Wrong as exc:
                print(f"WRONG: {exc}", file=sys.stderr)
                failed = True
            finally:  # also on Ctrl+C
                stop(process)
    if failed:
        print(f"FAILED: see the errors above and {log_path}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: gunicorn stopped", file=sys.stderr)
        sys.exit(130)
