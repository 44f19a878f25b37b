"""Telling officials: work that arrived, a step falling due soon or running late, the day's
digest — to the right person, once.

Glossary: a *notice* is something that happened once — a stage opened (*arrived*), entered
the last 25 % of its time (*due soon*), was late on an office day (*late*), a day's digest —
unique by its key. A *notification* is a notice for one official on one channel (in-app,
e-mail, WhatsApp), unique per (notice, recipient, channel); in the app it is delivered as it
is written. A *delivery* is one hand-over of an e-mail or WhatsApp notification (or one failed
try), kept append-only.

- *arrived*: written by the engine in the step's own transaction (an outbox): a rolled-back
  step tells nobody. To whoever must act on the new stage (`stage_holders`: the role's
  holders, Plt./Plh. too; for the Tim Teknis the members invited to its meeting, with the
  meeting's date, time and place; the official leading it), not to whoever just acted.
- *due soon*, *late*, *digest*: written by the worker's sweep (`sweep`, once a minute), only
  while the office is open (the calendar decides: never at night, on holidays or cuti
  bersama), never for a stage whose clock is stopped. *Late* goes to the holders and to the
  official above them in the line of command (models/actors.SUPERIOR; the Kepala Dinas's
  own steps to the Kepala Dinas and his Plh.), once per office day while late, at most
  `late_repeat_limit` times.
- No message carries a complainant's identity, and a confidential complaint's message not
  even its subject: messages leave for mail servers and gateways, and the outbox is read by
  the admin, who never sees identities.
"""

import math
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload

from models import db
from models.accounts import Role, User, users_holding
from models.actors import (
    INVITED_ROLE,
    QUEUE_ROLES,
    SUPERIOR,
    invitees,
    latest_invitation,
    queue_clause,
)
from models.calendar import WorkCalendar, load_calendar
from models.channels import CHANNELS, channel_ready
from models.complaint import Complaint, StepRecord
from models.dates import WIB, format_day_date, format_moment, format_moment_long, to_wib
from models.deadlines import DUE_SOON_SHARE, deadline_of, deadline_state, overdue_clause
from models.picklists import cached
from models.sop import PUBLIC, Sop, SopStep, in_list, registration_step
from models.submission import Submission
from models.types import UTCDateTime, utcnow

EVENTS = {
    "arrived": "Tugas baru",
    "due_soon": "Segera jatuh tempo",
    "late": "Terlambat",
    "digest": "Ringkasan harian",
    "export_ready": "Ekspor siap diunduh",
    "export_failed": "Ekspor gagal",
}
# An export job's notices (models/export_jobs.py): they open the official's exports.
EXPORT_EVENTS = ("export_ready", "export_failed")
# Sent only while the office is open (a retry waits for the next opening too).
OFFICE_HOURS_EVENTS = ("due_soon", "late", "digest")
STATUSES = {"pending": "Menunggu dikirim", "sent": "Terkirim", "failed": "Gagal"}
# The path a notification opens (admin_views/notifications.py serves it): it marks the
# notification read and leads to the complaint's page in the list the reader may open.
OPEN_PATH = "/admin/notifikasi/buka/{id}"
DIGEST_ITEMS = 15  # items listed per section of a digest; the rest are counted


@dataclass(frozen=True)
class Defaults:
    """The agency's notification settings as the rules read them (kept by each process,
    told of the admin's change through the pick lists' version row: models/picklists.py);
    its values are the settings while the admin has saved none."""

    email_default: bool = True
    whatsapp_default: bool = False
    late_repeat_limit: int = 3
    digest_enabled: bool = True


class NotificationSettings(db.Model):
    """The agency's defaults (a single row, id 1): which channels an official who has not
    chosen gets, how many times a late step is repeated, whether digests go out."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        CheckConstraint("late_repeat_limit BETWEEN 1 AND 20", name="late_limit_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email_default: Mapped[bool] = mapped_column(default=Defaults.email_default)
    whatsapp_default: Mapped[bool] = mapped_column(default=Defaults.whatsapp_default)
    late_repeat_limit: Mapped[int] = mapped_column(default=Defaults.late_repeat_limit)
    digest_enabled: Mapped[bool] = mapped_column(default=Defaults.digest_enabled)

    def __str__(self) -> str:
        return "Pengaturan notifikasi"


def settings_row() -> NotificationSettings:
    """The settings row to edit, or a new one with the defaults while none is saved."""
    return db.session.get(NotificationSettings, 1) or NotificationSettings(
        id=1, **asdict(Defaults())
    )


def _read_defaults() -> Defaults:
    row = db.session.get(NotificationSettings, 1)
    if row is None:
        return Defaults()
    return Defaults(
        row.email_default, row.whatsapp_default, row.late_repeat_limit, row.digest_enabled
    )


notification_settings = cached("notification_settings", _read_defaults)


class Notice(db.Model):
    """Something that happened once and is told to officials: a stage opened, fell due soon,
    was late on an office day; a day's digest. Its `key` makes it happen once, whichever
    process (an app host, a worker) writes it first."""

    __tablename__ = "notice"
    __table_args__ = (
        CheckConstraint(in_list("event", EVENTS), name="event_known"),
        Index("ix_notice_stage", "complaint_id", "stage_started_at", "event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    event: Mapped[str] = mapped_column(String(20))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    step_no: Mapped[int | None]
    stage_started_at = mapped_column(UTCDateTime)  # which opening of the step
    day: Mapped[date] = mapped_column(Date)  # the office day it was issued
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Notification(db.Model):
    """A notice for one official on one channel: in the app at once, by e-mail or WhatsApp
    through the worker (models/delivery.py)."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("notice_id", "recipient_id", "channel"),
        CheckConstraint(in_list("channel", CHANNELS), name="channel_known"),
        CheckConstraint(in_list("status", STATUSES), name="status_known"),
        CheckConstraint(in_list("event", EVENTS), name="event_known"),
        # What the worker claims next; what the bell counts.
        Index("ix_notification_due", "status", "next_attempt_at", "id"),
        Index("ix_notification_inbox", "recipient_id", "channel", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(200), default="")  # e-mail or number
    event: Mapped[str] = mapped_column(String(20))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), index=True)
    # A citizen's online submission waiting for registration (models/submission.py).
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    sent_at = mapped_column(UTCDateTime)
    read_at = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship()
    notice: Mapped[Notice] = relationship()

    @property
    def event_label(self) -> str:
        return EVENTS[self.event]

    @property
    def channel_label(self) -> str:
        return CHANNELS[self.channel]

    @property
    def opens_exports(self) -> bool:
        """About an export job: its link opens the official's exports."""
        return self.event in EXPORT_EVENTS

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def link_path(self) -> str:
        return OPEN_PATH.format(id=self.id)

    def __str__(self) -> str:
        return self.subject


