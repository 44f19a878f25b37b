"""The notification worker's heartbeat: each worker (host and process) writes the moment of its
latest round, so that any app host's readiness check (/readyz) knows a worker runs somewhere."""

from datetime import datetime, timedelta

from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.types import UTCDateTime, dialect_insert, utcnow

KEEP = timedelta(days=1)  # a stopped worker's row is removed after this long


class WorkerHeartbeat(db.Model):
    __tablename__ = "worker_heartbeat"

    worker: Mapped[str] = mapped_column(String(120), primary_key=True)  # "host:pid"
    started_at = mapped_column(UTCDateTime, nullable=False)
    beat_at = mapped_column(UTCDateTime, nullable=False, index=True)


def beat(worker: str, now: datetime | None = None) -> None:
    """Record a round of `worker` (committed at once: the beat is not part of its work), and
    drop the rows of workers silent for a day."""
    now = now or utcnow()
    insert = dialect_insert(db.session)
    db.session.execute(
        insert(WorkerHeartbeat).values(worker=worker[:120], started_at=now, beat_at=now)
        .on_conflict_do_update(index_elements=["worker"], set_={"beat_at": now})
    )  # fmt: skip
    db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - KEEP))
    db.session.commit()


def latest_beat() -> datetime | None:
    """The latest round of any worker, or None when no worker has run for a day."""
    return db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
