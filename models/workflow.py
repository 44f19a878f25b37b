"""The one way a complaint moves: finish its open step with an outcome the SOP offers.

Everything SOP-specific comes from the SOP tables (steps, actors, outcomes, targets), the
closing stages too: after the paper's last step every SOP goes on to its own rows for drafting
the answer letter (the Kasi) and sending it (the front office), with their time standards,
then closes (selesai). Who may act, lead, stop the clock: models/actors.py.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from models import db
from models.accounts import ROLE_LABELS, ActingAppointment, Role, User
from models.actors import acting_role, clock_role, open_step, why_not
from models.calendar import WorkCalendar, load_calendar
from models.citizen_messages import tell_citizen
from models.complaint import (
    ANSWER_OPENING,
    EVENT_PHASES,
    Attachment,
    Complaint,
    StepRecord,
    next_number,
)
from models.contacts import reachable
from models.dates import format_moment, to_wib
from models.deadlines import DUE_SOON_SHARE
from models.documents import letter_number
from models.drafts import StepDraft, drop_drafts, keep_draft
from models.kinds import DOCUMENTS
from models.masterdata import Channel, ComplaintClass
from models.notifications import announce_stage
from models.settings import agency_settings
from models.sop import CLOSED, PUBLIC, SopStep, current_sop, registration_step
from models.step_forms import FORM_CLASSES, RegisterForm, attachment_problems
from models.submission import Submission, SubmissionFile, claim_waiting
from models.tracking import issue_code
from models.types import utcnow


class ActionRefused(Exception):
    """The action cannot be done; `str(exc)` says why, in Indonesian."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


class FormInvalid(Exception):
    """The step's form has errors; `form` carries them for redisplay."""

    def __init__(self, form):
        super().__init__("Isian formulir belum benar.")
        self.form = form


def due_moments(
    start: datetime, step: SopStep, calendar: WorkCalendar, paused_minutes: int = 0
) -> tuple[datetime, datetime]:
    """Return (due, due soon) of `step` started at `start`, shifted by paused working time."""
    return standard_moments(start, step.time_standard, calendar, paused_minutes)


def standard_moments(
    start: datetime, standard: dict, calendar: WorkCalendar, paused_minutes: int = 0
) -> tuple[datetime, datetime]:
    """(due, due soon) of a time standard (``{"minutes": n}`` or ``{"working_days": n}``)
    from `start`: due soon when its last DUE_SOON_SHARE begins."""
    due = calendar.add(start, standard)
    if paused_minutes:
        due = calendar.add_minutes(due, paused_minutes)
    total = calendar.between(start, due)
    soon = calendar.add_minutes(start, math.ceil(total * (1 - DUE_SOON_SHARE)))
    return due, min(soon, due)


def apply_class(complaint: Complaint, cls: ComplaintClass | None, calendar: WorkCalendar) -> None:
    """Give the complaint `cls` and its overall due moment: the class's working days from
    receipt on the office calendar (None: no class, no overall limit)."""
    complaint.class_id = cls.id if cls else None
    complaint.class_due_at = complaint.class_due_soon_at = None
    if cls is not None:
        complaint.class_due_at, complaint.class_due_soon_at = standard_moments(
            complaint.received_at, {"working_days": cls.limit_days}, calendar
        )


def offered_outcomes(complaint: Complaint) -> list:
    """The outcomes the open step offers now, honouring each outcome's `only_after`."""
    step = open_step(complaint)
    if step is None:
        return []
    return [
        o for o in step.outcomes
        if not o.only_after_codes or complaint.last_outcome in o.only_after_codes
    ]  # fmt: skip


def last_record(complaint: Complaint) -> StepRecord | None:
    return db.session.scalar(
        select(StepRecord)
        .where(StepRecord.complaint_id == complaint.id)
        .order_by(StepRecord.seq.desc())
        .limit(1)
    )


def _already_done(complaint_id: int) -> ActionRefused:
    db.session.rollback()
    complaint = db.session.get(Complaint, complaint_id)
    record = last_record(complaint)
    who = record.actor.full_name if record and record.actor else "pejabat lain"
    when = format_moment(record.finished_at) if record else ""
    return ActionRefused(f"Sudah ditindaklanjuti oleh {who} pada {when}. Muat ulang halaman.")


