"""Fixtures: an app per test on SQLite and (when TEST_DATABASE_URL is set) on PostgreSQL."""

import os
import re
import shutil
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
from tests import load_times

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


def make_app(db_config, **extra):
    # A cheap hash keeps logins fast in tests; production uses scrypt.
    settings = {"TESTING": True, "SECRET_KEY": "test-secret",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}  # fmt: skip
    return create_app({**settings, **db_config, **extra})


def _seed(app) -> None:
    with app.app_context():
        db.create_all()
        init_data()
        create_demo_accounts(PASSWORD)
        db.session.remove()
        db.engine.dispose()


class SeededDatabases:
    """One seeded database per kind and test process, built once; each test gets it as seeded.

    Building the schema and the seeds costs about 0.3 s on SQLite and 0.6 s on PostgreSQL, and
    an app about 0.2 s (mostly compiling its URL rules). Instead each kind has one app whose
    database is put back to the seeded state before every test. SQLite: a copy of a template
    file. PostgreSQL: the seeded rows are kept in a schema of their own in the same database,
    and every table is emptied and filled again from it with triggers and foreign keys off
    (`session_replication_role`, a superuser's setting), sequences set back: about 20 ms,
    where `CREATE DATABASE … TEMPLATE` costs 0.15-0.5 s. A server whose role is no superuser
    gets the template copy.
    """

    SEEDED = "seeded_rows"  # the PostgreSQL schema holding the seeded rows

    def __init__(self, folder: Path, server: str | None):
        self.folder, self.server = folder, server
        self.apps: dict[str, object] = {}
        self.names: dict[str, str] = {}
        self.admin = create_engine(server, isolation_level="AUTOCOMMIT") if server else None
        self.restore: str | None = None  # the SQL putting the seeded rows back (PostgreSQL)

    def _pg_url(self, name: str) -> str:
        return make_url(self.server).set(database=name).render_as_string(hide_password=False)

    def _pg(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def _build(self, kind: str):
        if kind == "sqlite":
            template = self.folder / "template.db"
            _seed(make_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}"}))
            config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.folder / 'test.db'}"}
        else:
            run = uuid.uuid4().hex[:10]
            template, work = f"pengaduan_tmpl_{run}", f"pengaduan_test_{run}"
            self._pg(f'CREATE DATABASE "{template}"')
            _seed(make_app({"SQLALCHEMY_DATABASE_URI": self._pg_url(template)}))
            self.names = {"template": template, "work": work}
            self._pg(f'CREATE DATABASE "{work}" TEMPLATE "{template}"')
            self.restore = self._restore_script(self._pg_url(work))
            config = {"SQLALCHEMY_DATABASE_URI": self._pg_url(work)}
        app = make_app(config)
        app.jinja_env.undefined = ProjectStrictUndefined
        return app

    def _restore_script(self, url: str) -> str | None:
        """Keep the seeded rows beside the tables; return the SQL that puts them back."""
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if conn.execute(text("SHOW is_superuser")).scalar() != "on":
                engine.dispose()
                return None
            columns: dict[str, list[str]] = {}
            for table, column in conn.execute(text(
                "SELECT c.table_name, c.column_name FROM information_schema.columns c"
                " JOIN information_schema.tables t USING (table_schema, table_name)"
                " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
                " AND c.is_generated = 'NEVER' ORDER BY c.table_name, c.ordinal_position"
            )):  # fmt: skip
                columns.setdefault(table, []).append(f'"{column}"')
            conn.execute(text(f'CREATE SCHEMA "{self.SEEDED}"'))
            for table in columns:
                conn.execute(text(f'CREATE TABLE "{self.SEEDED}"."{table}" AS TABLE "{table}"'))
            sequences = conn.execute(text(
                "SELECT sequencename, start_value, last_value FROM pg_sequences"
                " WHERE schemaname = 'public'")).all()  # fmt: skip
        engine.dispose()
        statements = ["SET session_replication_role = replica"]
        for table, names in columns.items():
            listed = ", ".join(names)
            statements += [f'DELETE FROM "{table}"',
                           f'INSERT INTO "{table}" ({listed}) OVERRIDING SYSTEM VALUE'
                           f' SELECT {listed} FROM "{self.SEEDED}"."{table}"']  # fmt: skip
        for name, start, last in sequences:
            value, called = (last, "true") if last is not None else (start, "false")
            statements.append(f"SELECT setval('\"{name}\"', {value}, {called})")
        statements.append("SET session_replication_role = DEFAULT")
        return ";\n".join(statements)

    def _restore_pg(self) -> None:
        work, template = self.names["work"], self.names["template"]
        if self.restore is None:
            self._pg(f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)')
            self._pg(f'CREATE DATABASE "{work}" TEMPLATE "{template}"')
            return
        engine = create_engine(self._pg_url(work), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:  # what an earlier test left connected goes first
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"))  # fmt: skip
            conn.exec_driver_sql(f"BEGIN;\n{self.restore};\nCOMMIT")
        engine.dispose()

    def fresh(self, kind: str):
        """The app of `kind`, its database just as seeded."""
        if kind not in self.apps:
            self.apps[kind] = self._build(kind)
        app = self.apps[kind]
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        forget_process_caches(app)
        if kind == "sqlite":
            work = self.folder / "test.db"
            for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(self.folder / "template.db", work)
        else:
            self._restore_pg()
        return app

    def close(self) -> None:
        for app in self.apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if self.admin is not None:
            for name in self.names.values():
                self._pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.admin.dispose()


def forget_process_caches(app) -> None:
    """Drop what a process keeps of the database between requests (a new database follows)."""
    app.extensions["picklists"].clear()


@pytest.fixture(scope="session")
def seeded_databases(tmp_path_factory):
    databases = SeededDatabases(tmp_path_factory.mktemp("seeded"),
                                os.environ.get("TEST_DATABASE_URL"))  # fmt: skip
    yield databases
    databases.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request):
    """Each database test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL."""
    if request.param == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(PG_SKIP)
    return request.param


