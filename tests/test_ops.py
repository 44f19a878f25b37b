"""Health, readiness and metrics for a load balancer and a monitoring system (issue 21 item 4),
and the request id every response and log line carries."""

import io
import json
import os
import re
import urllib.parse
import urllib.request
from datetime import timedelta

from sqlalchemy import update

from app import create_app
from models import Complaint, WorkerHeartbeat, db
from models.types import utcnow
from tests.served import database_url, gunicorn
from tests.workflow_helpers import register_complaint

TOKEN = "rahasia-pemantauan-uji"


def _metric(text: str, name: str, **labels) -> float | None:
    """The value of one sample of a Prometheus text page, or None."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name:
            found = ",".join(sorted((match[2] or "").split(","))) if match[2] else ""
            if found == wanted:
                return float(match[3])
    return None


def test_healthz_answers_while_the_database_does_not_and_readyz_says_so():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "SECRET_KEY": "x", "TESTING": True})  # fmt: skip
    client = app.test_client()
    alive = client.get("/healthz")
    assert (alive.status_code, alive.data) == (200, b"ok\n")
    assert "Set-Cookie" not in alive.headers  # a load balancer's probe opens no session
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["database"] == "tidak terjangkau" and ready.json["ready"] is False


def test_readyz_wants_the_newest_migration_and_a_worker_that_runs(empty_app):
    from models.delivery import run

    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    client = empty_app.test_client()
    waiting = client.get("/readyz")
    assert waiting.status_code == 503
    assert waiting.json["checks"] == {"database": "ok", "migrations": "ok",
                                      "worker": "tidak ada pekerja yang berjalan"}  # fmt: skip
    with empty_app.app_context():
        run(once=True, echo=lambda line: None)  # one round of the worker, anywhere
        db.session.remove()
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json["ready"]) == (200, True)
    with empty_app.app_context():  # silent for longer than WORKER_MAX_SILENCE
        silent = utcnow() - timedelta(seconds=empty_app.config["WORKER_MAX_SILENCE"] + 60)
        db.session.execute(update(WorkerHeartbeat).values(beat_at=silent))
        db.session.commit()
    stale = client.get("/readyz")
    assert stale.status_code == 503 and stale.json["checks"]["worker"].startswith("diam ")
    assert runner.invoke(args=["db", "downgrade", "0022"]).exit_code == 0
    behind = client.get("/readyz")
    assert behind.status_code == 503
    assert behind.json["checks"]["migrations"].startswith("belum terbaru: 0022")


def test_metrics_need_their_token_and_count_the_register(app, client, monkeypatch):
    assert client.get("/metrics").status_code == 404  # no token set: no metrics page
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer tebakan"})
    assert wrong.status_code == 401 and "WWW-Authenticate" in wrong.headers
    with app.app_context():
        register_complaint()  # waits on the Kepala Dinas
        late = register_complaint()
        db.session.execute(update(Complaint).where(Complaint.id == late.id)
                           .values(due_at=utcnow() - timedelta(hours=1)))  # fmt: skip
        db.session.commit()
    client.get("/login")
    page = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert page.status_code == 200 and page.mimetype == "text/plain"
    text = page.get_data(as_text=True)
    assert _metric(text, "pengaduan_waiting", role="kadis") == 2
    assert _metric(text, "pengaduan_overdue", role="kadis") == 1
    assert _metric(text, "pengaduan_outbox", outbox="notification", state="pending") is not None
    assert _metric(text, "pengaduan_request_seconds_count", endpoint="auth.login",
                   method="GET", status="200") >= 1  # fmt: skip
    assert "Budi" not in text and "Izin usaha" not in text  # counts, never the register's data


def test_every_response_carries_its_request_id_and_the_log_line_too(app, client):
    offered = client.get("/login", headers={"X-Request-ID": "nginx-7f3a9c21"})
    assert offered.headers["X-Request-ID"] == "nginx-7f3a9c21"
    crafted = client.get("/login", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", crafted.headers["X-Request-ID"])  # a new one
    assert client.get("/login").headers["X-Request-ID"] != crafted.headers["X-Request-ID"]
    for json_lines in (False, True):
        logged = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI",)},
                             "SECRET_KEY": "x", "TESTING": True,
                             "LOG_FORMAT": "json" if json_lines else "text",
                             **({"SQLALCHEMY_ENGINE_OPTIONS": app.config[
                                 "SQLALCHEMY_ENGINE_OPTIONS"]}
                                if "SQLALCHEMY_ENGINE_OPTIONS" in app.config else {})})  # fmt: skip
        stream = io.StringIO()
        with logged.test_request_context("/", headers={"X-Request-ID": "lb-00000042"},
                                         errors_stream=stream):  # fmt: skip
            logged.preprocess_request()
            logged.logger.warning("Pengiriman gagal")
        line = stream.getvalue().strip()
        if json_lines:
            record = json.loads(line)
            assert (record["request_id"], record["message"]) == ("lb-00000042",
                                                                  "Pengiriman gagal")  # fmt: skip
        else:
            assert "[lb-00000042]" in line and "Pengiriman gagal" in line


def test_under_gunicorn_metrics_add_up_every_worker_process(app, db_config, tmp_path):
    """Four worker processes answer; whichever answers the scrape counts every request."""
    url = database_url(db_config)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "ops-test-secret",
           "PENGADUAN_ENV": "test", "METRICS_TOKEN": TOKEN}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gunicorn.conf.py makes its own
    with gunicorn(env, tmp_path / "gunicorn.log", workers=4) as base:
        before = _scrape(base)
        for _ in range(40):  # spread over the workers
            urllib.request.urlopen(base + "/healthz", timeout=10).close()
        counts = [_scrape(base) - before for _ in range(4)]
    assert counts == [40] * 4, counts


def _scrape(base: str) -> float:
    request = urllib.request.Request(base + "/metrics",
                                     headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return _metric(text, "pengaduan_request_seconds_count", endpoint="ops.healthz", method="GET",
                   status="200") or 0.0  # fmt: skip