@dataclass(frozen=True)
class ClockEvent:
    """What happens beside the SOP's steps — a pause or resume, a class set, a closure
    (models/closing.py) — written to the history like an outcome, finishing no step."""

    code: str
    label: str
    phase: str  # one of EVENT_PHASES
    document: str | None = None


PAUSED = ClockEvent("jeda", "Jam penanganan dihentikan sementara", "pause")
RESUMED = ClockEvent("lanjut", "Jam penanganan dilanjutkan", "resume")


@dataclass(frozen=True)
class Done:
    """What the history keeps of an action on the open step: a finished step (its outcome)
    or a clock event (which finishes nothing, and so has no time used)."""

    outcome: object  # an SopOutcome or a ClockEvent
    user: User | None  # None: the complainant
    role: str
    data: dict = field(default_factory=dict)
    note: str = ""

    @property
    def clock(self) -> str | None:
        return self.outcome.phase if isinstance(self.outcome, ClockEvent) else None

    def appointment(self, now: datetime) -> ActingAppointment | None:
        """The appointment under which the user acted, when not in their own role."""
        if self.user is None or self.user.role == self.role:
            return None
        return self.user.appointment_for(self.role, to_wib(now).date())


def _write_record(complaint: Complaint, done: Done, now: datetime,
                  calendar: WorkCalendar) -> StepRecord:  # fmt: skip
    """Insert the history row of `done` on the complaint's open step."""
    seq = (db.session.scalar(select(func.max(StepRecord.seq))
                             .where(StepRecord.complaint_id == complaint.id)) or 0) + 1  # fmt: skip
    started, clock = complaint.step_started_at, done.clock
    appointment = done.appointment(now)
    record = StepRecord(
        complaint_id=complaint.id,
        seq=seq,
        sop_id=complaint.sop_id,
        step_no=complaint.current_step_no,
        phase=clock or "in_progress",
        outcome=done.outcome.code,
        outcome_label=done.outcome.label,
        actor_id=done.user.id if done.user else None,
        actor_role=done.role,
        appointment_id=appointment.id if appointment else None,
        acting_kind=appointment.kind if appointment else None,
        started_at=now if clock else started,
        finished_at=now,
        note=done.note,
        data=done.data,
        document=done.outcome.document,
        working_minutes=None
        if clock
        else max(0, calendar.between(started, now) - complaint.paused_minutes),
        met_standard=(now <= complaint.due_at) if complaint.due_at and not clock else None,
    )
    if done.outcome.document and DOCUMENTS[done.outcome.document].numbered:
        settings = agency_settings()
        year = to_wib(now).year
        record.document_number = letter_number(settings, next_number("surat_keluar", year), year)
    db.session.add(record)
    db.session.flush()
    summarise(complaint, record)
    return record


def summarise(complaint: Complaint, record: StepRecord) -> None:
    """Keep on the complaint's row what its `record`'s document adds to the registers and the
    export (DocumentKind.summary): the official a Lembar Disposisi is addressed to, once each,
    in order; the latest answer's (or forwarding's) Hal and opening."""
    kind = DOCUMENTS[record.document].summary if record.document else None
    data = record.data or {}
    if kind == "addressee":
        to = data.get("to") or {}
        if to.get("name"):
            person = f"{to['name']} ({to['position']})" if to.get("position") else to["name"]
            people = [p for p in (complaint.addressed_to or "").split("; ") if p]
            if person not in people:
                complaint.addressed_to = "; ".join([*people, person])
    elif kind == "follow_up":
        agency = data.get("agency")
        subject = data.get("subject") or (f"Dilimpahkan kepada {agency}" if agency else "")
        complaint.answer_subject = subject[:300]
        complaint.answer_opening = (data.get("body") or data.get("reason") or "")[
            :ANSWER_OPENING
        ] or None


