"""Large exports as jobs: a list's export of more than EXPORT_STREAM_MAX_ROWS rows is written by
the worker instead of the web request (admin_views/export.py decides, admin_views/export_jobs.py
shows the job).

The file is kept in the database, in pieces (`ExportPiece`), so that any app host serves it and
nothing lives on one host's disk. A job is claimed by one worker with a conditional UPDATE
(queued → running): two workers never write the same file. While it runs, the worker reports the
rows written on a connection of its own (committed at once, read by the progress bar) and reads
there whether the requester cancelled; the rows themselves are read in one pass on the job's own
connection. The file is complete or the job says it failed: its pieces count only once the job is
*done*; a cancelled, failed or stalled job has its pieces deleted. A finished file is kept for its
requester for EXPORT_KEEP_HOURS, then deleted by the worker's sweep.
"""

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.accounts import User
from models.sop import in_list
from models.types import UTCDateTime, utcnow

log = logging.getLogger("pengaduan.export")

STATUSES = {
    "queued": "Menunggu giliran",
    "running": "Sedang dibuat",
    "done": "Siap diunduh",
    "failed": "Gagal",
    "cancelled": "Dibatalkan",
    "expired": "Sudah dihapus",
}
ACTIVE = ("queued", "running")
FORMATS = ("csv", "xlsx")
PIECE_BYTES = 1024 * 1024  # a piece of the file, one row of export_piece
PROGRESS_SECONDS = 1.0  # how often a running job reports its rows (and reads a cancel)
STALLED = timedelta(minutes=10)  # a running job silent this long lost its worker
DEFAULT_KEEP_HOURS = 24
DEFAULT_STREAM_MAX_ROWS = 20_000
FAILED_SHOWN = timedelta(days=1)  # failed jobs the metrics count
ACTIVE_PER_USER = 3  # exports one official may have waiting or running at once


class ExportJob(db.Model):
    """One official's export of one list (as filtered, searched and sorted) to CSV or XLSX."""

    __tablename__ = "export_job"
    __table_args__ = (
        CheckConstraint(in_list("status", STATUSES), name="status_known"),
        CheckConstraint(in_list("fmt", FORMATS), name="fmt_known"),
        Index("ix_export_job_status", "status", "id"),  # what a worker claims next
        Index("ix_export_job_requester", "requester_id", "id"),  # the official's exports
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    view: Mapped[str] = mapped_column(String(80))  # the list's endpoint
    list_path: Mapped[str] = mapped_column(String(200))  # its page, e.g. /admin/pengaduan/
    title: Mapped[str] = mapped_column(String(120))  # its name in the menu
    args: Mapped[str] = mapped_column(Text, default="[]")  # its query string, as JSON pairs
    fmt: Mapped[str] = mapped_column(String(4))
    file_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    total_rows: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_written: Mapped[int] = mapped_column(BigInteger, default=0)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    started_at = mapped_column(UTCDateTime)
    progress_at = mapped_column(UTCDateTime)
    finished_at = mapped_column(UTCDateTime)
    expires_at = mapped_column(UTCDateTime)

    requester: Mapped[User] = relationship()

    @property
    def status_label(self) -> str:
        if self.status == "running" and self.cancel_requested:
            return "Sedang dibatalkan"
        return STATUSES[self.status]

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        return [tuple(pair) for pair in json.loads(self.args or "[]")]

    @property
    def list_url(self) -> str:
        """The list as it was exported (its filters, search and sort)."""
        pairs = [(k, v) for k, v in self.query_pairs if k != "pemisah"]
        return self.list_path + (f"?{urlencode(pairs)}" if pairs else "")

    def percent(self) -> int:
        if self.status == "done":
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.rows_written / self.total_rows))

    def seconds_left(self, now: datetime) -> int | None:
        """The time left at the pace so far; None before the first rows or once finished."""
        if self.status != "running" or not self.rows_written or self.started_at is None:
            return None
        spent = (now - self.started_at).total_seconds()
        left = max(self.total_rows - self.rows_written, 0)
        return int(spent * left / self.rows_written) + 1

    def as_progress(self, now: datetime) -> dict:
        """What the progress bar reads (admin_views/export_jobs.py serves it as JSON)."""
        return {
            "status": self.status,
            "label": self.status_label,
            "rows": self.rows_written,
            "total": self.total_rows,
            "percent": self.percent(),
            "seconds_left": self.seconds_left(now),
            "error": self.error,
        }


