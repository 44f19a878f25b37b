"""An empty database for a benchmark: a new SQLite file, or a PostgreSQL schema dropped after."""

import tempfile
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def throwaway_database(url: str | None = None):
    """Yield the Flask settings of an empty database; a PostgreSQL schema is dropped after."""
    if url is None or url.startswith("sqlite"):
        yield {"SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"}
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={schema}"}}}  # fmt: skip
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