def _move(complaint: Complaint, target: int | str, now: datetime,
          calendar: WorkCalendar) -> None:  # fmt: skip
    """Open step `target` (its number), or close the complaint (CLOSED)."""
    complaint.step_started_at = now
    complaint.paused_at = complaint.pause_reason = None
    complaint.paused_minutes = 0
    if target == CLOSED:
        complaint.status = "closed"
        complaint.current_step_no = None
        complaint.current_actor = complaint.current_co_actor = None
        complaint.due_at = complaint.due_soon_at = None
        complaint.closed_at = now
        return
    step = complaint.sop.step(target)
    complaint.status = "in_progress"
    complaint.current_step_no = target
    complaint.current_actor = step.actor
    complaint.current_co_actor = step.co_actor
    complaint.due_at, complaint.due_soon_at = due_moments(now, step, calendar)


def _target(outcome) -> int | str:
    return outcome.next_step_no if outcome.next_step_no is not None else outcome.ends


def _pass_public_steps(complaint: Complaint, calendar: WorkCalendar) -> None:
    """Record the steps of the public (the complainant's submission): done when the complaint
    came in, never waited for; each has one outcome."""
    while complaint.status == "in_progress" and complaint.current_actor == PUBLIC:
        (outcome,) = open_step(complaint).outcomes
        _write_record(complaint, Done(outcome, None, PUBLIC), complaint.step_started_at,
                      calendar)  # fmt: skip
        complaint.last_outcome = outcome.code
        _move(complaint, _target(outcome), complaint.step_started_at, calendar)


def _finish(complaint: Complaint, done: Done, now: datetime,
            calendar: WorkCalendar) -> StepRecord:  # fmt: skip
    """Record the open step as finished by `done` and open the next one."""
    if complaint.paused_at is not None:  # finishing the step ends a pause
        _restart_clock(complaint, done.user, done.role, now, calendar,
                       "Dilanjutkan karena langkah diselesaikan.")  # fmt: skip
    record = _write_record(complaint, done, now, calendar)
    complaint.last_outcome = done.outcome.code
    _move(complaint, _target(done.outcome), now, calendar)
    _pass_public_steps(complaint, calendar)
    return record


def _restart_clock(complaint, user, role, now, calendar, note):
    paused = calendar.between(complaint.paused_at, now)
    complaint.paused_minutes += paused
    step = complaint.sop.step(complaint.current_step_no)
    complaint.due_at, complaint.due_soon_at = due_moments(
        complaint.step_started_at, step, calendar, complaint.paused_minutes
    )
    _write_record(complaint, Done(RESUMED, user, role, {"paused_minutes": paused}, note), now,
                  calendar)  # fmt: skip
    complaint.paused_at = complaint.pause_reason = None


def _clock_role(complaint: Complaint, user: User, now: datetime) -> str:
    if open_step(complaint) is None:
        raise ActionRefused("Jam hanya dapat dihentikan pada langkah SOP yang sedang berjalan.")
    role = clock_role(complaint, user, now)
    if role is None:
        raise ActionRefused("Jam penanganan hanya dapat dihentikan atau dilanjutkan oleh Kasi "
                            "atau Kabid PKPL pada langkah yang mereka pegang atau yang berada "
                            "di bawah mereka.", status=403)  # fmt: skip
    return role


def pause(complaint_id: int, user: User, reason: str, now: datetime | None = None) -> None:
    """Stop the complaint's clock, e.g. while waiting for the complainant's missing data.

    :raise ActionRefused: not the holder of the step or one above, no reason, or already
        paused.
    """
    now = now or utcnow()
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise ActionRefused("Pengaduan tidak ditemukan.", status=404)
    role = _clock_role(complaint, user, now)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ActionRefused("Alasan penghentian jam wajib diisi (paling banyak 500 karakter).",
                            status=400)  # fmt: skip
    if complaint.paused_at is not None:
        raise ActionRefused(f"Jam sudah dihentikan sejak {format_moment(complaint.paused_at)}.")
    complaint.paused_at, complaint.pause_reason = now, reason
    _write_record(complaint, Done(PAUSED, user, role, note=reason), now, load_calendar())
    _commit_or_refuse(complaint_id)


def resume(complaint_id: int, user: User, now: datetime | None = None) -> int:
    """Restart a stopped clock; return the working minutes it was stopped.

    :raise ActionRefused: not the holder of the step or one above, or the clock is running.
    """
    now = now or utcnow()
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise ActionRefused("Pengaduan tidak ditemukan.", status=404)
    role = _clock_role(complaint, user, now)
    if complaint.paused_at is None:
        raise ActionRefused("Jam penanganan tidak sedang dihentikan.")
    before = complaint.paused_minutes
    _restart_clock(complaint, user, role, now, load_calendar(), "Jam dilanjutkan.")
    paused = complaint.paused_minutes - before
    _commit_or_refuse(complaint_id)
    return paused


