"""Large exports as jobs: past the threshold an export is queued at once, written by the worker
with its progress on the page, told by a notification, downloaded complete by its requester only,
cancelled, failed honestly, deleted after its time."""

import csv
import io
import re
import threading
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from models import db, export_jobs
from models.delivery import run
from models.export_jobs import ExportJob, ExportPiece
from models.notifications import EVENTS, Notification
from tests.conftest import csrf_token
from tests.workflow_helpers import SOP_50_WALK, act, register_complaint, user

NAME = "Sri Rahayu Wulandari"
LIST = "/admin/pengaduan/"


@pytest.fixture
def register(app):
    """Five complaints, one of them confidential (its identity masked in every export)."""
    with app.app_context():
        for i in range(4):
            register_complaint("media_sosial", subject=f"Izin usaha nomor {i}")
        register_complaint("media_sosial", complainant_name=NAME, is_confidential="y",
                           subject="=HYPERLINK(\"http://x\")")  # fmt: skip
    return app


def _download(client, url):
    response = client.get(url)
    data = response.get_data()
    response.close()
    return response, data


def _rows(data: bytes, delimiter=","):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def _job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    found = re.search(r"/admin/ekspor/(\d+)/$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def _work(app):
    """One round of the worker, as `flask worker --once` runs it."""
    with app.app_context():
        run(once=True, echo=lambda _text: None)


def _job(app, job_id) -> ExportJob:
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        db.session.expunge(job)
        return job


def _pieces(app, job_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(ExportPiece).where(ExportPiece.job_id == job_id)
        )


def test_a_long_list_becomes_a_job_whose_file_is_the_direct_export(
    register, client, auth, monkeypatch
):
    app = register
    auth.login("kadis")
    url = f"{LIST}ekspor/csv/?pemisah=titik-koma&sort=0"
    response, direct = _download(client, url)  # under the threshold: at once
    assert response.status_code == 200
    expected = _rows(direct, ";")
    assert len(expected) == 6 and NAME not in direct.decode("utf-8-sig")

    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 4)  # five rows: a job
    monkeypatch.setattr(export_jobs, "PIECE_BYTES", 300)  # the file in several pieces
    job_id = _job_id(client.get(url))
    page = client.get(f"/admin/ekspor/{job_id}/").get_data(as_text=True)
    assert "Menunggu giliran" in page and "0 dari 5 baris" in page and "Batalkan ekspor" in page
    assert 'href="/admin/pengaduan/?sort=0"' in page  # back to the list as it was exported
    progress = client.get(f"/admin/ekspor/{job_id}/kemajuan").get_json()
    assert progress["status"] == "queued" and progress["total"] == 5 and "download" not in progress
    refused, _ = _download(client, f"/admin/ekspor/{job_id}/unduh")
    assert refused.status_code == 302  # nothing to download yet

    _work(app)
    job = _job(app, job_id)
    assert (job.status, job.rows_written, job.total_rows) == ("done", 5, 5)
    assert _pieces(app, job_id) > 1
    progress = client.get(f"/admin/ekspor/{job_id}/kemajuan").get_json()
    assert progress["percent"] == 100 and progress["download"].endswith("/unduh")

    response, data = _download(client, progress["download"])
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert int(response.headers["Content-Length"]) == len(data) == job.size_bytes
    assert job.file_name in response.headers["Content-Disposition"]
    assert _rows(data, ";") == expected  # same rows, masking, formula safety, order

    # The requester is told, in the app (and the bell opens the exports).
    with app.app_context():
        told = db.session.scalars(
            select(Notification).where(
                Notification.recipient_id == user("kadis").id, Notification.event == "export_ready"
            )  # fmt: skip
        ).all()
    assert [n.channel for n in told] == ["app"]
    assert EVENTS["export_ready"] in told[0].subject and "5 baris" in told[0].body
    opened = client.get(f"/admin/notifikasi/buka/{told[0].id}")
    assert opened.headers["Location"].endswith("/admin/ekspor/")
    mine = client.get("/admin/ekspor/").get_data(as_text=True)
    assert "Siap diunduh" in mine and f"/admin/ekspor/{job_id}/unduh" in mine


def test_an_xlsx_job_has_the_lists_rows(register, client, auth, monkeypatch):
    app = register
    auth.login("kadis")
    direct = load_workbook(io.BytesIO(_download(client, f"{LIST}ekspor/xlsx/")[1])).active
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    job_id = _job_id(client.get(f"{LIST}ekspor/xlsx/"))
    _work(app)
    assert _job(app, job_id).status == "done", _job(app, job_id).error
    response, data = _download(client, f"/admin/ekspor/{job_id}/unduh")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(data)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        [c.value for c in row] for row in direct.iter_rows()
    ]
    assert sheet.max_row == 6


