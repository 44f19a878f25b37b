"""Holding back what a person may do too often from the public pages: guessing tracking codes,
sending the complaint form. Counted in the database, so every app host sees the same count.

A *rate event* is one counted act of a *kind* by a *key* (an address, or the hash of a contact:
never the contact itself). A key is held while it has `limit` events within `window`, until the
oldest of them leaves the window (`hold_minutes`, the rule the login's throttle reads too).

Taking a turn (`take_turn`) writes the event first and counts after, in one transaction: on
PostgreSQL behind a transaction-level advisory lock on the key, on SQLite behind the database's
single writer, so two hosts racing for the last turn do not both get it.
"""

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import Index, String, delete, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.types import UTCDateTime, utcnow

KINDS = {
    "track": "kode lacak tidak ditemukan",
    "submit_address": "formulir pengaduan dari satu alamat",
    "submit_contact": "formulir pengaduan dengan satu kontak",
}
KEEP_DAYS = 2  # events older than this are removed by the worker (longer than any window)


class RateEvent(db.Model):
    """One counted act on a public page (a code that found nothing, a complaint sent)."""

    __tablename__ = "rate_event"
    __table_args__ = (Index("ix_rate_event_kind_key_at", "kind", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(64))
    at = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)


def contact_key(contact: str) -> str:
    """The key of a contact (an e-mail address or a number): its hash, not the contact."""
    return hashlib.sha256(contact.strip().lower().encode()).hexdigest()


def hold_minutes(recent: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Minutes a key stays held, given its latest events (newest first, at most `limit`)
    within `window`; 0 when it is not held."""
    if len(recent) < limit:
        return 0
    return max(1, -(-int((recent[limit - 1] + window - now).total_seconds()) // 60))


def _recent(kind: str, key: str, limit: int, window: timedelta, now: datetime) -> list:
    return db.session.scalars(
        select(RateEvent.at)
        .where(RateEvent.kind == kind, RateEvent.key == key, RateEvent.at > now - window)
        .order_by(RateEvent.at.desc())
        .limit(limit)
    ).all()


def wait_minutes(kind: str, key: str, limit: int, window: timedelta,
                 now: datetime | None = None) -> int:  # fmt: skip
    """Minutes until `key` may act again; 0 when it may now (reads only)."""
    now = now or utcnow()
    return hold_minutes(_recent(kind, key, limit, window, now), limit, window, now)


def count(kind: str, key: str, now: datetime | None = None) -> None:
    """Count one event of `key` and commit (a code that found nothing)."""
    db.session.add(RateEvent(kind=kind, key=key[:64], at=now or utcnow()))
    db.session.commit()


def take_turn(turns: list[tuple[str, str, int, timedelta]], now: datetime) -> int:
    """Count one event for each (kind, key, limit, window), in the caller's transaction;
    return 0 when every key was within its limit, else the minutes the most held one waits
    (the caller then rolls back: the events count only with what they allowed)."""
    waits = []
    for kind, key, limit, window in sorted(turns):
        key = key[:64]
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                               {"k": f"{kind}:{key}"})  # fmt: skip
        db.session.add(RateEvent(kind=kind, key=key, at=now))
        db.session.flush()
        # The event just written is one of the `limit + 1` newest: over the limit means held.
        recent = _recent(kind, key, limit + 1, window, now)
        waits.append(hold_minutes(recent[1:], limit, window, now))
    return max(waits, default=0)


def prune(now: datetime | None = None) -> int:
    """Remove events older than KEEP_DAYS; return how many (the worker calls it)."""
    cutoff = (now or utcnow()) - timedelta(days=KEEP_DAYS)
    done = db.session.execute(delete(RateEvent).where(RateEvent.at < cutoff)).rowcount
    db.session.commit()
    return done


def events(kind: str, key: str) -> int:
    """How many events `key` has of `kind` (tests read it)."""
    return db.session.scalar(
        select(func.count()).select_from(RateEvent)
        .where(RateEvent.kind == kind, RateEvent.key == key)
    )  # fmt: skip