def _commit_or_refuse(complaint_id: int) -> None:
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        raise _already_done(complaint_id) from None


def recompute_due_moments(calendar: WorkCalendar | None = None, session=None) -> int:
    """Recompute the due moments of every open step (after a calendar change, or a migration
    that opened steps); return how many. `session` defaults to the app's."""
    session = session or db.session
    calendar = calendar or load_calendar(session)
    rows = session.execute(
        select(Complaint.id, Complaint.step_started_at, Complaint.paused_minutes,
               Complaint.sop_id, Complaint.current_step_no)
        .where(Complaint.status == "in_progress")
    ).all()  # fmt: skip
    steps = {(s.sop_id, s.no): s for s in session.scalars(select(SopStep))}
    table = Complaint.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(due_at=bindparam("new_due"), due_soon_at=bindparam("new_soon"))
    )
    batch = []
    for row in rows:
        due, soon = due_moments(row.step_started_at, steps[(row.sop_id, row.current_step_no)],
                                calendar, row.paused_minutes)  # fmt: skip
        batch.append({"row_id": row.id, "new_due": due, "new_soon": soon})
        if len(batch) == 1000:
            session.execute(statement, batch)
            batch = []
    if batch:
        session.execute(statement, batch)
    session.commit()
    return len(rows)


def form_for(complaint: Complaint, outcome, formdata=None, who: dict | None = None,
             now: datetime | None = None):  # fmt: skip
    """Build the form of `outcome` for the complaint, addressed to whoever acts next, as of
    `now` (a meeting may not be called for a day before it); `who` is the complainant as the
    reader may see them (what the form may prefill)."""
    target = _target(outcome)
    to_role = complaint.sop.step(target).actor if isinstance(target, int) else None
    return FORM_CLASSES[outcome.form](
        formdata=_multidict(formdata), complaint=complaint, to_role=to_role, who=who, now=now
    )


def _multidict(formdata):
    if formdata is None or isinstance(formdata, MultiDict):
        return formdata
    md = MultiDict()
    for key, value in formdata.items():
        for v in value if isinstance(value, list | tuple) else [value]:
            md.add(key, v)
    return md