def test_a_job_is_its_requesters_alone(register, client, auth, monkeypatch):
    app = register
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    auth.login("kadis")
    job_id = _job_id(client.get(f"{LIST}ekspor/csv/"))
    _work(app)
    auth.logout()
    auth.login("kabid")  # may export the same list, but not open the Kadis's file
    for path in ("", "kemajuan", "unduh"):
        assert client.get(f"/admin/ekspor/{job_id}/{path}").status_code == 404
    token = csrf_token(client, "/admin/ekspor/")
    assert (
        client.post(f"/admin/ekspor/{job_id}/batal", data={"csrf_token": token}).status_code == 404
    )
    assert "Belum ada ekspor" in client.get("/admin/ekspor/").get_data(as_text=True)
    auth.logout()
    response = client.get(f"/admin/ekspor/{job_id}/unduh")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_team_exports_no_identity_through_a_job(register, client, auth, monkeypatch):
    """The Tim Teknis's job runs with the Tim Teknis's scope and masking, not the worker's:
    only the meeting it is invited to, no identity even of a named complainant."""
    app = register
    with app.app_context():
        named = register_complaint("media_sosial", complainant_name=NAME)
        for username, _queue, outcome in SOP_50_WALK[:3]:  # to the meeting, teknis1 invited
            act(named, username, outcome)
        number = named.reg_number
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 0)
    auth.login("teknis1")
    job_id = _job_id(client.get("/admin/antrian/tim-teknis/ekspor/csv/"))
    _work(app)
    rows = _rows(_download(client, f"/admin/ekspor/{job_id}/unduh")[1])
    assert [row[0] for row in rows[1:]] == [number]
    assert NAME not in str(rows)
    # The whole register is not the team's: its list refuses, and so does its job.
    assert client.get(f"{LIST}ekspor/csv/").status_code == 403


def test_cancel_stops_a_waiting_or_running_job_and_deletes_its_pieces(
    register, client, auth, monkeypatch
):
    app = register
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    auth.login("kadis")
    waiting = _job_id(client.get(f"{LIST}ekspor/csv/"))
    token = csrf_token(client, f"/admin/ekspor/{waiting}/")
    response = client.post(f"/admin/ekspor/{waiting}/batal", data={"csrf_token": token},
                           follow_redirects=True)  # fmt: skip
    assert "Ekspor dibatalkan." in response.get_data(as_text=True)
    assert _job(app, waiting).status == "cancelled"
    assert client.post(f"/admin/ekspor/{waiting}/batal").status_code == 400  # no CSRF token

    # A running job stops at its next report, whatever it wrote deleted.
    running = _job_id(client.get(f"{LIST}ekspor/csv/"))
    monkeypatch.setattr(export_jobs, "PROGRESS_SECONDS", 0)
    monkeypatch.setattr(export_jobs, "PIECE_BYTES", 10)
    with app.app_context():
        job = export_jobs.claim("test")
        assert job.id == running
        db.session.execute(update(ExportJob).where(ExportJob.id == job.id)
                           .values(cancel_requested=True))  # fmt: skip
        db.session.commit()
        ended = export_jobs.run_job(job, app.extensions["export_job_producer"])
    assert ended == "cancelled" and _job(app, running).status == "cancelled"
    assert _pieces(app, running) == 0
    response, _ = _download(client, f"/admin/ekspor/{running}/unduh")
    assert response.status_code == 302
    _work(app)  # nothing left to run
    assert _job(app, running).status == "cancelled"


def test_a_job_that_cannot_finish_says_it_failed_and_keeps_no_file(
    register, client, auth, monkeypatch
):
    app = register
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    auth.login("kadis")
    job_id = _job_id(client.get(f"{LIST}ekspor/csv/"))
    with app.app_context():  # the Kepala Dinas leaves before the worker comes to it
        user("kadis").active = False
        db.session.commit()
    _work(app)
    job = _job(app, job_id)
    assert job.status == "failed" and "tidak lagi berwenang" in job.error
    assert _pieces(app, job_id) == 0
    with app.app_context():
        failed = db.session.scalars(
            select(Notification.subject).where(Notification.event == "export_failed")
        ).all()
    assert failed and EVENTS["export_failed"] in failed[0]


def test_a_stopping_worker_hands_its_job_back(register, client, auth, monkeypatch):
    app = register
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    auth.login("kadis")
    job_id = _job_id(client.get(f"{LIST}ekspor/csv/"))
    monkeypatch.setattr(export_jobs, "PIECE_BYTES", 10)
    stop = threading.Event()
    stop.set()
    with app.app_context():
        job = export_jobs.claim("stopping")
        assert export_jobs.run_job(job, app.extensions["export_job_producer"], stop) == "queued"
    job = _job(app, job_id)
    assert (job.status, job.worker, job.rows_written) == ("queued", None, 0)
    assert _pieces(app, job_id) == 0
    _work(app)  # the next worker writes it whole
    assert _job(app, job_id).status == "done"


