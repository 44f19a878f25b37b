"""Complaints, the append-only history of their steps, attachments and gap-free numbering."""

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
    update,
)
from sqlalchemy.orm import Mapped, deferred, foreign, mapped_column, relationship

from models import db
from models.accounts import User
from models.masterdata import Channel, ComplaintClass, Jenis, OtherAgency, Platform
from models.sop import Sop, SopStep
from models.types import UTCDateTime, dialect_insert, utcnow

# Where a complaint stands: at a step of its SOP (the paper's, or a closing stage: drafting
# or sending the answer), or closed (selesai). Which step: `current_step_no`.
STATUSES = {"in_progress": "Dalam proses", "closed": "Selesai"}
# How a closed complaint ended when not by the SOP's answer (models/closing.py): merged into
# another complaint of the same matter, or forwarded to the agency it belongs to. Each is
# also the `phase` of the history row that closed it.
CLOSURES = {"merge": "Digabung", "forward": "Dilimpahkan"}
# History rows that finish no SOP step: the clock stopped or restarted, a class set or
# changed, a meeting moved, a closure.
EVENT_PHASES = ("pause", "resume", "class", "moved", *CLOSURES)


ANSWER_OPENING = 200  # characters of an answer's body kept for the Tindak lanjut


def follow_up_text(subject: str | None, opening: str | None, identity_shown: bool) -> str:
    """A complaint's Tindak lanjut as the registers and the export print it: the answer's Hal
    and, where the reader sees the identity, the start of its body."""
    text = subject or ""
    if opening and identity_shown:
        text = f"{text}: {opening}" if text else opening
    return text


