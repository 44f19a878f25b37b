"""An empty database for a benchmark: a new SQLite file, or a PostgreSQL schema dropped after."""

import tempfile
import urllib.parse
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text

# The tables seed-bulk fills (the complaints, their histories, the triggers' tallies and readers).
SEEDED = ("complaint", "step_record", "confidential_reader", "day_tally", "step_tally")


@contextmanager
def throwaway_database(url: str | None = None, keep: str | None = None):
    """Yield the Flask settings of an empty database; a PostgreSQL schema is dropped after,
    unless it is `keep` (made when missing, kept and reused as it is)."""
    if url is None or url.startswith("sqlite"):
        yield {"SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"}
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
