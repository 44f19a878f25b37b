"""Column types shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A moment stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so a naive value read back is taken as UTC; a naive value
    written is refused, since nobody can tell which clock it came from.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one (UTC or Asia/Jakarta)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """Return the current moment, aware, in UTC."""
    return datetime.now(UTC)


def dialect_insert(session):
    """The INSERT construct of the session's database, with its ON CONFLICT clauses."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return {"postgresql": pg_insert, "sqlite": sqlite_insert}[session.get_bind().dialect.name]