class ExportPiece(db.Model):
    """A piece of a job's file, in order (`seq`): the file is their bytes joined."""

    __tablename__ = "export_piece"

    job_id: Mapped[int] = mapped_column(ForeignKey("export_job.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Cancelled(Exception):
    """The requester cancelled the running job."""


class Refused(Exception):
    """The job may not be written (its message says why, to the requester)."""


class Interrupted(Exception):
    """The worker is stopping: the job waits again for the next worker."""


def keep_hours() -> float:
    return float(current_app.config.get("EXPORT_KEEP_HOURS") or DEFAULT_KEEP_HOURS)


def stream_max_rows() -> int:
    """Exports of more rows than this become jobs; fewer are written in the request."""
    value = current_app.config.get("EXPORT_STREAM_MAX_ROWS")
    return DEFAULT_STREAM_MAX_ROWS if value is None else int(value)


# -- asking -----------------------------------------------------------------------------------


def active_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(ExportJob.id)).where(
            ExportJob.requester_id == user.id, ExportJob.status.in_(ACTIVE)
        )
    )


def request_export(
    user: User, *, view: str, list_path: str, title: str, args: Iterable[tuple[str, str]],
    fmt: str, file_name: str, total_rows: int, now: datetime | None = None,
) -> ExportJob:  # fmt: skip
    """Queue an export of the list `view` as `user` has it (`args`: its query string)."""
    job = ExportJob(
        requester_id=user.id, view=view, list_path=list_path, title=title[:120],
        args=json.dumps(list(args)), fmt=fmt, file_name=file_name[:120],
        total_rows=total_rows, created_at=now or utcnow(),
    )  # fmt: skip
    db.session.add(job)
    db.session.commit()
    return job


def own_job(user: User, job_id: int) -> ExportJob | None:
    """`user`'s export `job_id`; None when there is none or it is another official's."""
    job = db.session.get(ExportJob, job_id)
    return job if job is not None and job.requester_id == user.id else None


def cancel(job: ExportJob, now: datetime | None = None) -> bool:
    """Cancel a waiting job at once; ask a running one to stop (its worker stops within a
    second and deletes what it wrote). False when the job had already finished."""
    now = now or utcnow()
    stopped = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job.id, ExportJob.status == "queued")
        .values(status="cancelled", finished_at=now)
    ).rowcount
    if not stopped:
        stopped = db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job.id, ExportJob.status == "running")
            .values(cancel_requested=True)
        ).rowcount
    db.session.commit()
    db.session.refresh(job)
    return bool(stopped)


def pieces(job: ExportJob) -> Iterator[bytes]:
    """The file of a finished job, piece by piece (one piece in memory at a time)."""
    for seq in range(piece_count(job.id)):
        data = db.session.scalar(
            select(ExportPiece.data).where(ExportPiece.job_id == job.id, ExportPiece.seq == seq)
        )
        if data is None:  # deleted meanwhile (its time ran out): the download stops short
            raise RuntimeError(f"export job {job.id}: piece {seq} is gone")
        yield data


def piece_count(job_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ExportPiece).where(ExportPiece.job_id == job_id)
    )


def downloadable(job: ExportJob, now: datetime | None = None) -> bool:
    return job.status == "done" and (job.expires_at is None or job.expires_at > (now or utcnow()))


# -- running ----------------------------------------------------------------------------------