class Delivery(db.Model):
    """One hand-over of an e-mail or WhatsApp notification to its server or gateway, or one
    failed try: who, what, when, the result. Append-only (models/integrity.py). (An in-app
    notification is delivered as it is written: its own row says who, what and when.)"""

    __tablename__ = "notification_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    at = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    attempt: Mapped[int] = mapped_column(default=1)
    ok: Mapped[bool]
    error: Mapped[str | None] = mapped_column(String(500))

    recipient: Mapped[User] = relationship()
    notification: Mapped[Notification] = relationship()

    @property
    def channel_label(self) -> str:
        return CHANNELS[self.channel]


# -- who ----------------------------------------------------------------------------------


class Recipients:
    """Who holds which role on an office day, and on which channels each official is reached;
    asked once per role and user within one announcement or sweep."""

    def __init__(self, day: date, settings: Defaults | None = None):
        self.day = day
        self.settings = settings or notification_settings()
        self._holders: dict[str, list[User]] = {}
        self._ready = {c: channel_ready(c) for c in CHANNELS}

    def holding(self, role: str | None) -> list[User]:
        if role is None:
            return []
        if role not in self._holders:
            self._holders[role] = users_holding(role, self.day)
        return self._holders[role]

    def stage_holders(self, complaint: Complaint, step: SopStep) -> list[User]:
        """Whoever must act on the complaint's open `step`: its role's holders (Plt./Plh.
        too), for the Tim Teknis the members invited to its latest meeting; then whoever
        holds the role leading it."""
        people = []
        for role in (step.actor, step.co_actor):
            if role == INVITED_ROLE:
                people += [u for u in invitees(complaint.id) if u.active]
            else:
                people += self.holding(role)
        return list(dict.fromkeys(people))

    def superiors(self, step: SopStep) -> list[User]:
        """Whoever holds the role above the step's actor (models/actors.SUPERIOR)."""
        return self.holding(SUPERIOR.get(step.actor))

    def channels(self, user: User) -> list[tuple[str, str]]:
        """(channel, address) on which `user` is reached now: in the app always; e-mail and
        WhatsApp when configured, chosen (or by default) and an address is known."""
        found = [("app", "")]
        for channel, chosen, default, address in (
            ("email", user.notify_email, self.settings.email_default, user.email),
            ("whatsapp", user.notify_whatsapp, self.settings.whatsapp_default, user.whatsapp),
        ):
            wanted = default if chosen is None else chosen
            if wanted and address and self._ready[channel]:
                found.append((channel, address))
        return found


# -- what ---------------------------------------------------------------------------------


@dataclass
class Message:
    subject: str
    body: str


def _about(complaint: Complaint) -> str:
    """What a message may say of the complaint's matter: its subject, unless confidential."""
    if complaint.is_confidential:
        return "(pengaduan rahasia: pokoknya tidak dicantumkan; buka tautan untuk membaca)"
    return complaint.subject


def _meeting(complaint: Complaint) -> str | None:
    """The latest coordination meeting's date, time and place, as a line of text."""
    record_id = latest_invitation(complaint.id)
    record = db.session.get(StepRecord, record_id) if record_id else None
    if record is None or not record.data.get("day"):
        return None
    day = date.fromisoformat(record.data["day"])
    return (
        f"{format_day_date(day)} pukul {record.data.get('start', '-').replace(':', '.')} "
        f"WIB, di {record.data.get('place', '-')}"
    )


def _step_line(complaint: Complaint, step: SopStep) -> str:
    return _step_line_of(complaint.sop, step)


def _step_line_of(sop: Sop, step: SopStep) -> str:
    return f"{sop.code} langkah {step.no}: {step.short_name} ({step.actor_label})"


