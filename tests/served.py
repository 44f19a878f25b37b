"""The app served by gunicorn on 127.0.0.1, as production serves it, for the tests that need
real server processes (the concurrency tests, the browser tests)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.throwaway import database_url  # noqa: F401 - one helper for servers and benches

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict, log_path: Path, *, workers: int, threads: int = 1):
    """Serve `app:create_app()` with `env` until the block ends; yield its base URL.

    `--preload` builds the app once and forks the workers from it (the app opens no database
    connection before a request, so no connection is shared across the fork)."""
    port = free_port()
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(workers),
         "--threads", str(threads), "--timeout", "120", "--bind", f"127.0.0.1:{port}",
         "app:create_app()"],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/login", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:  # a hang guard
                    log.close()
                    why = "stopped" if process.poll() is not None else "no answer in 60 s"
                    pytest.fail(f"gunicorn {why}:\n" + log_path.read_text()[-3000:])
                time.sleep(0.1)
        yield base
    finally:
        # Every request has been answered: end the server and its workers at once (a graceful
        # stop costs gunicorn two seconds).
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
        log.close()
