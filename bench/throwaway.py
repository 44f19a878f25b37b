"""An empty database for a benchmark: a new SQLite file, or a PostgreSQL schema dropped after."""

import tempfile
import time
import urllib.parse
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text

PASSWORD = "Bench-2026"  # every demo official's in a benchmark's database

# The tables seed-bulk fills (the complaints, their histories, the triggers' tallies and readers).
SEEDED = ("complaint", "step_record", "confidential_reader", "day_tally", "step_tally")


@contextmanager
def throwaway_database(url: str | None = None, keep: str | None = None):
    """Yield the Flask settings of an empty database; a PostgreSQL schema is dropped after,
    unless it is `keep` (made when missing, kept and reused as it is)."""
    if url is not None and url.startswith("sqlite"):  # the given file, kept
        yield {"SQLALCHEMY_DATABASE_URI": url}
        return
    if url is None:  # a new file in a folder deleted after
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"}
        return
    schema = keep or f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    if keep:
        yield {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={schema}"}}}  # fmt: skip
        admin.dispose()
        return
    try:
        yield {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={schema}"}}}  # fmt: skip
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def database_url(config: dict) -> str:
    """The database of `config` as one URL for another process's DATABASE_URL (a PostgreSQL
    schema as the connection's search_path option)."""
    url = config["SQLALCHEMY_DATABASE_URI"]
    options = config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {})
    if options.get("options"):
        url += ("&" if "?" in url else "?") + "options=" + urllib.parse.quote(options["options"])
    return url


def vacuum(engine, tables=SEEDED) -> None:
    """VACUUM ANALYZE `tables` on PostgreSQL, as autovacuum would have left them after a bulk
    load (statistics, and the visibility map an index-only scan needs); nothing on SQLite."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables:
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def fill(app, count: int, then=None) -> float:
    """Create the tables (unless reused), the master data and the demo officials (password
    PASSWORD), fill the database up to `count` complaints and run `then()` (in the app
    context, e.g. more data), then vacuum; return the seconds the filling took."""
    from sqlalchemy import inspect

    from models import db
    from seeds.bulk import seed_bulk
    from seeds.loader import create_demo_accounts, init_data

    with app.app_context():
        inspector = inspect(db.engine)
        missing = [t for t in db.metadata.sorted_tables if not inspector.has_table(t.name)]
        db.metadata.create_all(db.engine, tables=missing)  # all of them, unless reused
        init_data()
        create_demo_accounts(PASSWORD)
        have = db.session.execute(text("SELECT count(*) FROM complaint")).scalar()
        t0 = time.perf_counter()
        if have < count:
            seed_bulk(count - have, echo=lambda line: None)
        if then is not None:
            then()
        seconds = time.perf_counter() - t0
        vacuum(db.engine)
        db.session.remove()
    return seconds