def stage_message(
    event: str,
    complaint: Complaint,
    step: SopStep,
    user: User,
    *,
    as_superior: bool = False,
    occurrence: int = 1,
    limit: int = 1,
    meeting: str | None = None,
    moved: str | None = None,
) -> Message:
    """The subject and text of a stage's notice for `user`, in Indonesian; `moved`: the
    meeting it waits for was moved, for this reason (an *arrived* notice again)."""
    heading = {
        "arrived": "Ada pengaduan yang menunggu tindak lanjut Anda.",
        "due_soon": "Pengaduan berikut segera jatuh tempo: waktu standarnya tinggal kurang "
        "dari seperempat.",
        "late": "Pengaduan berikut melewati batas waktu standar SOP.",
    }[event]
    title = EVENTS[event]
    if as_superior:
        heading = (
            f"Untuk diketahui sebagai atasan: langkah yang menunggu {step.actor_label} melewati "
            "batas waktu standar SOP."
        )
        title = "Terlambat (atasan)"
    if moved is not None:
        heading, title = f"Jadwal rapat koordinasi diubah. Alasan: {moved}", MOVED_TITLE
    lines = [
        f"Yth. {user.full_name},",
        "",
        heading,
        "",
        f"No. registrasi : {complaint.reg_number}",
        f"Pokok          : {_about(complaint)}",
        f"Langkah        : {_step_line(complaint, step)}",
        f"Batas waktu    : {format_moment_long(complaint.due_at)}"
        if complaint.due_at
        else "Batas waktu    : -",
    ]
    if meeting:
        lines.append(f"Rapat koordinasi: {meeting}")
    if event == "late":
        lines.append(f"Pengingat      : ke-{occurrence} dari paling banyak {limit}")
    subject = f"[Pengaduan] {title}: {complaint.reg_number} — {step.short_name}"
    return Message(subject[:300], "\n".join(lines))


def message_text(notification: Notification, base: str) -> str:
    """The full text of a notification as it leaves: its body, the link, the sender."""
    return (
        f"{notification.body}\n\nBuka: {base}{notification.link_path}\n\n"
        "Pesan ini dikirim otomatis oleh sistem Pengaduan Masyarakat; jangan dibalas."
    )


# -- writing notices ----------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return to_wib(moment).strftime("%Y%m%dT%H%M%S%f")


def _issue(
    key: str,
    event: str,
    day: date,
    now: datetime,
    complaint: Complaint | None = None,
    step_no: int | None = None,
) -> int | None:
    """Write the notice `key` unless it exists; return its id when this call wrote it."""
    return _issue_many([_notice(key, event, day, now, complaint, step_no)]).get(key)


def _notice(
    key: str,
    event: str,
    day: date,
    now: datetime,
    complaint: Complaint | None = None,
    step_no: int | None = None,
) -> dict:
    return dict(
        key=key,
        event=event,
        day=day,
        created_at=now,
        complaint_id=complaint.id if complaint else None,
        step_no=step_no,
        stage_started_at=complaint.step_started_at if complaint else None,
    )


def _issue_many(notices: list[dict]) -> dict[str, int]:
    """Write the notices that do not exist yet, in one statement; return {key: id} of those
    this call wrote. Two processes writing the same keys: the second waits for the first's
    transaction and writes none of them (both write in key order: no deadlock)."""
    if not notices:
        return {}
    statement = _issue_statement(db.session.get_bind().dialect.name)
    return {key: i for i, key in db.session.execute(statement, notices).all()}


@cache
def _issue_statement(dialect: str):
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING id, key; built once per database."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert_ = {"postgresql": pg_insert, "sqlite": sqlite_insert}[dialect]
    columns = ("key", "event", "day", "created_at", "complaint_id", "step_no", "stage_started_at")
    return (
        insert_(Notice)
        .values({name: bindparam(name) for name in columns})
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Notice.id, Notice.key)
    )


def _address(
    notice_id: int,
    event: str,
    user: User,
    message: Message,
    now: datetime,
    recipients: Recipients,
    complaint_id: int | None,
    rows: list,
    submission_id: int | None = None,
) -> None:
    """Queue `message` for `user` on each of their channels (rows for one insert)."""
    for channel, address in recipients.channels(user):
        in_app = channel == "app"
        rows.append(
            dict(
                notice_id=notice_id,
                recipient_id=user.id,
                channel=channel,
                address=address,
                event=event,
                complaint_id=complaint_id,
                submission_id=submission_id,
                subject=message.subject,
                body=message.body,
                status="sent" if in_app else "pending",
                attempts=1 if in_app else 0,
                next_attempt_at=None if in_app else now,
                sent_at=now if in_app else None,
                created_at=now,
            )
        )


def _write(rows: list) -> int:
    """Insert the notifications of `rows`; return how many. (The table, not the entity: the
    ORM's bulk insert splits rows by which values are None.)"""
    if rows:
        db.session.execute(insert(Notification.__table__), rows)
    return len(rows)


def announce_stage(complaint: Complaint, now: datetime, actor: User | None = None) -> int:
    """Tell whoever must act on the complaint's stage that just opened (*arrived*), in the
    caller's transaction; `actor` (who just acted) is not told. Return how many
    notifications were written."""
    step = complaint.sop.step(complaint.current_step_no) if complaint.current_step_no else None
    if step is None or step.actor == PUBLIC:
        return 0
    day = to_wib(now).date()
    recipients = Recipients(day)
    people = [
        u for u in recipients.stage_holders(complaint, step) if actor is None or u.id != actor.id
    ]
    if not people:
        return 0
    key = f"arrived:{complaint.id}:{_stamp(complaint.step_started_at)}"
    notice_id = _issue(key, "arrived", day, now, complaint, step.no)
    if notice_id is None:
        return 0
    meeting = _meeting(complaint) if INVITED_ROLE in (step.actor, step.co_actor) else None
    rows = []
    for user in people:
        message = stage_message("arrived", complaint, step, user, meeting=meeting)
        _address(notice_id, "arrived", user, message, now, recipients, complaint.id, rows)
    return _write(rows)


