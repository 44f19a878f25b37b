"""Fixtures: an app per test on SQLite and (when TEST_DATABASE_URL is set) on PostgreSQL."""

import os
import re
import sys
import uuid
from pathlib import Path

import jinja2
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from models import User, db
from seeds.loader import create_demo_accounts, init_data

PASSWORD = "Rahasia-2026"
TEMPLATES_DIR = str(Path(__file__).resolve().parent.parent / "templates")


class ProjectStrictUndefined(jinja2.Undefined):
    """Fail on an undefined name used in the project's own templates.

    Flask-Admin's templates test optional attributes by comparing undefined values, so a
    plain StrictUndefined breaks them; only frames of our templates are held to it.
    """

    def _in_project_template(self) -> bool:
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.endswith(".html"):
                return filename.startswith(TEMPLATES_DIR)
            frame = frame.f_back
        return False

    def _strict(name):
        def method(self, *args):
            if self._in_project_template():
                self._fail_with_undefined_error()
            return getattr(jinja2.Undefined, name)(self, *args)

        return method

    __str__ = _strict("__str__")
    __iter__ = _strict("__iter__")
    __bool__ = _strict("__bool__")
    __len__ = _strict("__len__")
    __eq__ = _strict("__eq__")
    __hash__ = jinja2.Undefined.__hash__
    del _strict
PG_SKIP = "PostgreSQL run skipped: TEST_DATABASE_URL is not set"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session")
def pg_database():
    """A throwaway PostgreSQL database for this run, dropped at the end; None without a server."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield None
        return
    name = f"pengaduan_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_config(request, tmp_path):
    """Settings for an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}"}
        return
    url = request.getfixturevalue("pg_database")
    if url is None:
        pytest.skip(PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={schema}"},
            "pool_pre_ping": True,
        },
    }
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def make_app(db_config, **extra):
    # A cheap hash keeps logins fast in tests; production uses scrypt.
    settings = {"TESTING": True, "SECRET_KEY": "test-secret",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}  # fmt: skip
    return create_app({**settings, **db_config, **extra})


@pytest.fixture
def empty_app(db_config):
    """An app whose database has no tables at all (for migration tests)."""
    app = make_app(db_config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(db_config):
    """An app with the schema, the SOPs, the letterhead and one account per demo official."""
    app = make_app(db_config)
    app.jinja_env.undefined = ProjectStrictUndefined
    with app.app_context():
        db.create_all()
        init_data()
        create_demo_accounts(PASSWORD)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, path="/login") -> str:
    """Read the CSRF token a page hands out to this client's session."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    """Log in and out through the real login form, CSRF token included."""

    def __init__(self, client):
        self._client = client

    def login(self, username="admin", password=PASSWORD):
        token = csrf_token(self._client, "/login")
        return self._client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def logout(self):
        token = csrf_token(self._client, "/admin/")
        return self._client.post("/logout", data={"csrf_token": token})

    def post(self, path, data, form_page=None, **kwargs):
        """POST `data` to `path` with a valid CSRF token taken from `form_page` (or `path`)."""
        token = csrf_token(self._client, form_page or path)
        return self._client.post(path, data={**data, "csrf_token": token}, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.execute(
            db.select(User.id).where(User.username == username)
        ).scalar_one()


def pytest_terminal_summary(terminalreporter):
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if PG_SKIP in str(r.longrepr)
    ]
    if skipped:
        terminalreporter.write_line(
            f"NOTE: {len(skipped)} PostgreSQL test runs skipped: TEST_DATABASE_URL is not set "
            "(SQLite runs only).",
            yellow=True,
        )
    browser = sys.modules.get("tests.test_browser")
    if browser is not None and browser.LOAD_TIMES:
        terminalreporter.write_line("Page load times in Chromium (measured, not asserted):")
        for line in browser.load_time_summary().splitlines():
            terminalreporter.write_line("  " + line)