def advance(
    complaint_id: int,
    user: User,
    outcome_code: str,
    formdata=None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> StepRecord:
    """Finish the complaint's open step with `outcome_code` and open the next one, atomically.

    :param expected_version: the version the user saw; another value means somebody acted.
    :param now: the moment of the action (the forms' dates are judged against it).
    :raise ActionRefused: not this user's step, an outcome the SOP does not offer now, or
        somebody else finished the step first.
    :raise FormInvalid: the step's form has errors; nothing was saved.
    """  # fmt: skip
    now = now or utcnow()
    complaint, outcome = _open_to(complaint_id, user, outcome_code, expected_version, now)
    role = acting_role(complaint, user, to_wib(now).date())
    form = form_for(complaint, outcome, formdata, now=now)
    if not form.validate():
        raise FormInvalid(form)
    try:
        done = Done(outcome, user, role, form.record_data(), form.note_text())
        record = _finish(complaint, done, now, load_calendar())
        form.after_record(record)
        drop_drafts(complaint.id)  # the step is done: what was drafted for it is sent
        announce_stage(complaint, now, actor=user)  # the outbox: in the step's transaction
        if complaint.status == "closed":  # the answer has been sent
            tell_complainant("answered", complaint, now)
        db.session.commit()
    except (StaleDataError, IntegrityError):
        raise _already_done(complaint_id) from None
    return record


# The longest field a draft keeps (the longest a step form takes is the answer's 20,000).
DRAFT_MAX_CHARS = 20_000


def save_draft(complaint_id: int, user: User, outcome_code: str, formdata,
               expected_version: int | None = None,
               now: datetime | None = None) -> StepDraft:  # fmt: skip
    """Keep what the user typed in the open step's form of `outcome_code`, unchecked, to
    finish later (models/drafts.py): only who acts on the step now, for an outcome it offers.

    :raise ActionRefused: as `advance` refuses the step.
    """
    now = now or utcnow()
    complaint, outcome = _open_to(complaint_id, user, outcome_code, expected_version, now)
    form = form_for(complaint, outcome, formdata)
    if any(len(v) > DRAFT_MAX_CHARS for f in form for v in f.raw_data or () if isinstance(v, str)):
        raise ActionRefused(f"Draf belum tersimpan: satu isian lebih dari {DRAFT_MAX_CHARS:,} "
                            "karakter.".replace(",", "."), status=400)  # fmt: skip
    return keep_draft(complaint, outcome.code, user, form, now)


def _open_to(complaint_id: int, user: User, outcome_code: str, expected_version: int | None,
             now: datetime):  # fmt: skip
    """The complaint and the outcome of its open step the user may act with now.

    :raise ActionRefused: no such complaint (404), somebody acted since the version the user
        saw, not the user's step (403), an outcome the SOP does not offer now.
    """
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise ActionRefused("Pengaduan tidak ditemukan.", status=404)
    if expected_version is not None and complaint.version != expected_version:
        raise _already_done(complaint_id)
    reason = why_not(complaint, user, now)
    if reason:
        raise ActionRefused(reason, status=403)
    outcome = next((o for o in offered_outcomes(complaint) if o.code == outcome_code), None)
    if outcome is None:
        raise ActionRefused("Tindakan ini tidak tersedia pada langkah SOP saat ini.")
    return complaint, outcome


def tell_complainant(event: str, complaint: Complaint, now: datetime,
                     code: str | None = None, detail: str = "") -> int:  # fmt: skip
    """Queue the citizen's message of `event` to the contact the complaint keeps."""
    email, number = reachable(complaint.complainant_contact)
    return tell_citizen(event, email, number, now, code=code, complaint_id=complaint.id,
                        reg_number=complaint.reg_number, detail=detail)  # fmt: skip


def register(user: User, formdata, files=(), now: datetime | None = None,
             submission: Submission | None = None) -> Complaint:  # fmt: skip
    """Register a complaint (the front office's step) and forward it to the next official.

    The complaint enters its SOP at the first step; the public's steps before the
    registration are recorded as done when it was received. From a citizen's online
    `submission`: its channel, SOP, moment of receipt, files and tracking code are the
    complaint's (the form's corrections of jenis, subject and the rest are taken).

    :raise ActionRefused: the user may not register, no SOP is in force for the channel, or
        the submission was registered or archived meanwhile.
    :raise FormInvalid: the registration form has errors; nothing was saved.
    """
    now = now or utcnow()
    formdata = _multidict(formdata)
    if submission is not None:  # what the citizen used and when: not the form's to choose
        formdata = MultiDict(formdata or {})
        formdata["channel_id"] = str(submission.channel_id)
        formdata["received_at"] = f"{to_wib(submission.received_at):%Y-%m-%dT%H:%M}"
        if submission.lapor_tracking_id:
            formdata["lapor_tracking_no"] = submission.lapor_tracking_id
    form = RegisterForm(formdata=formdata, complaint=None, now=now)
    if not form.validate():
        raise FormInvalid(form)
    problems = attachment_problems(files)  # the submission's were checked when it came
    if problems:
        form.attachments.errors = problems
        raise FormInvalid(form)
    received = form.received_at_utc() if submission is None else submission.received_at
    channel = db.session.get(Channel, form.channel_id.data)
    sop = (current_sop(channel.sop_code, to_wib(received).date()) if submission is None
           else submission.sop)  # fmt: skip
    if sop is None:
        raise ActionRefused(f"Belum ada SOP yang berlaku untuk kanal {channel.name}.")
    step = registration_step(sop)
    if not user.holds(step.actor, to_wib(now).date()):
        raise ActionRefused(f"Hanya {ROLE_LABELS[Role(step.actor)]} yang dapat meregistrasi "
                            "pengaduan.", status=403)  # fmt: skip
    (outcome,) = [o for o in step.outcomes if o.form == "register"]
    settings = agency_settings()
    calendar = load_calendar()
    year = to_wib(now).year
    entry = min(sop.steps, key=lambda s: s.no)
    try:
        seq = next_number("registrasi", year)
        complaint = Complaint(
            reg_year=year,
            reg_seq=seq,
            reg_number=settings.registration_number_pattern.format(
                seq=seq, year=year, unit_code=settings.unit_code
            ),
            sop=sop,
            registered_by_id=user.id,
            paused_minutes=0,
            **form.complaint_fields(),
        )
        db.session.add(complaint)
        if submission is None:  # the citizen's code, shown once on the receipt (its hash kept)
            complaint.tracking_code = issue_code(complaint)
        else:  # the code the citizen got when sending it
            complaint.received_at = submission.received_at
            complaint.tracking_code, complaint.tracking_hash = None, submission.tracking_hash
        _move(complaint, entry.no, received, calendar)
        apply_class(complaint, db.session.get(ComplaintClass, complaint.class_id)
                    if complaint.class_id else None, calendar)  # fmt: skip
        db.session.flush()
        _pass_public_steps(complaint, calendar)
        if complaint.current_step_no != step.no:
            raise ActionRefused(
                f"{sop.title} tidak dapat dijalankan: langkah registrasi "
                f"(langkah {step.no}) tidak menyusul langkah masyarakat."
            )
        record = _finish(complaint, Done(outcome, user, step.actor, form.record_data()), now,
                         calendar)  # fmt: skip
        for f in files:
            db.session.add(Attachment(complaint_id=complaint.id, record_id=record.id,
                                      uploaded_by_id=user.id, **f))  # fmt: skip
        if submission is not None:
            _take_submission(submission, complaint, record, user, now)
        announce_stage(complaint, now, actor=user)
        tell_complainant("registered", complaint, now, code=complaint.tracking_code)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return complaint


LAPOR_FIELDS = ("lapor_transaction_id", "lapor_classification", "lapor_category",
                "lapor_status", "lapor_forwarded_at", "lapor_reported_at")  # fmt: skip


def _take_submission(submission: Submission, complaint: Complaint, record: StepRecord,
                     user: User, now: datetime) -> None:  # fmt: skip
    """The submission becomes the complaint: its files the complaint's attachments, its
    tracking code the complaint's (set at its creation); refused when another official
    was first."""
    if not claim_waiting(submission.id, user, "registered", now, complaint_id=complaint.id,
                         tracking_hash=None):  # fmt: skip
        raise ActionRefused("Pengaduan daring ini sudah diregistrasi atau diarsipkan oleh "
                            "petugas lain. Muat ulang daftar.")  # fmt: skip
    for name in LAPOR_FIELDS:  # a report from SP4N-LAPOR!: what LAPOR! said of it
        setattr(complaint, name, getattr(submission, name))
    for f in submission.files:
        db.session.add(Attachment(complaint_id=complaint.id, record_id=record.id,
                                  uploaded_by_id=user.id, filename=f.filename,
                                  mime_type=f.mime_type, size=f.size, sha256=f.sha256,
                                  content=f.content))  # fmt: skip
    db.session.flush()
    # Kept once: the complaint's attachments are the files now.
    db.session.execute(delete(SubmissionFile).where(SubmissionFile.submission_id
                                                    == submission.id))  # fmt: skip


def history_of(complaint: Complaint) -> list[StepRecord]:
    """The complaint's history in order, with each actor loaded in the same round trip."""
    return list(
        db.session.scalars(
            select(StepRecord)
            .where(StepRecord.complaint_id == complaint.id)
            .options(selectinload(StepRecord.actor))
            .order_by(StepRecord.seq)
        )
    )


def record_step_no(complaint: Complaint, record: StepRecord) -> int | None:
    """The number of the SOP step a history record finished (history written before the
    closing stages were steps names them by phase)."""
    step = complaint.sop.step_of_record(record.step_no, record.phase)
    return step.no if step is not None else None


def step_numbers(complaint: Complaint, history: list[StepRecord] | None = None) -> list[int]:
    """The SOP step numbers the complaint has passed, in order (from `history` when the
    caller has already read it)."""
    history = history_of(complaint) if history is None else history
    return [record_step_no(complaint, r) for r in history
            if r.phase not in EVENT_PHASES]  # fmt: skip


def role_label(role: str) -> str:
    return "Masyarakat" if role == PUBLIC else ROLE_LABELS[Role(role)]
