"""Several app hosts on one PostgreSQL (issue 21 item 3): two gunicorn servers on two ports and
two notification workers, all separate processes against the test's database, driven over
HTTP as browsers would. Nothing the app needs may live in one process's memory: a session
made on host A works on host B and a logout on A ends it on B; a master-data change made on A
reaches B's forms at once; the login hold counts the attempts made on both; fifty
registrations spread over both get fifty numbers without a gap; two workers send each
notification and write each export job once, and a file written for host A's request downloads
whole from host B."""

import csv
import io
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from models import Complaint, ExportJob, Jenis, Notification, db
from tests.conftest import PASSWORD
from tests.fake_servers import smtp_server
from tests.served import PROJECT, database_url, gunicorn
from tests.test_server_concurrency import Browser, _together
from tests.workflow_helpers import registration


def _same_session(browser: Browser, base: str) -> Browser:
    """The official's browser sending its cookies to another host (behind one load balancer
    both answer the same site)."""
    other = Browser(base)
    for cookie in browser.cookies:
        other.cookies.set_cookie(cookie)
    return other


def _worker(env: dict, log) -> subprocess.Popen:
    """A notification worker process (`flask worker`, a round every 0.2 s)."""
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker", "--poll", "0.2"],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def test_two_hosts_and_two_workers_on_one_postgresql(app, db_kind, db_config, tmp_path):
    if db_kind == "sqlite":
        pytest.skip("several app hosts share a PostgreSQL server (SQLite serves one host)")
    limit = app.config["LOGIN_MAX_FAILURES"]
    with smtp_server(delay=0.01) as (mailbox, port):
        env = {**os.environ, "DATABASE_URL": database_url(db_config),
               "SECRET_KEY": "one-secret-for-every-host", "PENGADUAN_ENV": "test",
               "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port),
               "EXPORT_STREAM_MAX_ROWS": "10"}  # fmt: skip
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with gunicorn(env, tmp_path / "a.log", workers=2) as host_a, \
                gunicorn(env, tmp_path / "b.log", workers=2) as host_b:  # fmt: skip
            # A session made on A works on B; a logout on A ends it on B.
            kadis = Browser(host_a).login("kadis")
            on_b = _same_session(kadis, host_b)
            assert on_b.request("/admin/")[0] == 200
            status, _ = kadis.request("/logout", {"csrf_token": kadis.token("/admin/")})
            assert status == 302
            assert on_b.request("/admin/")[0] == 302  # to the login page

            # A master-data change made on A is in B's registration form at once.
            admin = Browser(host_a).login("admin")
            with app.app_context():
                saran = db.session.scalar(select(Jenis).where(Jenis.code == "saran"))
                edit = f"/admin/jenis/edit/?id={saran.id}"
            status, _ = admin.request(edit, {"code": "saran", "name": "Saran dan usul warga",
                                             "ordering": str(saran.ordering), "active": "y",
                                             "csrf_token": admin.token(edit)})  # fmt: skip
            assert status == 302
            fo_b = Browser(host_b).login("fo")
            assert "Saran dan usul warga" in fo_b.request("/admin/pengaduan/registrasi/")[1]

            # The hold after too many wrong passwords counts those made on both hosts.
            for i in range(limit):
                guesser = Browser(host_a if i % 2 else host_b)
                status, _ = guesser.request("/login", {
                    "username": "kasi", "password": f"salah-{i}",
                    "csrf_token": guesser.token("/login")})  # fmt: skip
                assert status == 400, i
            for base in (host_a, host_b):
                right = Browser(base)
                token = right.token("/login")
                status, _ = right.request("/login", {"username": "kasi", "password": PASSWORD,
                                                     "csrf_token": token})  # fmt: skip
                assert status == 429, base

            # Fifty registrations at once, spread over both hosts: fifty numbers, no gap.
            with app.app_context():
                form = registration("kantor")
            front = [Browser(base).login("fo") for base in (host_a, host_b)]
            tokens = [b.token("/admin/pengaduan/registrasi/") for b in front]

            def prepare(i):
                tab = front[i % 2].tab()
                data = {**form, "subject": f"Pengaduan dua host {i}", "csrf_token": tokens[i % 2]}
                return lambda: tab.request("/admin/pengaduan/registrasi/", data)

            assert [status for status, _ in _together(50, prepare)] == [302] * 50
            with app.app_context():
                assert sorted(db.session.scalars(select(Complaint.reg_seq))) == list(range(1, 51))
                numbers = set(db.session.scalars(select(Complaint.reg_number)))

            # Exports past the threshold, asked on both hosts, become jobs.
            askers = {
                "kadis": Browser(host_a).login("kadis"),
                "kabid": Browser(host_b).login("kabid"),
            }
            for browser in askers.values():
                for fmt in ("csv", "xlsx", "csv"):
                    assert browser.request(f"/admin/pengaduan/ekspor/{fmt}/")[0] == 302

            # Two workers, each its own process: every e-mail goes out once (the registrations'
            # new tasks, the exports' and whatever their sweeps add, e.g. the day's digest), and
            # every export job is written once.
            logs = [open(tmp_path / f"worker-{i}.log", "wb") for i in range(2)]  # noqa: SIM115
            workers = [_worker(env, log) for log in logs]
            try:
                deadline = time.monotonic() + 120
                while (_unsent(app) or _exporting(app)) and time.monotonic() < deadline:
                    time.sleep(0.2)
                time.sleep(1)  # a second send of any of them would have arrived by now
            finally:
                for worker in workers:
                    os.killpg(worker.pid, signal.SIGTERM)
                for worker, log in zip(workers, logs, strict=True):
                    worker.wait(timeout=30)
                    log.close()
            with app.app_context():
                jobs = db.session.scalars(select(ExportJob).order_by(ExportJob.id)).all()
                assert [(j.status, j.rows_written) for j in jobs] == [("done", 50)] * 6
                owners = {j.id: j.requester.username for j in jobs}
            # Each file, written by either worker, downloads from the host that did not ask.
            other = {"kadis": host_b, "kabid": host_a}
            for job_id, owner in owners.items():
                browser = _same_session(askers[owner], other[owner])
                status, text = browser.request(f"/admin/ekspor/{job_id}/unduh")
                assert status == 200
                if text.startswith("\ufeff"):  # the CSVs: a header and the fifty rows
                    assert len(list(csv.reader(io.StringIO(text[1:])))) == 51
    assert _unsent(app) == 0
    with app.app_context():
        mails = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.channel == "email"))  # fmt: skip
    subjects = [m["Subject"] for _rcpt, m in mailbox.received]
    assert len(subjects) == mails, (len(subjects), mails)
    assert sum("Ekspor siap diunduh" in s for s in subjects) == 6  # each job told once
    tasks = [s for s in subjects if "Tugas baru" in s]
    assert len(tasks) == len(set(tasks)) == 50  # each registration's new task, once
    assert {n for n in numbers if any(n in s for s in tasks)} == numbers


def _exporting(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ExportJob.id)).where(
            ExportJob.status.in_(("queued", "running"))))  # fmt: skip


def _unsent(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Notification.id)).where(
            Notification.channel == "email", Notification.status != "sent"))  # fmt: skip