@pytest.fixture
def app(db_kind, seeded_databases):
    """An app with the schema, the SOPs, the letterhead and one account per demo official,
    on a database of its own (a fresh copy of the seeded template)."""
    app = seeded_databases.fresh(db_kind)
    yield app
    with app.app_context():
        db.session.remove()


@pytest.fixture
def db_config(app):
    """The settings of the test's (seeded) database, for a server started beside the app."""
    return {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}


@pytest.fixture
def empty_app(db_kind, tmp_path, request):
    """An app whose database has no tables at all (for migration tests)."""
    if db_kind == "sqlite":
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}"}
    else:
        url = request.getfixturevalue("pg_database")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        config = {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "connect_args": {"options": f"-csearch_path={schema}"},
                "pool_pre_ping": True,
            },
        }
    app = make_app(config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if db_kind != "sqlite":
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


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
        return db.session.execute(db.select(User.id).where(User.username == username)).scalar_one()


def pytest_terminal_summary(terminalreporter):
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if PG_SKIP in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(
            f"NOTE: {len(skipped)} PostgreSQL test runs skipped: TEST_DATABASE_URL is not set "
            "(SQLite runs only).",
            yellow=True,
        )
    if hasattr(terminalreporter.config, "workerinput"):
        return
    loads = load_times.report()
    if loads:
        terminalreporter.write_line("Page load times in Chromium (measured, not asserted):")
        for line in loads.splitlines():
            terminalreporter.write_line("  " + line)


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without xdist
        load_times.forget()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under `-n`: each database's browser tests go to one worker as one unit (they share one
    served site, set up once), the two units first; every other test is a unit of its own,
    sent to whichever worker is free. The browser tests mostly wait on Chromium and the
    server, so `make test` runs three workers on the two cores."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BrowserSitesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/test_browser.py::"):  # …[sqlite] or …[sqlite-admin]
                return "browser-" + re.split(r"[-\]]", nodeid.rsplit("[", 1)[1])[0]
            return nodeid

    return BrowserSitesTogether(config, log)
