"""Files chosen on a form that came back with errors, kept until the form is sent again: a
browser never refills a file input (the front office's registration, the citizen's complaint).

Kept in the database, as every attachment is (every app host sees them), for HOLD_MINUTES and
only for the browser session that chose them: each row carries the hash of a random key kept in
that session (the signed session cookie), and the form shown again names its files by random
tokens, looked up together with that key. Another user, or the same user in another browser,
can neither list nor attach them, and no URL serves them. All kept files together stay under
the app's HELD_UPLOADS_MAX_BYTES, so that a form sent again and again fills no disk: past it a
file is not kept, and the form names it to be chosen again.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, session
from sqlalchemy import LargeBinary, String, delete, func, select
from sqlalchemy.orm import Mapped, deferred, mapped_column

from models import db
from models.types import UTCDateTime, utcnow

HOLD_MINUTES = 120
MAX_BYTES = 200 * 1024 * 1024  # all sessions together, unless the app's config says otherwise
SESSION_KEY = "held_uploads"  # the session's random key; its hash is the rows' owner
HELD, DROP = "{}_held", "{}_drop"  # the form's names of its kept files' tokens, and of removals
MAX_TOKENS = 10  # read of a form (it holds at most models/step_forms.MAX_FILES)


class HeldUpload(db.Model):
    """A file kept for one browser session while its form is corrected."""

    __tablename__ = "held_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    held_at = mapped_column(UTCDateTime, nullable=False, index=True)

    def upload(self) -> dict:
        """The file as models/step_forms.read_upload gives it, to attach."""
        return {"filename": self.filename, "mime_type": self.mime_type, "size": self.size,
                "sha256": self.sha256, "content": self.content}  # fmt: skip


def _owner(create: bool = False) -> str | None:
    key = session.get(SESSION_KEY)
    if not isinstance(key, str):
        if not create:
            return None
        key = session[SESSION_KEY] = secrets.token_urlsafe(24)
    return hashlib.sha256(key.encode()).hexdigest()


def posted(formdata, name: str = "attachments", now: datetime | None = None) -> list[HeldUpload]:
    """The kept files that the form sent names, of this session only and in time, less those
    ticked to be removed (removed now)."""
    tokens = list(dict.fromkeys(formdata.getlist(HELD.format(name))))[:MAX_TOKENS]
    owner = _owner()
    if owner is None or not tokens:
        return []
    cutoff = (now or utcnow()) - timedelta(minutes=HOLD_MINUTES)
    rows = db.session.scalars(
        select(HeldUpload)
        .where(HeldUpload.owner == owner, HeldUpload.token.in_(tokens),
               HeldUpload.held_at > cutoff)
        .order_by(HeldUpload.id)
    ).all()  # fmt: skip
    dropped = set(formdata.getlist(DROP.format(name)))
    release([r.id for r in rows if r.token in dropped])
    return [r for r in rows if r.token not in dropped]


def hold(files: list[dict], now: datetime | None = None) -> tuple[list[HeldUpload], list[str]]:
    """Keep `files` (as models/step_forms.read_upload gives them) for this session; return the
    rows kept and the names of the files that could not be (the store is full)."""
    if not files:
        return [], []
    now = now or utcnow()
    prune(now)
    owner = _owner(create=True)
    limit = int(current_app.config.get("HELD_UPLOADS_MAX_BYTES") or MAX_BYTES)
    used = db.session.scalar(select(func.coalesce(func.sum(HeldUpload.size), 0)))
    kept, lost = [], []
    for f in files:
        if used + f["size"] > limit:
            lost.append(f["filename"])
            continue
        used += f["size"]
        row = HeldUpload(token=secrets.token_urlsafe(16), owner=owner, held_at=now, **f)
        db.session.add(row)
        kept.append(row)
    db.session.commit()
    return kept, lost


def show_again(field, kept: list[HeldUpload], files: list[dict], keep_new: bool = True) -> None:
    """Before a form is shown again: its files field lists the `kept` files and those of
    `files` now kept, and names the rest to be chosen again."""
    held, lost = hold(files) if keep_new else ([], [f["filename"] for f in files])
    field.held, field.lost = [*kept, *held], lost


def release(ids: list[int]) -> None:
    """Forget kept files: attached (the form was sent) or removed from the form."""
    if ids:
        db.session.execute(delete(HeldUpload).where(HeldUpload.id.in_(ids)))
        db.session.commit()


def prune(now: datetime | None = None) -> int:
    """Remove the files kept longer than HOLD_MINUTES; return how many (the worker calls it,
    and every hold)."""
    cutoff = (now or utcnow()) - timedelta(minutes=HOLD_MINUTES)
    done = db.session.execute(delete(HeldUpload).where(HeldUpload.held_at < cutoff)).rowcount
    db.session.commit()
    return done