MOVED_TITLE = "Perubahan jadwal rapat"


def announce_meeting_moved(complaint: Complaint, record: StepRecord, now: datetime,
                           actor: User | None = None) -> int:  # fmt: skip
    """Tell whoever acts on the complaint's meeting step (the invitees, the official leading
    it) that the meeting moved (`record`, the corrected invitation), as an *arrived* notice
    with the new date, time and place; `actor` is not told. Return how many were written."""
    step = complaint.sop.step(complaint.current_step_no)
    day = to_wib(now).date()
    recipients = Recipients(day)
    people = [u for u in recipients.stage_holders(complaint, step)
              if actor is None or u.id != actor.id]  # fmt: skip
    if not people:
        return 0
    notice_id = _issue(f"arrived:{complaint.id}:moved:{record.id}", "arrived", day, now,
                       complaint, step.no)  # fmt: skip
    if notice_id is None:
        return 0
    meeting, rows = _meeting(complaint), []
    for user in people:
        message = stage_message("arrived", complaint, step, user, meeting=meeting,
                                moved=record.data.get("reason", ""))  # fmt: skip
        _address(notice_id, "arrived", user, message, now, recipients, complaint.id, rows)
    return _write(rows)


def announce_export(job, now: datetime) -> int:
    """Tell the requester of an export job (models/export_jobs.py) that its file is ready, or
    that it failed, on their channels; once per job. Return how many were written."""
    event = "export_ready" if job.status == "done" else "export_failed"
    day = to_wib(now).date()
    notice_id = _issue(f"export:{job.id}", event, day, now)
    if notice_id is None:
        return 0
    user = job.requester
    kind = job.fmt.upper()
    lines = [f"Yth. {user.full_name},", ""]
    if event == "export_ready":
        rows = f"{job.rows_written:,}".replace(",", ".")
        lines += [
            f"Berkas ekspor {job.title} ({kind}, {rows} baris) siap diunduh sampai "
            f"{format_moment_long(job.expires_at)}.",
            "",
            f"Nama berkas : {job.file_name}",
        ]
    else:
        lines += [f"Ekspor {job.title} ({kind}) gagal dibuat. {job.error or ''}".strip()]
    message = Message(f"[Pengaduan] {EVENTS[event]}: {job.title} ({kind})"[:300],
                      "\n".join(lines))  # fmt: skip
    rows = []
    _address(notice_id, event, user, message, now, Recipients(day), None, rows)
    return _write(rows)


def submission_message(event: str, submission: Submission, user: User, *,
                       as_superior: bool = False, occurrence: int = 1,
                       limit: int = 1) -> Message:  # fmt: skip
    """The subject and text of an online submission's notice (waiting for registration)."""
    step = registration_step(submission.sop)
    heading = {
        "arrived": "Pengaduan dari formulir daring menunggu registrasi Anda.",
        "due_soon": "Pengaduan daring berikut segera jatuh tempo registrasinya.",
        "late": "Pengaduan daring berikut melewati batas waktu registrasi.",
    }[event]
    title = EVENTS[event]
    if as_superior:
        heading = ("Untuk diketahui sebagai atasan: pengaduan daring berikut belum diregistrasi "
                   f"{step.actor_label} dalam batas waktunya.")  # fmt: skip
        title = "Terlambat (atasan)"
    about = ("(pengaduan rahasia: pokoknya tidak dicantumkan; buka tautan untuk membaca)"
             if submission.is_confidential else submission.subject)  # fmt: skip
    lines = [
        f"Yth. {user.full_name},", "", heading, "",
        f"Diterima       : {format_moment_long(submission.received_at)}",
        f"Pokok          : {about}",
        f"Langkah        : {_step_line_of(submission.sop, step)}",
        f"Batas waktu    : {format_moment_long(submission.due_at)}",
    ]  # fmt: skip
    if event == "late":
        lines.append(f"Pengingat      : ke-{occurrence} dari paling banyak {limit}")
    subject = f"[Pengaduan] {title}: pengaduan daring menunggu registrasi"
    return Message(subject[:300], "\n".join(lines))


def _address_submission(notice_id: int, event: str, submission: Submission, people: list,
                        now: datetime, recipients: Recipients, rows: list,
                        above: tuple = (), **extra) -> None:  # fmt: skip
    for user in people:
        message = submission_message(event, submission, user, as_superior=user in above,
                                     **extra)  # fmt: skip
        _address(notice_id, event, user, message, now, recipients, None, rows, submission.id)


def announce_submission(submission: Submission, now: datetime) -> int:
    """Tell the front office that a citizen's online submission waits for registration
    (models/submission.py), in the caller's transaction; return how many notifications."""
    day = to_wib(now).date()
    recipients = Recipients(day)
    people = recipients.holding(registration_step(submission.sop).actor)
    notice_id = _issue(f"submission:{submission.id}", "arrived", day, now) if people else None
    if notice_id is None:
        return 0
    rows = []
    _address_submission(notice_id, "arrived", submission, people, now, recipients, rows)
    return _write(rows)


