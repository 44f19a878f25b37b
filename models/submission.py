"""What a citizen sends through the public form, before the front office registers it.

A *submission* is step 1 of the SOP of the channel *Formulir daring* (master data: which SOP
it follows is the admin's choice; by default SOP.50): the citizen's own step, done when it is
sent. It then waits in the front office's list for registration (the SOP's registration step,
with that step's due moment), where the front office registers it as a complaint
(models/workflow.register, correcting jenis and subject as needed) or archives it with a
reason. Its tracking code passes to the complaint it becomes.

An anonymous submission keeps no name, contact or address: the form drops them. The contact
of one that is not anonymous is kept only to tell the citizen (models/citizen_messages.py)
and for the officials who may see identities (models/identity.py).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    select,
    update,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from models import db, throttle
from models.accounts import User
from models.calendar import load_calendar
from models.contacts import contact_text
from models.dates import format_moment, to_wib
from models.masterdata import Channel, Jenis
from models.sop import Sop, current_sop, in_list
from models.tracking import code_hash, new_code, normalize_code
from models.types import UTCDateTime, utcnow

ONLINE_CHANNEL = "formulir_daring"  # the channel's code (master data)
STATUSES = {"waiting": "Menunggu registrasi", "registered": "Diregistrasi",
            "archived": "Diarsipkan"}  # fmt: skip
# Why the front office archives a submission instead of registering it; the tracking page
# says it to the citizen in these words.
ARCHIVE_REASONS = {
    "bukan_pengaduan": "Bukan pengaduan, saran atau permintaan informasi",
    "terlalu_umum": "Terlalu umum atau kurang jelas untuk ditindaklanjuti",
    "bukan_pelayanan": "Tidak menyangkut pelayanan publik",
    "duplikat": "Sama dengan pengaduan yang sudah diterima",
    "spam": "Spam atau iklan",
}
RESTORE_DAYS = 30  # an archived one may be put back to wait for registration this long


class Submission(db.Model):
    """A complaint as the citizen sent it through the public form."""

    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint(in_list("status", STATUSES), name="status_known"),
        CheckConstraint(
            "archive_reason IS NULL OR " + in_list("archive_reason", ARCHIVE_REASONS),
            name="archive_reason_known",
        ),
        Index("ix_submission_tracking_hash", "tracking_hash", unique=True),
        Index("ix_submission_status_due", "status", "due_at"),
        Index("ix_submission_lapor_tracking_id", "lapor_tracking_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at = mapped_column(UTCDateTime, nullable=False)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    sop_id: Mapped[int] = mapped_column(ForeignKey("sop.id"))  # in force when it was sent
    jenis_id: Mapped[int] = mapped_column(ForeignKey("jenis.id"))
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200), default="")  # "" when anonymous
    email: Mapped[str] = mapped_column(String(200), default="")  # normalized (models/contacts)
    whatsapp: Mapped[str] = mapped_column(String(20), default="")  # 62…
    address: Mapped[str] = mapped_column(Text, default="")
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    is_confidential: Mapped[bool] = mapped_column(default=False)
    tracking_hash: Mapped[str | None] = mapped_column(String(64))  # passes to the complaint
    status: Mapped[str] = mapped_column(String(12), default="waiting")
    due_at = mapped_column(UTCDateTime, nullable=False)  # the registration step's due moment
    due_soon_at = mapped_column(UTCDateTime, nullable=False)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), unique=True)
    archive_reason: Mapped[str | None] = mapped_column(String(20))
    archive_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at = mapped_column(UTCDateTime)
    # A report imported from SP4N-LAPOR! (models/lapor.py): its fields as LAPOR! gave them,
    # and the fingerprint of its content a second import compares.
    lapor_tracking_id: Mapped[str | None] = mapped_column(String(40))
    lapor_transaction_id: Mapped[str | None] = mapped_column(String(60))
    lapor_classification: Mapped[str | None] = mapped_column(String(30))
    lapor_category: Mapped[str | None] = mapped_column(String(120))
    lapor_status: Mapped[str | None] = mapped_column(String(40))
    lapor_forwarded_at = mapped_column(UTCDateTime)
    lapor_reported_at = mapped_column(UTCDateTime)
    lapor_fingerprint: Mapped[str | None] = mapped_column(String(64))

    channel: Mapped[Channel] = relationship()
    sop: Mapped[Sop] = relationship()
    jenis: Mapped[Jenis] = relationship()
    decided_by: Mapped[User | None] = relationship()
    files: Mapped[list["SubmissionFile"]] = relationship(order_by="SubmissionFile.id")

    # What the deadline rules read (models/deadlines.py): the clock of a submission runs.
    paused_at = None

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def archive_reason_label(self) -> str:
        return ARCHIVE_REASONS.get(self.archive_reason or "", "")

    @property
    def contact(self) -> str:
        return contact_text(self.email, self.whatsapp)

    def __str__(self) -> str:
        return f"Pengaduan daring {format_moment(self.received_at)}"


class SubmissionFile(db.Model):
    """A file the citizen attached (an image or a PDF, checked by its content)."""

    __tablename__ = "submission_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class SubmissionRefused(Exception):
    """The submission cannot be taken now; `str(exc)` says why, in Indonesian."""

    def __init__(self, message: str, status: int = 429):
        super().__init__(message)
        self.message = message
        self.status = status


def online_channel() -> Channel | None:
    return db.session.scalar(select(Channel).where(Channel.code == ONLINE_CHANNEL))


def _limits(kind: str) -> tuple[int, timedelta]:
    config = current_app.config
    prefix = {"submit_address": "SUBMIT_PER_ADDRESS", "submit_contact": "SUBMIT_PER_CONTACT"}
    default = {"submit_address": 5, "submit_contact": 3}[kind]
    return (int(config.get(prefix[kind]) or default),
            timedelta(minutes=int(config.get("SUBMIT_WINDOW_MINUTES") or 60)))  # fmt: skip


@dataclass
class Sent:
    """A submission as its sender sees it at once: the row and its code (shown once)."""

    submission: Submission
    code: str


def submit(fields: dict, files: list[dict], address: str, now: datetime | None = None) -> Sent:
    """Take a citizen's submission: step 1 of the online channel's SOP, waiting for the front
    office's registration with that step's due moment; tell the front office, and the citizen
    when a contact is given. One transaction.

    :param fields: jenis_id, subject, description, name, email, whatsapp, address,
        is_anonymous, is_confidential (as the public form cleaned them).
    :raise SubmissionRefused: the address or the contact sent too many lately, or the
        channel has no SOP in force.
    """
    from models.citizen_messages import tell_citizen
    from models.notifications import announce_submission
    from models.workflow import due_moments, registration_step

    now = now or utcnow()
    channel = online_channel()
    sop = current_sop(channel.sop_code, to_wib(now).date()) if channel and channel.active else None
    if sop is None:
        raise SubmissionRefused("Formulir pengaduan daring sedang tidak dibuka. Silakan "
                                "sampaikan pengaduan di kantor atau melalui SP4N-LAPOR!.",
                                status=503)  # fmt: skip
    if fields["is_anonymous"]:
        fields = {**fields, "name": "", "email": "", "whatsapp": "", "address": ""}
    turns = [("submit_address", address, *_limits("submit_address"))]
    for contact in (fields["email"], fields["whatsapp"]):
        if contact:
            turns.append(("submit_contact", throttle.contact_key(contact),
                          *_limits("submit_contact")))  # fmt: skip
    wait = throttle.take_turn(turns, now)
    if wait:
        db.session.rollback()
        raise SubmissionRefused(
            "Terlalu banyak pengaduan dikirim dari alamat atau kontak yang sama dalam waktu "
            f"singkat. Isian Anda masih tersimpan di bawah; kirim lagi dalam {wait} menit."
        )
    step = registration_step(sop)
    due, soon = due_moments(now, step, load_calendar())
    code = new_code()
    submission = Submission(
        received_at=now, channel_id=channel.id, sop_id=sop.id, tracking_hash=code_hash(code),
        due_at=due, due_soon_at=soon, status="waiting", **fields,
    )  # fmt: skip
    db.session.add(submission)
    db.session.flush()
    for f in files:
        db.session.add(SubmissionFile(submission_id=submission.id, **f))
    announce_submission(submission, now)
    tell_citizen("received", submission.email, submission.whatsapp, now, code=code,
                 submission_id=submission.id)  # fmt: skip
    db.session.commit()
    return Sent(submission, code)


def find_submission(code: str | None) -> Submission | None:
    """The submission of a tracking code as typed that has not become a complaint, or None."""
    normal = normalize_code(code)
    if normal is None:
        return None
    return db.session.scalar(select(Submission).where(Submission.tracking_hash
                                                      == code_hash(normal)))  # fmt: skip


def claim_waiting(submission_id: int, user: User, status: str, now: datetime, **values) -> bool:
    """Mark a waiting submission `status` (registered, archived) by `user`, in the caller's
    transaction; False when it no longer waits (another official was first)."""
    return bool(
        db.session.execute(
            update(Submission)
            .where(Submission.id == submission_id, Submission.status == "waiting")
            .values(status=status, decided_by_id=user.id, decided_at=now, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def archive(submission_id: int, user: User, reason: str, note: str,
            now: datetime | None = None) -> None:  # fmt: skip
    """Archive a waiting submission with a reason (not a complaint, too general, a duplicate):
    it is not registered; the tracking page tells the citizen why.

    :raise ValueError: an unknown reason (the view's form offers only the known ones).
    :raise LookupError: the submission no longer waits.
    """
    if reason not in ARCHIVE_REASONS:
        raise ValueError(reason)
    if not claim_waiting(
        submission_id,
        user,
        "archived",
        now or utcnow(),
        archive_reason=reason,
        archive_note=(note or "").strip()[:2000],
    ):
        db.session.rollback()
        raise LookupError(submission_id)
    db.session.commit()


def restorable(submission: Submission, now: datetime) -> bool:
    """Whether an archived submission may still be put back (RESTORE_DAYS after)."""
    return (submission.status == "archived" and submission.decided_at is not None
            and now <= submission.decided_at + timedelta(days=RESTORE_DAYS))  # fmt: skip


def restore(submission_id: int, user: User, now: datetime | None = None) -> None:
    """Put an archived submission back to wait for registration (its due moment unchanged:
    the time counts from its receipt), within RESTORE_DAYS of its archiving.

    :raise LookupError: not archived, or archived too long ago.
    """
    now = now or utcnow()
    found = db.session.get(Submission, submission_id)
    if found is None or not restorable(found, now):
        raise LookupError(submission_id)
    done = db.session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.status == "archived")
        .values(status="waiting", archive_reason=None, archive_note="", decided_by_id=None,
                decided_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    if not done:
        db.session.rollback()
        raise LookupError(submission_id)
    db.session.commit()


def archive_message(fields: dict, channel: Channel, user: User, reason: str, note: str,
                    now: datetime | None = None) -> Submission:  # fmt: skip
    """Keep a message the front office decides at registration is no complaint (its reason):
    archived at once, listed with the others, restorable for RESTORE_DAYS.

    :raise ValueError: an unknown reason; LookupError: the channel has no SOP in force.
    """
    from models.workflow import due_moments, registration_step

    if reason not in ARCHIVE_REASONS:
        raise ValueError(reason)
    now = now or utcnow()
    received = fields.pop("received_at")
    sop = current_sop(channel.sop_code, to_wib(received).date())
    if sop is None:
        raise LookupError(channel.code)
    due, soon = due_moments(received, registration_step(sop), load_calendar())
    found = Submission(received_at=received, channel_id=channel.id, sop_id=sop.id,
                       status="archived", due_at=due, due_soon_at=soon, archive_reason=reason,
                       archive_note=(note or "").strip()[:2000], decided_by_id=user.id,
                       decided_at=now, **fields)  # fmt: skip
    db.session.add(found)
    db.session.commit()
    return found