class Side:
    """A connection of the job's own beside the session's (where the rows are read in one
    long pass): what is written on it is committed at once."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.connection = db.engine.connect()
        if self.connection.dialect.name == "postgresql":
            # Nothing on it need wait for the disk: the file counts only once the job is marked
            # done, in a commit that waits for everything written before it.
            self.connection.exec_driver_sql("SET synchronous_commit = off")
            self.connection.commit()

    def total(self, rows: int) -> None:
        """Write how many rows the file will have, as counted when the job began."""
        self.connection.execute(
            update(ExportJob).where(ExportJob.id == self.job_id).values(total_rows=rows)
        )
        self.connection.commit()

    def report(self, rows: int, now: datetime) -> bool:
        """Write the rows written so far; return whether the requester cancelled."""
        cancelled = self.connection.execute(
            update(ExportJob)
            .where(ExportJob.id == self.job_id)
            .values(rows_written=rows, progress_at=now)
            .returning(ExportJob.cancel_requested)
        ).scalar()
        self.connection.commit()
        return bool(cancelled)

    def add_piece(self, seq: int, data: bytes) -> None:
        self.connection.execute(insert(ExportPiece).values(job_id=self.job_id, seq=seq, data=data))
        self.connection.commit()

    def close(self) -> None:
        if self.connection.dialect.name == "postgresql":
            self.connection.exec_driver_sql("RESET synchronous_commit")  # back to the pool
            self.connection.commit()
        self.connection.close()


class PieceWriter:
    """A write-only file whose bytes go to the job's pieces, PIECE_BYTES at a time, stored by a
    thread of its own on a connection of its own: the rows of the next piece are made while
    the database takes the last (at most two pieces wait in memory)."""

    def __init__(self, job_id: int):
        self.side = Side(job_id)
        self.buffer = bytearray()
        self.seq = 0
        self.size = 0
        self.error: Exception | None = None
        self.waiting: queue.Queue = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._store_all, name="export-pieces", daemon=True)
        self.thread.start()

    def write(self, data) -> int:
        self.buffer += data
        self.size += len(data)
        while len(self.buffer) >= PIECE_BYTES:
            with memoryview(self.buffer) as view:
                piece = bytes(view[:PIECE_BYTES])
            self._store(piece)
            del self.buffer[:PIECE_BYTES]
        return len(data)

    def flush(self) -> None:
        pass

    def _store(self, data: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.waiting.put((self.seq, data))
        self.seq += 1

    def _store_all(self) -> None:
        while (item := self.waiting.get()) is not None:
            if self.error is None:
                try:
                    self.side.add_piece(*item)
                except Exception as exc:  # told to the job's thread at its next write
                    self.error = exc

    def close(self) -> None:
        """Store the rest; raise what the storing thread met."""
        if self.buffer or not self.seq:
            self._store(bytes(self.buffer))
            self.buffer.clear()
        self.stop()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        """End the storing thread (after what waits) and release its connection."""
        if self.thread.is_alive():
            self.waiting.put(None)
            self.thread.join()
            self.side.close()


class Progress:
    """Counts the rows as the file's writer takes each chunk; reports them at most every
    PROGRESS_SECONDS and stops the job when the requester cancelled."""

    def __init__(self, side: Side, stop=None, clock=time.monotonic):
        self.side = side
        self.stop = stop
        self.rows = 0
        self.clock = clock
        self.last = clock()

    def start(self, total: int) -> None:
        """The rows to come, as the list has them now (the request counted them earlier)."""
        self.side.total(total)

    def counted(self, chunks: Iterator[list]) -> Iterator[list]:
        try:
            for chunk in chunks:
                yield chunk
                self.rows += len(chunk)
                if self.stop is not None and self.stop.is_set():
                    raise Interrupted
                if self.clock() - self.last >= PROGRESS_SECONDS:
                    self.last = self.clock()
                    if self.side.report(self.rows, utcnow()):
                        raise Cancelled
        finally:  # stopped early: the rows' source closes its cursor
            close = getattr(chunks, "close", None)
            if close is not None:
                close()


# The writer of a job's file, set by the admin (admin_views/export.py): it builds the list's
# query as the requester has it, tells `progress` its rows (Progress.start) and writes the file
# to `out` (a PieceWriter), passing its chunks of rows through Progress.counted; Refused when
# the requester may not have it (any more).
Produce = Callable[[ExportJob, PieceWriter, "Progress"], None]


def claim(worker: str, now: datetime | None = None) -> ExportJob | None:
    """The oldest waiting job, now running for `worker`; None when none waits. The UPDATE
    takes it only while still waiting: of two workers, one gets it."""
    now = now or utcnow()
    while True:
        job_id = db.session.scalar(
            select(ExportJob.id).where(ExportJob.status == "queued").order_by(ExportJob.id)
            .limit(1)
        )  # fmt: skip
        if job_id is None:
            db.session.rollback()
            return None
        taken = db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.status == "queued")
            .values(status="running", worker=worker[:120], started_at=now, progress_at=now)
        ).rowcount
        db.session.commit()
        if taken:
            return db.session.get(ExportJob, job_id)


def _finish(job_id: int, status: str, now: datetime, **values) -> None:
    """End a running job; a job that is not done loses what it wrote."""
    db.session.rollback()  # the long read ends here
    if status != "done":
        db.session.execute(delete(ExportPiece).where(ExportPiece.job_id == job_id))
    db.session.execute(
        update(ExportJob).where(ExportJob.id == job_id)
        .values(status=status, finished_at=now, progress_at=now, **values)
    )  # fmt: skip
    db.session.commit()


def run_job(job: ExportJob, produce: Produce, stop=None) -> str:
    """Write `job`'s file; return how it ended ("done", "cancelled", "failed", or "queued"
    again when `stop` was set: the worker is stopping)."""
    from models.notifications import announce_export

    job_id = job.id
    side = Side(job_id)
    progress = Progress(side, stop)
    try:
        out = PieceWriter(job_id)
        try:
            produce(job, out, progress)
            out.close()
        finally:
            out.stop()  # nothing is stored after this: an unfinished file is deleted whole
            side.close()
    except Cancelled:
        _finish(job_id, "cancelled", utcnow())
        return "cancelled"
    except Interrupted:
        _finish(job_id, "queued", None, rows_written=0, worker=None, started_at=None)
        return "queued"
    except Exception as exc:  # the file is not complete: the job says it failed
        log.exception("export job %s failed", job_id)
        _finish(job_id, "failed", utcnow(), error=_failure_text(exc))
        announce_export(db.session.get(ExportJob, job_id), utcnow())
        db.session.commit()
        return "failed"
    now = utcnow()
    # The file's rows: those written (the list may have changed since the count was asked).
    _finish(job_id, "done", now, rows_written=progress.rows, total_rows=progress.rows,
            size_bytes=out.size, expires_at=now + timedelta(hours=keep_hours()))  # fmt: skip
    announce_export(db.session.get(ExportJob, job_id), now)
    db.session.commit()
    return "done"


def _failure_text(exc: Exception) -> str:
    """What the requester reads of a failure (the details are in the worker's log)."""
    if isinstance(exc, Refused):
        return str(exc)[:500]
    return "Terjadi kesalahan saat menulis berkas; coba lagi atau hubungi admin."


@dataclass
class Round:
    done: int = 0
    failed: int = 0
    cancelled: int = 0
    queued: int = 0  # handed back when the worker stopped


def run_pending(worker: str, produce: Produce, limit: int | None = None, stop=None) -> Round:
    """Run waiting jobs one after another until none waits (or `limit` ran, or `stop`)."""
    result = Round()
    ran = 0
    while (limit is None or ran < limit) and not (stop is not None and stop.is_set()):
        job = claim(worker)
        if job is None:
            break
        ran += 1
        ended = run_job(job, produce, stop)
        setattr(result, ended, getattr(result, ended) + 1)
    return result


def sweep(now: datetime | None = None) -> int:
    """Delete the files kept past their time and end the jobs whose worker stopped; return how
    many jobs were ended or expired."""
    now = now or utcnow()
    stalled = select(ExportJob.id).where(
        ExportJob.status == "running", ExportJob.progress_at < now - STALLED
    )
    expired = select(ExportJob.id).where(ExportJob.status == "done", ExportJob.expires_at <= now)
    ended = list(db.session.scalars(stalled)) + list(db.session.scalars(expired))
    if not ended:
        return 0
    db.session.execute(delete(ExportPiece).where(ExportPiece.job_id.in_(ended)))
    db.session.execute(
        update(ExportJob).where(ExportJob.id.in_(stalled))
        .values(status="failed", finished_at=now, progress_at=now,
                error="Pekerja berhenti sebelum berkas selesai; silakan ekspor ulang.")
    )  # fmt: skip
    db.session.execute(
        update(ExportJob).where(ExportJob.id.in_(expired)).values(status="expired", size_bytes=0)
    )
    db.session.commit()
    return len(ended)


def files_lost(now: datetime | None = None) -> int:
    """After a restore from a backup without the export files (models/backup.py): a finished
    job whose file is gone says so, a running one failed; return how many."""
    now = now or utcnow()
    kept = select(ExportPiece.job_id)
    done = db.session.execute(
        update(ExportJob).where(ExportJob.status == "done", ExportJob.id.not_in(kept))
        .values(status="expired", size_bytes=0)
    ).rowcount  # fmt: skip
    running = db.session.execute(
        update(ExportJob).where(ExportJob.status == "running")
        .values(status="failed", finished_at=now, progress_at=now,
                error="Basis data dipulihkan dari cadangan; silakan ekspor ulang.")
    ).rowcount  # fmt: skip
    db.session.commit()
    return done + running


def backlog(now: datetime | None = None) -> dict[str, int]:
    """{status: count} of the jobs waiting and running, and of those failed in the last day
    (the metrics)."""
    now = now or utcnow()
    found = dict(
        db.session.execute(
            select(ExportJob.status, func.count(ExportJob.id))
            .where(
                ExportJob.status.in_(ACTIVE)
                | ((ExportJob.status == "failed") & (ExportJob.finished_at >= now - FAILED_SHOWN))
            )
            .group_by(ExportJob.status)
        ).all()
    )
    return {status: found.get(status, 0) for status in ("queued", "running", "failed")}