def test_one_worker_claims_a_job(register, client, auth, monkeypatch):
    app = register
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    auth.login("kadis")
    job_id = _job_id(client.get(f"{LIST}ekspor/csv/"))
    with app.app_context():
        first = export_jobs.claim("a")
        assert first.id == job_id and first.worker == "a"
        assert export_jobs.claim("b") is None


def test_files_are_deleted_after_their_time_and_dead_jobs_end(register, client, auth, monkeypatch):
    app = register
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    auth.login("kadis")
    done = _job_id(client.get(f"{LIST}ekspor/csv/"))
    _work(app)
    stalled = _job_id(client.get(f"{LIST}ekspor/csv/"))
    with app.app_context():
        export_jobs.claim("died")  # its worker never reports again
        job = db.session.get(ExportJob, done)
        later = job.expires_at + timedelta(seconds=1)
        assert job.expires_at - job.finished_at == timedelta(hours=export_jobs.keep_hours())
        assert export_jobs.sweep(job.finished_at) == 0  # both still in their time
        assert export_jobs.sweep(later) == 2
    assert _job(app, done).status == "expired" and _pieces(app, done) == 0
    assert _job(app, stalled).status == "failed"
    response = client.get(f"/admin/ekspor/{done}/unduh", follow_redirects=True)
    assert "tidak tersedia untuk diunduh" in response.get_data(as_text=True)


def test_an_official_has_a_few_exports_running_at_most(register, client, auth, monkeypatch):
    app = register
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    auth.login("kadis")
    for _ in range(export_jobs.ACTIVE_PER_USER):
        _job_id(client.get(f"{LIST}ekspor/csv/"))
    response = client.get(f"{LIST}ekspor/csv/", follow_redirects=True)
    assert "masih memiliki ekspor" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ExportJob.id))) == export_jobs.ACTIVE_PER_USER


def test_the_request_that_starts_a_job_writes_no_rows(register, client, auth, monkeypatch):
    """Queuing reads the count only: the file is the worker's (no piece before it runs)."""
    app = register
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    auth.login("kadis")
    job_id = _job_id(client.get(f"{LIST}ekspor/csv/"))
    assert _pieces(app, job_id) == 0
    assert (_job(app, job_id).status, _job(app, job_id).rows_written) == ("queued", 0)


def test_the_metrics_count_waiting_and_failed_exports(register, client, auth, monkeypatch):
    from tests.test_ops import TOKEN, _metric

    app = register
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    auth.login("kadis")
    _job_id(client.get(f"{LIST}ekspor/csv/"))
    _job_id(client.get(f"{LIST}ekspor/xlsx/"))

    def exports(state):
        page = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        return _metric(page.get_data(as_text=True), "pengaduan_export_jobs", state=state)

    assert (exports("queued"), exports("running"), exports("failed")) == (2, 0, 0)
    with app.app_context():
        user("kadis").active = False  # both fail: the requester may no longer export
        db.session.commit()
    _work(app)
    assert (exports("queued"), exports("failed")) == (0, 2)


def test_a_search_with_more_matches_than_its_page_counts_is_exported_whole_as_a_job(
    register, client, auth, monkeypatch
):
    """The list counts a search's matches only up to a cap; its export is not cut there: it
    becomes a job, which counts them all and writes them all."""
    import admin_views.complaint_lists as lists

    app = register
    monkeypatch.setattr(lists, "SEARCH_COUNT_CAP", 2)
    auth.login("kadis")
    job_id = _job_id(client.get(f"{LIST}ekspor/csv/?search=izin"))  # four matches
    _work(app)
    job = _job(app, job_id)
    assert (job.status, job.total_rows, job.rows_written) == ("done", 4, 4)
    rows = _rows(_download(client, f"/admin/ekspor/{job_id}/unduh")[1])
    assert sorted(row[rows[0].index("Pokok pengaduan")] for row in rows[1:]) == [
        f"Izin usaha nomor {i}" for i in range(4)
    ]


def test_an_xlsx_job_past_a_worksheets_rows_says_why_it_failed(register, client, auth, monkeypatch):
    import admin_views.export as export

    app = register
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 1)
    auth.login("kadis")
    job_id = _job_id(client.get(f"{LIST}ekspor/xlsx/"))
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 3)  # the list grew past it since the request
    _work(app)
    job = _job(app, job_id)
    assert job.status == "failed" and "melebihi batas satu lembar XLSX" in job.error
    page = client.get(f"/admin/ekspor/{job_id}/").get_data(as_text=True)
    assert "melebihi batas satu lembar XLSX" in page and " hidden>Unduh berkas" in page