class Complaint(db.Model):
    """A citizen's submission as registered by the front office (SPEC §4.1)."""

    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("reg_year", "reg_seq"),
        CheckConstraint(
            "status IN (" + ", ".join(repr(s) for s in STATUSES) + ")", name="status_known"
        ),
        CheckConstraint(
            "(status = 'in_progress') = (current_step_no IS NOT NULL)", name="step_iff_in_progress"
        ),
        Index("ix_complaint_status_due", "status", "due_at"),
        Index("ix_complaint_tracking_hash", "tracking_hash", unique=True),
        CheckConstraint(
            "closed_as IS NULL OR " + " OR ".join(f"closed_as = '{c}'" for c in CLOSURES),
            name="closed_as_known",
        ),
        # The complaints merged into one: a partial index of the few merged ones. (Over every
        # complaint it held a NULL for nearly all, and SQLite's planner, given ANALYZE's
        # figures, walked the whole register instead: 0.3-2.5 s at a million complaints.)
        Index(
            "ix_complaint_merged_into_id",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),  # fmt: skip
        # The co-acting queues' count (the Kabid's meetings: co-actor here, actor another role)
        # from this small index alone: only open steps with a co-actor are in it (10M: 98 ms
        # reading rows from the wider queue index before it).
        Index(
            "ix_complaint_co_acting",
            "current_co_actor",
            "current_actor",
            sqlite_where=text("current_co_actor IS NOT NULL"),
            postgresql_where=text("current_co_actor IS NOT NULL"),
        ),  # fmt: skip
        # The sweep's reminders of the overall limit: open complaints by its last quarter.
        Index("ix_complaint_class_due", "status", "class_due_soon_at"),
        # The sweep's reminder to close a LAPOR! report 10 working days after the follow-up.
        Index("ix_complaint_lapor_followup", "lapor_followup_at"),
        # The duplicate check's contacts of a window, read from the index (models/duplicates.py).
        Index("ix_complaint_received_contact", "received_at", "complainant_contact", "id"),
        # A period's complaints grouped by channel, jenis, SOP and status from the index
        # alone (the recap of a year at a million complaints); also serves received_at ranges.
        Index(
            "ix_complaint_received_groups",
            "received_at",
            "channel_id",
            "jenis_id",
            "sop_id",
            "status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reg_year: Mapped[int]
    reg_seq: Mapped[int]
    reg_number: Mapped[str] = mapped_column(String(40), unique=True)
    # The citizen's tracking code, as its SHA-256 (models/tracking.py): shown once, never kept.
    tracking_hash: Mapped[str | None] = mapped_column(String(64))

    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"), index=True)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platform.id"))
    jenis_id: Mapped[int] = mapped_column(ForeignKey("jenis.id"), index=True)
    # SP4N-LAPOR!'s report: its Tracking ID (found by exact match), transaction id,
    # classification, category, status there, when LAPOR! forwarded it (models/lapor.py).
    lapor_tracking_no: Mapped[str | None] = mapped_column(String(40), index=True)
    lapor_transaction_id: Mapped[str | None] = mapped_column(String(60))
    lapor_classification: Mapped[str | None] = mapped_column(String(30))
    lapor_category: Mapped[str | None] = mapped_column(String(120))
    lapor_status: Mapped[str | None] = mapped_column(String(40))
    lapor_forwarded_at = mapped_column(UTCDateTime)
    lapor_reported_at = mapped_column(UTCDateTime)  # when the citizen reported it to LAPOR!
    # When the follow-up (tindak lanjut) was posted on LAPOR!, and by whom.
    lapor_followup_at = mapped_column(UTCDateTime)
    lapor_followup_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    lapor_closed_at = mapped_column(UTCDateTime)  # when the front office closed it on LAPOR!
    received_at = mapped_column(UTCDateTime, nullable=False)  # indexed with the recap's groups

    complainant_name: Mapped[str] = mapped_column(String(200))
    complainant_contact: Mapped[str] = mapped_column(String(200), default="")
    complainant_address: Mapped[str] = mapped_column(Text, default="")
    is_anonymous: Mapped[bool] = mapped_column(default=False)  # identity hidden (anonim)
    is_confidential: Mapped[bool] = mapped_column(default=False)  # whole report restricted
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)

    sop_id: Mapped[int] = mapped_column(ForeignKey("sop.id"), index=True)  # the revision followed
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    current_step_no: Mapped[int | None]
    # Who must act now (a role), kept by the engine so that a queue is one indexed clause.
    current_actor: Mapped[str | None] = mapped_column(String(20), index=True)
    current_co_actor: Mapped[str | None] = mapped_column(String(20))
    last_outcome: Mapped[str | None] = mapped_column(String(40))  # how the open step was entered
    step_started_at = mapped_column(UTCDateTime)  # when the open step or phase began
    due_at = mapped_column(UTCDateTime)  # due moment of the open step
    due_soon_at = mapped_column(UTCDateTime)  # from here on: the last 25% of the standard
    paused_at = mapped_column(UTCDateTime)  # the clock is stopped since (None: running)
    pause_reason: Mapped[str | None] = mapped_column(String(500))
    paused_minutes: Mapped[int] = mapped_column(default=0, server_default="0")  # this step

    # Its class by weight and the overall due moment from receipt (models/closing.py).
    class_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_class.id"))
    class_due_at = mapped_column(UTCDateTime)
    class_due_soon_at = mapped_column(UTCDateTime)  # the last 25% of the class's limit
    # How it closed when not answered (CLOSURES), into which complaint, to which agency.
    closed_as: Mapped[str | None] = mapped_column(String(20))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    forwarded_to_id: Mapped[int | None] = mapped_column(ForeignKey("other_agency.id"))

    # What the registers and the export show of its history, kept by the engine as each
    # document is recorded (workflow.summarise): Diteruskan kepada, "Name (position); …";
    # Tindak lanjut, the latest answer's Hal and the start of its body (a body may name the
    # complainant: shown only with the identity, follow_up_text).
    addressed_to: Mapped[str] = mapped_column(Text, default="", server_default="")
    answer_subject: Mapped[str | None] = mapped_column(String(300))
    answer_opening: Mapped[str | None] = mapped_column(String(ANSWER_OPENING))

    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    closed_at = mapped_column(UTCDateTime, index=True)
    # Bumped by every move; an UPDATE that finds another value lost a race.
    version: Mapped[int] = mapped_column(default=1)

    channel: Mapped[Channel] = relationship()
    platform: Mapped[Platform | None] = relationship()
    jenis: Mapped[Jenis] = relationship()
    sop: Mapped[Sop] = relationship()
    # The open SOP step's row, for lists that join it instead of loading every step.
    open_step: Mapped[SopStep | None] = relationship(
        primaryjoin=lambda: and_(SopStep.sop_id == foreign(Complaint.sop_id),
                                 SopStep.no == foreign(Complaint.current_step_no)),
        viewonly=True,
    )  # fmt: skip
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])
    complaint_class: Mapped[ComplaintClass | None] = relationship()
    merged_into: Mapped["Complaint | None"] = relationship(remote_side=lambda: [Complaint.id])
    forwarded_to: Mapped[OtherAgency | None] = relationship()
    history: Mapped[list["StepRecord"]] = relationship(
        back_populates="complaint", order_by="StepRecord.seq"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="complaint", order_by="Attachment.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        if self.closed_as:
            return CLOSURES[self.closed_as]
        return STATUSES[self.status]

    @property
    def status_text(self) -> str:
        """The status with where a merged or forwarded complaint went (for registers)."""
        if self.closed_as == "merge":
            return f"{self.status_label} ke {self.merged_into.reg_number}"
        if self.closed_as == "forward":
            return f"{self.status_label} ke {self.forwarded_to.name}"
        return self.status_label

    def __str__(self) -> str:
        return self.reg_number


class StepRecord(db.Model):
    """One finished step of a complaint: who did what, when, under which appointment.

    Rows are only ever inserted; nothing in the application updates or deletes them.
    """

    __tablename__ = "step_record"
    __table_args__ = (UniqueConstraint("complaint_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    seq: Mapped[int]  # 1, 2, 3 … within the complaint
    sop_id: Mapped[int] = mapped_column(ForeignKey("sop.id"))
    # The SOP step finished (or paused); None only in history written before the closing stages
    # were steps, whose `phase` then names the stage ("answer", "dispatch").
    step_no: Mapped[int | None]
    # in_progress: a finished step; pause / resume: the clock stopped or restarted during it.
    phase: Mapped[str] = mapped_column(String(20), default="in_progress")
    outcome: Mapped[str] = mapped_column(String(40))
    outcome_label: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: the complainant
    actor_role: Mapped[str] = mapped_column(String(20))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("acting_appointment.id"))
    acting_kind: Mapped[str | None] = mapped_column(String(4))  # Plt. / Plh.
    started_at = mapped_column(UTCDateTime, nullable=False)
    finished_at = mapped_column(UTCDateTime, nullable=False)
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # the step form's fields
    document: Mapped[str | None] = mapped_column(String(40))
    document_number: Mapped[str | None] = mapped_column(String(60))
    working_minutes: Mapped[int | None]
    met_standard: Mapped[bool | None]

    complaint: Mapped[Complaint] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()
    sop: Mapped[Sop] = relationship()


class MeetingInvitee(db.Model):
    """A Tim Teknis member invited to a coordination meeting (rakor) of a complaint."""

    __tablename__ = "meeting_invitee"
    __table_args__ = (UniqueConstraint("record_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("step_record.id"))  # the invitation
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    user: Mapped[User] = relationship()


ATTACHMENT_PURPOSES = "purpose IN ('signed', 'dispatch')"


class Attachment(db.Model):
    """A file attached to a complaint (a screenshot of the post, a scanned form, a PDF)."""

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint(f"purpose IS NULL OR {ATTACHMENT_PURPOSES}", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("step_record.id"))
    # Filed after printing (models/scans.py): the document's signed scan, the letter's proof
    # of dispatch; None: a file of the complaint itself.
    purpose: Mapped[str | None] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_at = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")


class NumberSequence(db.Model):
    """The last number given out per series and year, for gap-free numbering."""

    __tablename__ = "number_sequence"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


def next_number(name: str, year: int) -> int:
    """Take the next number of series `name` in `year`, inside the caller's transaction.

    The UPDATE locks the counter row until the transaction ends, so concurrent callers queue
    up and a rolled-back transaction gives its number back: no gaps, no duplicates.
    """
    session = db.session
    insert = dialect_insert(session)
    session.execute(
        insert(NumberSequence)
        .values(name=name, year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["name", "year"])
    )
    return session.execute(
        update(NumberSequence)
        .where(NumberSequence.name == name, NumberSequence.year == year)
        .values(last_value=NumberSequence.last_value + 1)
        .returning(NumberSequence.last_value)
    ).scalar_one()
