"""What a load balancer and a monitoring system ask of an app host, and the request id.

- `/healthz`: the process answers (no database): for a load balancer's liveness check.
- `/readyz`: it can serve: the database answers, its schema is at the newest migration, and a
  notification worker ran a round recently (`WORKER_MAX_SILENCE` seconds; models/heartbeat.py).
  200 or 503, with each check's state as JSON (no data of the register).
- `/metrics`: Prometheus text (prometheus_client) behind a bearer token (`METRICS_TOKEN`;
  unset: 404): request latency by endpoint, open complaints waiting and overdue per acting
  role, the outboxes by state, the worker's silence. Under gunicorn every worker process writes
  its figures to `PROMETHEUS_MULTIPROC_DIR` (gunicorn.conf.py sets it) and a scrape adds them
  up, whichever process answers it.
- Every request gets an id (a sane `X-Request-ID` from the proxy, else a new one), returned in
  the response's `X-Request-ID`, written in every log line of the request; `LOG_FORMAT=json`
  writes the app's log lines as JSON objects.
"""

import functools
import hmac
import json
import logging
import os
import re
import time
import uuid

from flask import Blueprint, Flask, Response, abort, current_app, g, has_request_context, request
from flask.logging import wsgi_errors_stream
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from models import db
from models.export_jobs import backlog as export_backlog
from models.monitoring import outbox_states, waiting_by_role, worker_silence
from models.types import utcnow

bp = Blueprint("ops", __name__)

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # what a proxy's id may look like
REQUEST_SECONDS = Histogram(
    "pengaduan_request_seconds", "Time to answer a request, by endpoint",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)  # fmt: skip
NO_STORE = {"Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_start)
    app.after_request(_finish)
    _log_with_request_id(app, json_lines=app.config.get("LOG_FORMAT") == "json")


# -- the request id and the request's time -----------------------------------------------------


def _start() -> None:
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "-")
    if "started" in g:
        endpoint = request.endpoint or "(tidak ditemukan)"  # a URL no rule matched: one label
        REQUEST_SECONDS.labels(endpoint, request.method, str(response.status_code)).observe(
            time.perf_counter() - g.started
        )
    return response


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record), "level": record.levelname,
                "logger": record.name, "request_id": getattr(record, "request_id", "-"),
                "message": record.getMessage()}  # fmt: skip
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def _log_with_request_id(app: Flask, json_lines: bool) -> None:
    """The app's log lines (errors, what views log) each with its request's id, as text or
    JSON, to the server's error stream (gunicorn: the journal), once: in place of Flask's own
    handler, which is left out when another library already logs to the root."""
    handler = logging.StreamHandler(wsgi_errors_stream)
    handler.addFilter(_RequestId())
    handler.setFormatter(_JsonLines() if json_lines else logging.Formatter(
        "[%(asctime)s] %(levelname)s [%(request_id)s] %(module)s: %(message)s"))  # fmt: skip
    app.logger.handlers[:] = [handler]
    app.logger.propagate = False


# -- health and readiness ------------------------------------------------------------------------


@bp.get("/healthz")
def healthz():
    return Response("ok\n", mimetype="text/plain", headers=NO_STORE)


def _migration_head() -> str | None:
    """The newest migration this code carries (read from its files once per process)."""
    return _head_of(current_app.extensions["migrate"].directory)


@functools.cache
def _head_of(directory: str) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(directory).get_current_head()


@bp.get("/readyz")
def readyz():
    """Each check "ok" or why not; 503 unless all are."""
    checks = {"database": "ok", "migrations": "ok", "worker": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - unreachable, refused, a wrong password: not ready
        db.session.rollback()
        checks = dict.fromkeys(checks, "tidak diperiksa")
        checks["database"] = "tidak terjangkau"
        return _ready(checks)
    try:
        current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # noqa: BLE001 - no alembic_version: never migrated
        db.session.rollback()
        current = None
    head = _migration_head()
    if current != head:
        checks["migrations"] = f"belum terbaru: {current or 'kosong'}, terbaru {head}"
    try:
        silence = worker_silence(utcnow())
    except Exception:  # noqa: BLE001 - a schema behind the code may lack the heartbeat table
        db.session.rollback()
        checks["worker"] = "tidak dapat dibaca"
        return _ready(checks)
    limit = current_app.config["WORKER_MAX_SILENCE"]
    if silence is None:
        checks["worker"] = "tidak ada pekerja yang berjalan"
    elif silence > limit:
        checks["worker"] = f"diam {silence:.0f} detik (batas {limit} detik)"
    return _ready(checks)


def _ready(checks: dict) -> Response:
    ready = all(state == "ok" for state in checks.values())
    body = json.dumps({"ready": ready, "checks": checks}, ensure_ascii=False)
    return Response(body, status=200 if ready else 503, mimetype="application/json",
                    headers=NO_STORE)  # fmt: skip


# -- metrics ---------------------------------------------------------------------------------------


class _Register:
    """The register's figures, read from the database at each scrape (any host answers it)."""

    def collect(self):
        now = utcnow()
        waiting = GaugeMetricFamily("pengaduan_waiting", "Open complaints whose step the role "
                                    "acts on", labels=["role"])  # fmt: skip
        overdue = GaugeMetricFamily("pengaduan_overdue", "Of them, past the step's due moment",
                                    labels=["role"])  # fmt: skip
        for role, (count, late) in sorted(waiting_by_role(now).items()):
            waiting.add_metric([role], count)
            overdue.add_metric([role], late)
        outbox = GaugeMetricFamily("pengaduan_outbox", "Messages not sent yet (pending) or "
                                   "given up (failed)", labels=["outbox", "state"])  # fmt: skip
        for (name, state), count in sorted(outbox_states().items()):
            outbox.add_metric([name, state], count)
        exports = GaugeMetricFamily("pengaduan_export_jobs", "Export jobs waiting (queued), "
                                    "being written (running), failed in the last day",
                                    labels=["state"])  # fmt: skip
        for state, count in export_backlog(now).items():
            exports.add_metric([state], count)
        yield from (waiting, overdue, outbox, exports)
        silence = worker_silence(now)
        if silence is not None:
            yield GaugeMetricFamily("pengaduan_worker_silence_seconds",
                                    "Seconds since a notification worker's latest round",
                                    value=silence)  # fmt: skip


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        challenge = {"WWW-Authenticate": 'Bearer realm="metrics"', **NO_STORE}
        return Response("Token metrik diperlukan.\n", status=401, mimetype="text/plain",
                        headers=challenge)  # fmt: skip
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # every gunicorn worker's figures
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        requests = generate_latest(registry)
        registry = CollectorRegistry()
    else:
        from prometheus_client import REGISTRY

        requests = generate_latest(REGISTRY)
    registry.register(_Register())
    body = requests + generate_latest(registry)
    return Response(body, mimetype=CONTENT_TYPE_LATEST, headers=NO_STORE)
