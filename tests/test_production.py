"""Serving in production: behind nginx the app sees each client's own address (ProxyFix with
TRUSTED_PROXIES), a client alone cannot choose it, and gunicorn.conf.py serves the app."""

import os
import re
import runpy
import signal
import subprocess
import sys
import time
import types
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from models import db
from models.accounts import LoginAttempt
from tests.conftest import CSRF_RE, PASSWORD, AuthActions, make_app
from tests.served import database_url, free_port

PROJECT = Path(__file__).resolve().parent.parent
CLIENT = "203.0.113.7"  # a citizen's or official's address (TEST-NET-3)
OTHER = "198.51.100.9"  # someone else behind the same proxy (TEST-NET-2)
PUBLIC_HOST = "pengaduan.example.go.id"  # the host name nginx serves


def _attempt_addresses(app) -> list[str]:
    with app.app_context():
        addresses = db.session.scalars(select(LoginAttempt.address).order_by(LoginAttempt.id))
        return list(addresses)


def _forwarded(client, chain: str) -> AuthActions:
    """Every request of `client` carries X-Forwarded-For: `chain`, as nginx sends it (what the
    client wrote itself, then the address nginx saw); the connection stays 127.0.0.1."""
    client.environ_base["HTTP_X_FORWARDED_FOR"] = chain
    return AuthActions(client)


@pytest.fixture(params=["config", "environment"])
def proxied_app(request, db_config, monkeypatch):
    """The app behind one trusted proxy, on the test's seeded database: TRUSTED_PROXIES=1 given
    to create_app, or read from the environment as production does.

    ProxyFix wraps the WSGI app once, in create_app, as in production: the setting is read at
    start-up. Changing the shared `app` fixture's config afterwards would wrap nothing, so the
    test builds a second app on the same database (as tests/test_auth.py does for a second app
    host) and keeps the per-request limits in its config."""
    limits = {"LOGIN_MAX_FAILURES_PER_ADDRESS": 3}
    if request.param == "config":
        proxied = make_app(db_config, TRUSTED_PROXIES=1, **limits)
    else:
        monkeypatch.setenv("TRUSTED_PROXIES", "1")
        proxied = make_app(db_config, **limits)
    assert proxied.config["TRUSTED_PROXIES"] == 1
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def test_behind_a_trusted_proxy_failed_logins_count_for_the_clients_own_address(proxied_app):
    """Behind nginx every connection comes from 127.0.0.1; with the proxy trusted, a failed
    login is recorded for the client's address, and the hold after too many failures stops
    that client only, not everyone else behind the same proxy."""
    guesser = _forwarded(proxied_app.test_client(), CLIENT)
    assert guesser.login("kadis", "salah-terus").status_code == 400
    assert _attempt_addresses(proxied_app) == [CLIENT]

    for i in range(2):
        assert guesser.login(f"tebakan{i}", "salah").status_code == 400
    assert guesser.login("fo").status_code == 429  # the address is held: 3 failures

    # An address the client writes itself comes before the one nginx appends, and is not
    # believed: the guesser is still held.
    forging = _forwarded(proxied_app.test_client(), f"{OTHER}, {CLIENT}")
    assert forging.login("fo").status_code == 429

    # Another client behind the same proxy logs in as usual.
    colleague = _forwarded(proxied_app.test_client(), OTHER)
    assert colleague.login("fo").status_code == 302
    assert _attempt_addresses(proxied_app) == [CLIENT] * 3 + [OTHER]


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(app, client, monkeypatch):
    """By default (TRUSTED_PROXIES=0) X-Forwarded-For is anyone's to write: the address is the
    connection's, and a client that changes the header is still held."""
    assert app.config["TRUSTED_PROXIES"] == 0
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    auth = _forwarded(client, CLIENT)
    for i in range(3):
        assert auth.login(f"tebakan{i}", "salah").status_code == 400
    assert _attempt_addresses(app) == ["127.0.0.1"] * 3

    auth = _forwarded(client, OTHER)
    assert auth.login("fo").status_code == 429
    assert _attempt_addresses(app) == ["127.0.0.1"] * 3  # a held login records nothing