def _tell_submissions(now: datetime, day: date, recipients: Recipients, rows: list,
                      limit: int) -> tuple[int, int]:  # fmt: skip
    """The reminders of the online submissions waiting for registration: *due soon* once,
    *late* once an office day (to the front office and the official above it), at most
    `limit` times. Few wait at a time: read straight from their table. (due soon, late)."""
    waiting = db.session.scalars(
        select(Submission)
        .where(Submission.status == "waiting", Submission.due_soon_at <= now)
        .order_by(Submission.id)
    ).all()
    soon = late = 0
    for submission in waiting:
        step = registration_step(submission.sop)
        holders = recipients.holding(step.actor)
        if submission.due_at > now:
            key, event, extra, above = f"submission-due_soon:{submission.id}", "due_soon", {}, ()
        else:
            prefix = f"submission-late:{submission.id}:"
            told = db.session.scalar(select(func.count(Notice.id))
                                     .where(Notice.key.startswith(prefix)))  # fmt: skip
            if told >= limit:
                continue
            key, event = prefix + day.isoformat(), "late"
            above = tuple(u for u in recipients.superiors(step) if u not in holders)
            extra = {"occurrence": told + 1, "limit": limit}
        notice_id = _issue(key, event, day, now)
        if notice_id is None:
            continue
        soon, late = (soon + 1, late) if event == "due_soon" else (soon, late + 1)
        _address_submission(notice_id, event, submission, [*holders, *above], now, recipients,
                            rows, above, **extra)  # fmt: skip
    return soon, late


OVERALL_ABOVE = (Role.KABID, Role.KADIS)  # told when a complaint passes its class's limit


def overall_message(event: str, complaint: Complaint, user: User, *, as_superior: bool = False,
                    occurrence: int = 1, limit: int = 1) -> Message:  # fmt: skip
    """The subject and text of a notice about a complaint's overall limit (its class's
    working days from receipt, models/closing.py)."""
    cls = complaint.complaint_class
    heading = {
        "due_soon": "Batas waktu penyelesaian pengaduan berikut menurut kelasnya segera tiba.",
        "late": "Pengaduan berikut melewati batas waktu penyelesaian menurut kelasnya.",
    }[event]
    title = "Batas penyelesaian " + ("segera tiba" if event == "due_soon" else "terlewati")
    if as_superior:
        heading = "Untuk diketahui sebagai atasan: " + heading[0].lower() + heading[1:]
        title += " (atasan)"
    step = complaint.sop.step(complaint.current_step_no)
    lines = [
        f"Yth. {user.full_name},", "", heading, "",
        f"No. registrasi : {complaint.reg_number}",
        f"Pokok          : {_about(complaint)}",
        f"Kelas          : {cls.label}",
        f"Diterima       : {format_moment_long(complaint.received_at)}",
        f"Batas selesai  : {format_moment_long(complaint.class_due_at)}",
        f"Kini di        : {_step_line(complaint, step)}",
    ]  # fmt: skip
    if event == "late":
        lines.append(f"Pengingat      : ke-{occurrence} dari paling banyak {limit}")
    subject = f"[Pengaduan] {title}: {complaint.reg_number}"
    return Message(subject[:300], "\n".join(lines))


def _tell_overall(now: datetime, day: date, lower: datetime, recipients: Recipients, rows: list,
                  limit: int) -> tuple[int, int]:  # fmt: skip
    """The reminders of the complaints' overall limits: *due soon* once when the last quarter
    of the class's limit begins, *late* once an office day to whoever holds the open step and
    (escalated) the Kabid and the Kepala Dinas, at most `limit` times; read from the index of
    (status, class due soon) down to `lower` (a limit passed longer ago has had all its
    reminders). The notices name no stage: the steps' own reminders count theirs. (due soon,
    late)."""
    candidates = db.session.scalars(
        select(Complaint)
        .where(Complaint.status == "in_progress", Complaint.class_due_soon_at <= now,
               Complaint.class_due_at >= lower)
        .options(selectinload(Complaint.complaint_class))
        .order_by(Complaint.id)
    ).all()  # fmt: skip
    soon = late = 0
    for complaint in candidates:
        step = complaint.sop.step(complaint.current_step_no)
        holders = recipients.stage_holders(complaint, step)
        stamp = _stamp(complaint.class_due_at)
        if complaint.class_due_at > now:
            key, event, above, extra = f"overall-soon:{complaint.id}:{stamp}", "due_soon", [], {}
        else:
            prefix = f"overall-late:{complaint.id}:{stamp}:"
            told = db.session.scalar(select(func.count(Notice.id))
                                     .where(Notice.key.startswith(prefix)))  # fmt: skip
            if told >= limit:
                continue
            key, event = prefix + day.isoformat(), "late"
            above = [u for role in OVERALL_ABOVE for u in recipients.holding(role)
                     if u not in holders]  # fmt: skip
            extra = {"occurrence": told + 1, "limit": limit}
        notice_id = _issue(key, event, day, now)
        if notice_id is None:
            continue
        soon, late = (soon + 1, late) if event == "due_soon" else (soon, late + 1)
        for user in dict.fromkeys([*holders, *above]):
            message = overall_message(event, complaint, user, as_superior=user in above,
                                      **extra)  # fmt: skip
            _address(notice_id, event, user, message, now, recipients, complaint.id, rows)
    return soon, late


