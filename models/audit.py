"""The history of administration: who changed accounts, appointments, the calendar, the
letterhead, master data or SOP data, when, and from what to what.

One session hook writes it, whatever page or command made the change: every insert, update
and delete of an audited model adds an `AdminChange` row in the same transaction (so a
change and its record are saved or lost together). Passwords are never written down, only
that one was changed.
"""

from functools import cache

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import JSON, String, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.types import UTCDateTime, utcnow

ACTIONS = {"create": "dibuat", "update": "diubah", "delete": "dihapus"}
SECRET_FIELDS = {"password_hash": "kata sandi"}
SKIPPED_FIELDS = {"created_at", "session_generation"}  # the latter moves at every logout


class AdminChange(db.Model):
    """One change an administrator (or a command) made to the agency's configuration."""

    __tablename__ = "admin_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor_id: Mapped[int | None]  # the user; None for a command-line change
    actor_name: Mapped[str] = mapped_column(String(200))  # as it was then
    action: Mapped[str] = mapped_column(String(10))  # create / update / delete
    table: Mapped[str] = mapped_column(String(60), index=True)
    row_key: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(String(300))  # the row as people name it
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field: [old, new]

    @property
    def action_label(self) -> str:
        return ACTIONS[self.action]


@cache
def _audited() -> tuple:
    from models import (
        ActingAppointment,
        AgencySettings,
        AnswerTemplate,
        CalendarDay,
        Channel,
        ComplaintClass,
        DispositionMark,
        Jenis,
        NotificationSettings,
        OfficeHours,
        OtherAgency,
        Platform,
        Sop,
        SopOutcome,
        SopStep,
        User,
    )

    return (User, ActingAppointment, CalendarDay, OfficeHours, AgencySettings, Channel,
            Platform, Jenis, DispositionMark, ComplaintClass, OtherAgency, AnswerTemplate, Sop,
            SopStep, SopOutcome, NotificationSettings)  # fmt: skip


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return f"<{len(value)} bita>"
    return str(value)


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name in SKIPPED_FIELDS:
            continue
        history = state.attrs[name].history
        if action == "update":
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        elif action == "create":
            old, new = None, getattr(obj, name)
        else:
            old, new = getattr(obj, name), None
        if name in SECRET_FIELDS:
            if action != "delete" and new is not None:
                changes[SECRET_FIELDS[name]] = ["", "(diganti)"]
            continue
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _actor() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, f"{current_user.full_name} ({current_user.username})"
    return None, "Sistem (perintah baris)"


def _key(obj) -> str:
    identity = inspect(obj).identity
    if identity is None:
        return "-"
    return "/".join(str(part) for part in identity)


@event.listens_for(db.session, "after_flush")
def _record(session, _context):
    audited = _audited()
    entries = []
    for action, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):  # fmt: skip
        for obj in objects:
            if not isinstance(obj, audited):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            entries.append((action, obj, changes))
    if not entries:
        return
    actor_id, actor_name = _actor()
    now = utcnow()
    rows = [dict(at=now, actor_id=actor_id, actor_name=actor_name[:200], action=action,
                 table=obj.__tablename__, row_key=_key(obj)[:80], summary=str(obj)[:300],
                 changes=changes) for action, obj, changes in entries]  # fmt: skip
    # Inserted on the flush's own connection: part of the same transaction, no new flush.
    session.connection().execute(AdminChange.__table__.insert(), rows)