def _gunicorn_settings(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # The file sets the metrics folder when unset: set here, so that the test's process gets
    # its own environment back afterwards.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/nonexistent/pengaduan-metrics")
    settings = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    return {k: v for k, v in settings.items()
            if not k.startswith("_") and not isinstance(v, types.ModuleType)}  # fmt: skip


def test_gunicorn_conf_loads_with_production_settings(monkeypatch):
    from gunicorn.config import Config

    settings = _gunicorn_settings(monkeypatch)
    assert settings["bind"] == "127.0.0.1:8000"  # the loopback: only nginx reaches it
    assert 1 <= settings["workers"] <= 8
    assert settings["threads"] >= 1
    assert settings["timeout"] >= 60
    assert settings["graceful_timeout"] > 0 and settings["keepalive"] > 0
    assert settings["preload_app"] is False
    assert settings["accesslog"] == "-" and "%(h)s" in settings["access_log_format"]
    # gunicorn ignores a name it does not know: every one here must be a setting of its own.
    known = Config().settings
    assert sorted(set(settings) - set(known)) == []

    moved = _gunicorn_settings(monkeypatch, GUNICORN_BIND="127.0.0.1:8100", WEB_CONCURRENCY="3",
                               GUNICORN_THREADS="2", GUNICORN_TIMEOUT="90")  # fmt: skip
    assert (moved["bind"], moved["workers"], moved["threads"], moved["timeout"]) == (
        "127.0.0.1:8100", 3, 2, 90,
    )  # fmt: skip


def test_gunicorn_with_its_conf_logs_and_throttles_the_forwarded_client(app, db_config, tmp_path):
    """The production command itself, `gunicorn -c gunicorn.conf.py 'app:create_app()'`, with
    PENGADUAN_ENV=production and TRUSTED_PROXIES=1 from the environment (as the systemd unit
    gives them): a failed login sent as nginx forwards it is recorded for the client's
    address, and the access log names that address. Over HTTPS the CSRF check wants a
    referrer of the same site: it passes only if the forwarded scheme and host are believed."""
    port = free_port()
    env = {**os.environ, "PENGADUAN_ENV": "production", "SECRET_KEY": "production-test-key",
           "DATABASE_URL": database_url(db_config), "TRUSTED_PROXIES": "1",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1",
           "GUNICORN_THREADS": "2"}  # fmt: skip
    log_path = tmp_path / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    page = urllib.request.urlopen(base + "/login", timeout=2)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail("gunicorn did not serve:\n" + log_path.read_text()[-3000:])
                    time.sleep(0.1)
            # The session cookie is Secure in production; sent by hand over plain HTTP here.
            with page:
                cookie = page.headers["Set-Cookie"].split(";", 1)[0]
                token = CSRF_RE.search(page.read().decode()).group(1)
            form = {"username": "kadis", "password": PASSWORD + "-salah", "csrf_token": token}
            request = urllib.request.Request(
                base + "/login", data=urllib.parse.urlencode(form).encode(),
                headers={"Cookie": cookie, "X-Forwarded-For": f"{OTHER}, {CLIENT}",
                         "X-Forwarded-Proto": "https", "X-Forwarded-Host": PUBLIC_HOST,
                         "Referer": f"https://{PUBLIC_HOST}/login"},
            )  # fmt: skip
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=30)
            refused.value.close()
            assert refused.value.code == 400  # a wrong password: the form again
            deadline = time.monotonic() + 60  # a hang guard: the log is written after the answer
            while '"POST /login ' not in log_path.read_text() and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:  # answered and logged: no graceful stop needed
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
    assert _attempt_addresses(app) == [CLIENT]
    logged = log_path.read_text()
    assert re.search(rf'^{re.escape(CLIENT)} fwd="{OTHER}, {CLIENT}" .*"POST /login ', logged,
                     re.MULTILINE), logged  # fmt: skip