def _tell_lapor_closing(now: datetime, day: date, recipients: Recipients, rows: list) -> int:
    """Remind the front office, once, to close on SP4N-LAPOR! a report whose follow-up has had
    no reply for LAPOR!'s closing days (models/lapor.closing_due); return how many."""
    from models.lapor import CLOSE_DAYS, closing_due

    told = 0
    for complaint in closing_due(now):
        people = recipients.holding(Role.FO)
        notice_id = _issue(f"lapor-close:{complaint.id}", "due_soon", day, now) if people else None
        if notice_id is None:
            continue
        told += 1
        for user in people:
            lines = [
                f"Yth. {user.full_name},", "",
                f"Tindak lanjut laporan SP4N-LAPOR! berikut sudah {CLOSE_DAYS} hari kerja tanpa "
                "tanggapan pelapor: laporan dapat ditutup di LAPOR!. Setelah menutupnya, tandai "
                "pada halaman pengaduan.", "",
                f"No. registrasi : {complaint.reg_number}",
                f"Tracking ID    : {complaint.lapor_tracking_no}",
                f"Tindak lanjut  : {format_moment_long(complaint.lapor_followup_at)}",
            ]  # fmt: skip
            message = Message(f"[Pengaduan] Laporan LAPOR! dapat ditutup: "
                              f"{complaint.lapor_tracking_no}"[:300], "\n".join(lines))  # fmt: skip
            _address(notice_id, "due_soon", user, message, now, recipients, complaint.id, rows)
    return told


# -- the sweep ----------------------------------------------------------------------------


@dataclass
class SweepResult:
    """What one sweep did (the worker logs it; tests and the benchmark read it)."""

    ran: bool
    reason: str = ""
    due_soon: int = 0  # stages told
    late: int = 0
    digests: int = 0  # officials sent a digest
    notifications: int = 0


def _same_stage(event: str):
    return and_(
        Notice.complaint_id == Complaint.id,
        Notice.stage_started_at == Complaint.step_started_at,
        Notice.event == event,
    )


def _open_running():
    """Open steps of an official (not the public's) whose clock runs."""
    return and_(
        Complaint.status == "in_progress",
        Complaint.paused_at.is_(None),
        Complaint.current_actor != PUBLIC,
    )


def due_soon_candidates(now: datetime, upper: datetime):
    """Stages in their last 25 % and not late, not yet told: read from the due-moment index
    between `now` and `upper` (no stage's last quarter is longer)."""
    return (
        select(Complaint.id)
        .where(
            _open_running(),
            Complaint.due_at > now,
            Complaint.due_at <= upper,
            Complaint.due_soon_at <= now,
            ~exists().where(_same_stage("due_soon")),
        )
        .order_by(Complaint.id)
    )


def late_candidates(now: datetime, lower: datetime, day: date, limit: int):
    """Late stages not yet told today and told fewer than `limit` times: read from the
    due-moment index between `lower` (the start of the office day `limit` working days ago:
    a stage late longer has had all its reminders) and `now`. (id, times told so far)."""
    told = (
        select(func.count(Notice.id))
        .where(_same_stage("late"))
        .correlate(Complaint)
        .scalar_subquery()
    )
    today = exists().where(_same_stage("late"), Notice.day == day)
    return (
        select(Complaint.id, told)
        .where(
            _open_running(),
            Complaint.due_at >= lower,
            Complaint.due_at <= now,
            ~today,
            told < limit,
        )
        .order_by(Complaint.id)
    )


def _longest_quarter(calendar: WorkCalendar) -> int:
    """The longest last quarter of any step's standard, in working minutes."""
    minutes, days = db.session.execute(
        select(func.max(SopStep.time_minutes), func.max(SopStep.time_working_days))
    ).one()
    longest = max(minutes or 0, (days or 0) * calendar.longest_day_minutes())
    return math.ceil(longest * DUE_SOON_SHARE) + 1


def _load(ids: list[int]) -> list[Complaint]:
    """The complaints of `ids` (their SOP revisions come from the session: `_revisions`)."""
    return list(
        db.session.scalars(select(Complaint).where(Complaint.id.in_(ids)).order_by(Complaint.id))
    )


def _revisions() -> list[Sop]:
    """Every SOP revision with its steps, read once for a sweep; kept by the caller, the
    session finds each complaint's revision among them without asking the database."""
    return list(db.session.scalars(select(Sop).options(selectinload(Sop.steps))))


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def sweep(now: datetime | None = None, calendar: WorkCalendar | None = None) -> SweepResult:
    """Write the *due soon* and *late* notices that are due, and the day's digests, once each
    whichever worker runs it (idempotent); nothing while the office is closed. Commits."""
    now = now or utcnow()
    calendar = calendar or load_calendar()
    if not calendar.is_open(now):
        return SweepResult(False, "kantor tutup")
    day = to_wib(now).date()
    settings = notification_settings()
    recipients = Recipients(day, settings)
    result = SweepResult(True)
    rows: list = []
    revisions = _revisions()  # noqa: F841 - held for the session's identity map

    upper = calendar.add_minutes(now, _longest_quarter(calendar))
    soon_ids = list(db.session.scalars(due_soon_candidates(now, upper)))
    for chunk in _chunks(soon_ids):
        result.due_soon += _tell_stages("due_soon", _load(chunk), now, day, recipients, rows)

    limit = settings.late_repeat_limit
    lower = datetime.combine(calendar.working_day_before(day, limit), time.min, WIB)
    told = dict(db.session.execute(late_candidates(now, lower, day, limit)).all())
    for chunk in _chunks(sorted(told)):
        result.late += _tell_stages(
            "late", _load(chunk), now, day, recipients, rows, told=told, limit=limit
        )
        if len(rows) > 2000:
            result.notifications += _write(rows)
            rows = []

    soon, late = _tell_submissions(now, day, recipients, rows, limit)
    result.due_soon, result.late = result.due_soon + soon, result.late + late
    soon, late = _tell_overall(now, day, lower, recipients, rows, limit)
    result.due_soon, result.late = result.due_soon + soon, result.late + late
    result.due_soon += _tell_lapor_closing(now, day, recipients, rows)

    if settings.digest_enabled:
        result.digests = _digests(now, day, recipients, rows)
    result.notifications += _write(rows)
    db.session.commit()
    return result


def _tell_stages(
    event: str,
    complaints: list[Complaint],
    now: datetime,
    day: date,
    recipients: Recipients,
    rows: list,
    told: dict | None = None,
    limit: int = 1,
) -> int:
    """Issue each complaint's `event` notice for its open stage (once; a late one once a day)
    and address it; return how many this call issued. `told`: late notices so far, by id."""
    keys = {}
    for complaint in complaints:
        key = f"{event}:{complaint.id}:{_stamp(complaint.step_started_at)}"
        keys[complaint.id] = key + (f":{day.isoformat()}" if event == "late" else "")
    issued = _issue_many(
        [_notice(keys[c.id], event, day, now, c, c.current_step_no) for c in complaints]
    )
    for complaint in complaints:
        notice_id = issued.get(keys[complaint.id])
        if notice_id is None:
            continue
        step = complaint.sop.step(complaint.current_step_no)
        occurrence = (told or {}).get(complaint.id, 0) + 1
        holders = recipients.stage_holders(complaint, step)
        above = (
            [u for u in recipients.superiors(step) if u not in holders] if event == "late" else []
        )
        for user in holders + above:
            message = stage_message(
                event,
                complaint,
                step,
                user,
                as_superior=user in above,
                occurrence=occurrence,
                limit=limit,
            )
            _address(notice_id, event, user, message, now, recipients, complaint.id, rows)
    return len(issued)


# -- the daily digest ---------------------------------------------------------------------


def _officials(day: date) -> list[tuple[User, tuple[str, ...]]]:
    """Every active official with a queue on `day`, with the queue roles they hold."""
    users = db.session.scalars(
        select(User)
        .where(User.active.is_(True))
        .options(selectinload(User.appointments))
        .order_by(User.id)
    )
    found = []
    for user in users:
        roles = tuple(r for r in user.roles_held(day) if r in QUEUE_ROLES)
        if roles:
            found.append((user, roles))
    return found


def _item_line(complaint: Complaint, step: SopStep | None, now: datetime) -> str:
    state = " (TERLAMBAT)" if deadline_state(complaint, now) == "overdue" else ""
    where = f"langkah {step.no} {step.short_name}" if step else complaint.status_label
    return (
        f"- {complaint.reg_number} · {_about(complaint)} · {where} · batas "
        f"{format_moment(complaint.due_at)}{state}"
    )


def _lines(title: str, count: int, shown: list[Complaint], now: datetime) -> list[str]:
    """A digest section: its title with the count, the first complaints, how many more."""
    if not count:
        return []
    lines = [f"{title} ({count}):", *(_item_line(c, c.open_step, now) for c in shown)]
    if count > len(shown):
        lines.append(f"  … dan {count - len(shown)} lainnya.")
    return lines + [""]


def _first(ids: list[int]) -> list[Complaint]:
    """The complaints of `ids`, by due moment, with their open step: what a section lists."""
    return list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.id.in_(ids))
            .options(joinedload(Complaint.open_step), joinedload(Complaint.sop))
            .order_by(Complaint.due_at, Complaint.id)
        ).unique()
    )


def waiting_stages(user: User, roles: tuple[str, ...]) -> list:
    """(id, due_at, due_soon_at, paused_at) of each complaint waiting on `user` in `roles`,
    read role by role from the queue indexes: the role's own steps, the steps it leads, the
    Tim Teknis's meetings the user is invited to (models/actors.queue_clause)."""
    pieces = []
    for role in roles:  # (apart: an OR of the two roles' columns reads no queue index)
        pieces.append(queue_clause(role, user, co_acting=False))
        if role != INVITED_ROLE:  # the steps it leads (the Kabid at a meeting)
            pieces.append(and_(Complaint.current_co_actor == role, Complaint.current_actor != role))
    found = {}
    columns = (Complaint.id, Complaint.due_at, Complaint.due_soon_at, Complaint.paused_at)
    for piece in pieces:
        found.update((row.id, row) for row in db.session.execute(select(*columns).where(piece)))
    return list(found.values())


def digest_message(user: User, roles: tuple[str, ...], now: datetime) -> Message | None:
    """The day's digest for `user`: what waits for them — late, falling due today, the rest —
    and for the Kepala Dinas also the agency's late steps. None when there is nothing."""
    day = to_wib(now).date()
    day_end = datetime.combine(day + timedelta(days=1), time.min, WIB)
    sections: dict[str, list] = {"late": [], "today": [], "rest": []}
    for row in sorted(
        waiting_stages(user, roles), key=lambda r: (r.due_at is None, r.due_at, r.id)
    ):
        state = deadline_of(row.due_at, row.due_soon_at, row.paused_at, now)
        if state == "overdue":
            sections["late"].append(row.id)
        elif state != "paused" and row.due_at is not None and row.due_at < day_end:
            sections["today"].append(row.id)
        else:
            sections["rest"].append(row.id)
    shown = _first([i for ids in sections.values() for i in ids[:DIGEST_ITEMS]])
    by_id = {c.id: c for c in shown}
    lines = []
    for key, title in (
        ("late", "Terlambat"),
        ("today", "Jatuh tempo hari ini"),
        ("rest", "Menunggu lainnya"),
    ):
        ids = sections[key]
        lines += _lines(title, len(ids), [by_id[i] for i in ids[:DIGEST_ITEMS]], now)
    online = 0
    if Role.FO in roles:  # the online submissions waiting for registration
        online, online_late = db.session.execute(
            select(func.count(), func.count().filter(Submission.due_at < now))
            .where(Submission.status == "waiting")
        ).one()  # fmt: skip
        if online:
            lines += [f"Pengaduan daring menunggu registrasi ({online}, terlambat "
                      f"{online_late}): buka menu Pengaduan daring.", ""]  # fmt: skip
    agency = 0
    if Role.KADIS in roles:  # the agency's late steps, from the due index
        late = and_(Complaint.status == "in_progress", overdue_clause(now))
        agency = db.session.scalar(select(func.count(Complaint.id)).where(late)) or 0
        first = db.session.scalars(
            select(Complaint.id)
            .where(late)
            .order_by(Complaint.due_at, Complaint.id)
            .limit(DIGEST_ITEMS)
        )
        lines += _lines("Langkah terlambat di seluruh dinas", agency, _first(list(first)), now)
    waiting = sum(len(ids) for ids in sections.values())
    if not waiting and not agency and not online:
        return None
    subject = (
        f"[Pengaduan] Ringkasan {format_day_date(day)}: {waiting} menunggu, "
        f"{len(sections['late'])} terlambat, {len(sections['today'])} jatuh tempo hari ini"
    )
    if agency:
        subject += f"; {agency} terlambat di dinas"
    heading = [
        f"Yth. {user.full_name},",
        "",
        f"Ringkasan pengaduan untuk {format_day_date(day)}: {waiting} menunggu Anda.",
        "",
    ]
    return Message(subject[:300], "\n".join(heading + lines).rstrip())


def _digests(now: datetime, day: date, recipients: Recipients, rows: list) -> int:
    notice_id = _issue(f"digest:{day.isoformat()}", "digest", day, now)
    if notice_id is None:
        return 0
    sent = 0
    for user, roles in _officials(day):
        message = digest_message(user, roles, now)
        if message is not None:
            _address(notice_id, "digest", user, message, now, recipients, None, rows)
            sent += 1
    return sent


# -- the official's inbox -----------------------------------------------------------------


def inbox_clause(user: User, recipient=None):
    """The in-app notifications of `user` (or of the `recipient` id column given)."""
    recipient = user.id if recipient is None else recipient
    return and_(Notification.recipient_id == recipient, Notification.channel == "app")


def _unread(recipient):
    return select(func.count(Notification.id)).where(
        inbox_clause(None, recipient), Notification.read_at.is_(None)
    )


def unread_expression():
    """`unread_count` of each User row, as a column its SELECT can carry."""
    return _unread(User.id).correlate(User).scalar_subquery()


def unread_count(user: User) -> int:
    """How many of `user`'s in-app notifications are unread (the bell): as loaded with the
    session's user when it was, else counted now."""
    if user.unread_notifications is not None:
        return user.unread_notifications
    return db.session.scalar(_unread(user.id)) or 0


def mark_read(user: User, ids=None, now: datetime | None = None) -> int:
    """Mark `user`'s in-app notifications read (those of `ids`, or all); return how many.
    Another official's ids fall away."""
    clause = and_(inbox_clause(user), Notification.read_at.is_(None))
    if ids is not None:
        clause = and_(clause, Notification.id.in_(list(ids)))
    done = db.session.execute(
        update(Notification).where(clause).values(read_at=now or utcnow())
    ).rowcount
    db.session.commit()
    return done


def open_notification(user: User, notification_id: int, now: datetime | None = None):
    """`user`'s notification `notification_id` (on any channel: a mail's link names its own),
    its in-app twin marked read; None when it is not theirs."""
    found = db.session.get(Notification, notification_id)
    if found is None or found.recipient_id != user.id:
        return None
    db.session.execute(
        update(Notification)
        .where(
            Notification.notice_id == found.notice_id,
            inbox_clause(user),
            Notification.read_at.is_(None),
        )
        .values(read_at=now or utcnow())
    )
    db.session.commit()
    return found


def resend(ids, now: datetime | None = None) -> int:
    """Put failed external notifications back in the queue; return how many."""
    done = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(list(ids)), Notification.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=now or utcnow(), last_error=None)
    ).rowcount
    db.session.commit()
    return done


def outbox_counts(since: datetime) -> dict[str, int]:
    """External notifications by status (sent: since `since`), for the admin's dashboard."""
    external = Notification.channel != "app"
    counts = dict(
        db.session.execute(
            select(Notification.status, func.count(Notification.id))
            .where(external, Notification.status != "sent")
            .group_by(Notification.status)
        ).all()
    )
    # Sent since: the successful hand-overs, read from the history's time index (the sent
    # notifications themselves only grow).
    counts["sent"] = (
        db.session.scalar(
            select(func.count(Delivery.id)).where(Delivery.at >= since, Delivery.ok.is_(True))
        )
        or 0
    )
    return {status: counts.get(status, 0) for status in STATUSES}


def max_attempts() -> int:
    return int(current_app.config.get("NOTIFY_MAX_ATTEMPTS") or 5)
