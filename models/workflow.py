"""The one way a complaint moves: finish its open step with an outcome the SOP offers.

Everything SOP-specific comes from the SOP tables (steps, actors, outcomes, targets). After the
last numbered step, every SOP closes the same way: the Kasi drafts the Surat Dinas ("answer")
when the path did not already produce it, the front office records it as sent ("dispatch"),
and the complaint is closed (selesai).
"""

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from models import db
from models.accounts import ROLE_LABELS, Role, User, chain_from
from models.calendar import WorkCalendar, load_calendar
from models.complaint import Attachment, Complaint, MeetingInvitee, StepRecord, next_number
from models.dates import format_moment, to_wib
from models.documents import NUMBERED, letter_number
from models.masterdata import Channel
from models.settings import agency_settings
from models.sop import PUBLIC, Sop, SopStep, current_sop
from models.step_forms import FORM_CLASSES, RegisterForm, attachment_problems
from models.types import utcnow


@dataclass(frozen=True)
class PhaseOutcome:
    """An outcome of the closing phases, shaped like an SOP outcome."""

    code: str
    label: str
    form: str
    document: str | None
    next_step_no: None = None
    only_after_codes: tuple = ()


@dataclass(frozen=True)
class Phase:
    """A closing phase: who acts and what they can do (the same for every SOP)."""

    name: str
    short_name: str
    actor: str
    outcome: PhaseOutcome
    leads_to: str
    co_actor: str | None = None

    @property
    def outcomes(self):
        return [self.outcome]


PHASES = {
    "answer": Phase(
        "answer", "Penyusunan jawaban tertulis", Role.KASI,
        PhaseOutcome("jawaban_tertulis", "Jawaban tertulis (Surat Dinas)", "answer", "surat_dinas"),
        leads_to="dispatch",
    ),
    "dispatch": Phase(
        "dispatch", "Pengiriman jawaban", Role.FO,
        PhaseOutcome("terkirim", "Jawaban dikirim kepada pengadu", "dispatch", None),
        leads_to="closed",
    ),
}  # fmt: skip


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


# Officials who may stop a complaint's clock (e.g. waiting for the complainant's data), on a
# step they hold or one below them in the line of command (`accounts.chain_from`).
PAUSE_ROLES = (Role.KASI, Role.KABID)
DUE_SOON_SHARE = 0.25  # the last quarter of a step's standard is "due soon" (SPEC §3)


def due_moments(start: datetime, step: SopStep, calendar: WorkCalendar,
                paused_minutes: int = 0) -> tuple[datetime, datetime]:
    """Return (due, due soon) of `step` started at `start`, shifted by paused working time."""
    due = calendar.add(start, step.time_standard)
    if paused_minutes:
        due = calendar.add_minutes(due, paused_minutes)
    total = calendar.between(start, due)
    soon = calendar.add_minutes(start, math.ceil(total * (1 - DUE_SOON_SHARE)))
    return due, min(soon, due)


def open_stage(complaint: Complaint):
    """Return the complaint's open SOP step or closing phase, or None when closed."""
    if complaint.status == "in_progress":
        return complaint.sop.step(complaint.current_step_no)
    return PHASES.get(complaint.status)


def offered_outcomes(complaint: Complaint) -> list:
    """The outcomes the open stage offers now, honouring each outcome's `only_after`."""
    stage = open_stage(complaint)
    if stage is None:
        return []
    return [
        o for o in stage.outcomes
        if not o.only_after_codes or complaint.last_outcome in o.only_after_codes
    ]  # fmt: skip


def _stage_roles(stage) -> tuple[str, ...]:
    return tuple(r for r in (stage.actor, stage.co_actor) if r)


def _invited(complaint: Complaint, user: User) -> bool:
    """Tell whether `user` is invited to the complaint's latest coordination meeting."""
    latest = (
        select(func.max(MeetingInvitee.record_id))
        .where(MeetingInvitee.complaint_id == complaint.id)
        .scalar_subquery()
    )
    return db.session.scalar(
        select(func.count(MeetingInvitee.id)).where(
            MeetingInvitee.complaint_id == complaint.id,
            MeetingInvitee.record_id == latest,
            MeetingInvitee.user_id == user.id,
        )
    ) > 0


def acting_role(complaint: Complaint, user: User, on) -> str | None:
    """Return the role in which `user` may act on the open stage on `on`, or None."""
    stage = open_stage(complaint)
    if stage is None:
        return None
    for role in _stage_roles(stage):
        if not user.holds(role, on):
            continue
        if role == Role.TIM_TEKNIS and not _invited(complaint, user):
            continue
        return role
    return None


def why_not(complaint: Complaint, user: User, now: datetime | None = None) -> str | None:
    """Say in Indonesian why `user` cannot act on the complaint now; None when they can."""
    now = now or utcnow()
    stage = open_stage(complaint)
    if stage is None:
        return "Pengaduan sudah selesai ditangani."
    if acting_role(complaint, user, to_wib(now).date()) is not None:
        return None
    waiting = {
        Role.KADIS: "Menunggu disposisi Kepala Dinas",
        Role.KABID: "Menunggu tindak lanjut Kabid PKPL",
        Role.KASI: "Menunggu tindak lanjut Kasi Monev & Pengaduan",
        Role.TIM_TEKNIS: "Menunggu Berita Acara rapat koordinasi Tim Teknis",
        Role.FO: "Menunggu Petugas FO",
    }[stage.actor]
    if stage.actor == Role.TIM_TEKNIS and user.holds(Role.TIM_TEKNIS, to_wib(now).date()):
        return f"{waiting} (Anda tidak diundang pada rapat ini)."
    return f"{waiting} ({stage.short_name})."


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


def _write_record(complaint, stage, outcome, user, role, appointment, data, now, calendar,
                  note="", clock_phase=None):  # fmt: skip
    """Insert the history row of a finished stage, or with `clock_phase` ("pause"/"resume")
    of a clock event, which finishes nothing and so has no time used."""
    seq = (
        db.session.scalar(
            select(func.max(StepRecord.seq)).where(StepRecord.complaint_id == complaint.id)
        )
        or 0
    ) + 1
    started = complaint.step_started_at
    record = StepRecord(
        complaint_id=complaint.id,
        seq=seq,
        sop_id=complaint.sop_id,
        step_no=complaint.current_step_no,
        phase=clock_phase or complaint.status,
        outcome=outcome.code,
        outcome_label=outcome.label,
        actor_id=user.id if user else None,
        actor_role=role,
        appointment_id=appointment.id if appointment else None,
        acting_kind=appointment.kind if appointment else None,
        started_at=now if clock_phase else started,
        finished_at=now,
        note=note,
        data=data,
        document=outcome.document,
        working_minutes=None if clock_phase else
        max(0, calendar.between(started, now) - complaint.paused_minutes),
        met_standard=(now <= complaint.due_at) if complaint.due_at and not clock_phase else None,
    )
    if outcome.document in NUMBERED:
        settings = agency_settings()
        year = to_wib(now).year
        record.document_number = letter_number(settings, next_number("surat_keluar", year), year)
    db.session.add(record)
    db.session.flush()
    return record


def _move(complaint: Complaint, target, now: datetime, calendar: WorkCalendar) -> None:
    """Open the stage `target` (a step number, "answer", "dispatch" or "closed")."""
    complaint.step_started_at = now
    complaint.paused_at = complaint.pause_reason = None
    complaint.paused_minutes = 0
    if isinstance(target, int):
        step = complaint.sop.step(target)
        complaint.status = "in_progress"
        complaint.current_step_no = target
        complaint.current_actor = step.actor
        complaint.current_co_actor = step.co_actor
        complaint.due_at, complaint.due_soon_at = due_moments(now, step, calendar)
        return
    complaint.current_step_no = None
    complaint.due_at = complaint.due_soon_at = None
    if target == "closed":
        complaint.status = "closed"
        complaint.current_actor = complaint.current_co_actor = None
        complaint.closed_at = now
        return
    phase = PHASES[target]
    complaint.status = target
    complaint.current_actor = phase.actor
    complaint.current_co_actor = phase.co_actor


def _target(stage, outcome):
    if isinstance(stage, Phase):
        return stage.leads_to
    return outcome.next_step_no if outcome.next_step_no is not None else outcome.ends


def _appointment(user, role, now):
    if user is None or user.role == role:
        return None
    return user.appointment_for(role, to_wib(now).date())


def _finish(complaint, outcome, user, role, data, now, calendar, note=""):
    """Record the open stage as finished by `outcome` and open the next one."""
    stage = open_stage(complaint)
    if complaint.paused_at is not None:  # finishing the step ends a pause
        _restart_clock(complaint, user, role, now, calendar,
                       "Dilanjutkan karena langkah diselesaikan.")  # fmt: skip
    appointment = _appointment(user, role, now)
    record = _write_record(complaint, stage, outcome, user, role, appointment, data, now,
                           calendar, note)  # fmt: skip
    complaint.last_outcome = outcome.code
    _move(complaint, _target(stage, outcome), now, calendar)
    # Steps of the public (step 1) are done by the complainant: recorded, never waited for.
    while complaint.status == "in_progress" and complaint.current_actor == PUBLIC:
        (public_outcome,) = open_stage(complaint).outcomes
        _write_record(complaint, open_stage(complaint), public_outcome, None, PUBLIC, None, {},
                      complaint.step_started_at, calendar)  # fmt: skip
        complaint.last_outcome = public_outcome.code
        _move(complaint, public_outcome.next_step_no, complaint.step_started_at, calendar)
    return record


@dataclass(frozen=True)
class ClockEvent:
    """A pause or resume, written to the history like an outcome."""

    code: str
    label: str
    document: None = None


PAUSED = ClockEvent("jeda", "Jam penanganan dihentikan sementara")
RESUMED = ClockEvent("lanjut", "Jam penanganan dilanjutkan")


def _clock_record(complaint, event, user, role, now, calendar, note, data=None):
    appointment = _appointment(user, role, now)
    return _write_record(complaint, open_stage(complaint), event, user, role, appointment,
                         data or {}, now, calendar, note,
                         clock_phase="pause" if event is PAUSED else "resume")  # fmt: skip


def _restart_clock(complaint, user, role, now, calendar, note):
    paused = calendar.between(complaint.paused_at, now)
    complaint.paused_minutes += paused
    step = complaint.sop.step(complaint.current_step_no)
    complaint.due_at, complaint.due_soon_at = due_moments(
        complaint.step_started_at, step, calendar, complaint.paused_minutes
    )
    _clock_record(complaint, RESUMED, user, role, now, calendar, note,
                  {"paused_minutes": paused})  # fmt: skip
    complaint.paused_at = complaint.pause_reason = None


def clock_role(complaint: Complaint, user: User, now: datetime | None = None) -> str | None:
    """The role in which `user` may stop or restart the complaint's clock now, or None.

    Only on a running SOP step, and only its holder or an official above them: a Kasi or
    Kabid who holds the step's role (or its leader's), or a role the step's role answers to.
    """
    if complaint.status != "in_progress":
        return None
    stage = open_stage(complaint)
    above = {r for role in _stage_roles(stage) for r in chain_from(role)}
    on = to_wib(now or utcnow()).date()
    return next((r for r in PAUSE_ROLES if r in above and user.holds(r, on)), None)


def _clock_role(complaint: Complaint, user: User, now: datetime) -> str:
    if complaint.status != "in_progress":
        raise ActionRefused("Jam hanya dapat dihentikan pada langkah SOP yang sedang berjalan.")
    role = clock_role(complaint, user, now)
    if role is None:
        raise ActionRefused("Jam penanganan hanya dapat dihentikan atau dilanjutkan oleh Kasi "
                            "atau Kabid PKPL pada langkah yang mereka pegang atau yang berada "
                            "di bawah mereka.", status=403)  # fmt: skip
    return role


def pause(complaint_id: int, user: User, reason: str, now: datetime | None = None) -> None:
    """Stop the complaint's clock, e.g. while waiting for the complainant's missing data.

    :raise ActionRefused: not the Kasi or Kabid, no reason, or already paused.
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
    _clock_record(complaint, PAUSED, user, role, now, load_calendar(), reason)
    _commit_or_refuse(complaint_id)


def resume(complaint_id: int, user: User, now: datetime | None = None) -> int:
    """Restart a stopped clock; return the working minutes it was stopped.

    :raise ActionRefused: not the Kasi or Kabid, or the clock is running.
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


def recompute_due_moments(calendar: WorkCalendar | None = None) -> int:
    """Recompute the due moments of every open step (after a calendar change); return count."""
    calendar = calendar or load_calendar()
    rows = db.session.execute(
        select(Complaint.id, Complaint.step_started_at, Complaint.paused_minutes,
               Complaint.sop_id, Complaint.current_step_no)
        .where(Complaint.status == "in_progress")
    ).all()  # fmt: skip
    steps = {(s.sop_id, s.no): s for s in db.session.scalars(select(SopStep))}
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
            db.session.execute(statement, batch)
            batch = []
    if batch:
        db.session.execute(statement, batch)
    db.session.commit()
    return len(rows)


def form_for(complaint: Complaint, outcome, formdata=None, who: dict | None = None):
    """Build the form of `outcome` for the complaint, addressed to whoever acts next;
    `who` is the complainant as the reader may see them (what the form may prefill)."""
    target = _target(open_stage(complaint), outcome)
    if isinstance(target, int):
        to_role = complaint.sop.step(target).actor
    else:
        to_role = PHASES[target].actor if target in PHASES else None
    return FORM_CLASSES[outcome.form](
        formdata=_multidict(formdata), complaint=complaint, to_role=to_role, who=who
    )


def _multidict(formdata):
    if formdata is None or isinstance(formdata, MultiDict):
        return formdata
    md = MultiDict()
    for key, value in formdata.items():
        for v in value if isinstance(value, list | tuple) else [value]:
            md.add(key, v)
    return md


def advance(complaint_id: int, user: User, outcome_code: str, formdata=None,
            expected_version: int | None = None, now: datetime | None = None,
            allow_past_meeting: bool = False) -> StepRecord:
    """Finish the complaint's open step with `outcome_code` and open the next one, atomically.

    :param expected_version: the version the user saw; another value means somebody acted.
    :raise ActionRefused: not this user's step, an outcome the SOP does not offer now, or
        somebody else finished the step first.
    :raise FormInvalid: the step's form has errors; nothing was saved.
    """  # fmt: skip
    now = now or utcnow()
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
    role = acting_role(complaint, user, to_wib(now).date())
    form = form_for(complaint, outcome, formdata)
    if allow_past_meeting:
        form.allow_past = True
    if not form.validate():
        raise FormInvalid(form)
    try:
        record = _finish(complaint, outcome, user, role, form.record_data(), now,
                         load_calendar(), note=form.note_text())  # fmt: skip
        form.after_record(record)
        db.session.commit()
    except (StaleDataError, IntegrityError):
        raise _already_done(complaint_id) from None
    return record


def registration_step(sop: Sop) -> SopStep:
    """The step whose outcome is the registration form (step 2 on the paper)."""
    for step in sop.steps:
        if any(o.form == "register" for o in step.outcomes):
            return step
    raise LookupError(f"{sop.title} has no registration step")


def register(user: User, formdata, files=(), now: datetime | None = None) -> Complaint:
    """Register a complaint (the front office's step) and forward it to the next official.

    :raise ActionRefused: the user may not register, or no SOP is in force for the channel.
    :raise FormInvalid: the registration form has errors; nothing was saved.
    """
    now = now or utcnow()
    form = RegisterForm(formdata=_multidict(formdata), complaint=None)
    if not form.validate():
        raise FormInvalid(form)
    problems = attachment_problems(files)
    if problems:
        form.attachments.errors = problems
        raise FormInvalid(form)
    received = form.received_at_utc()
    channel = db.session.get(Channel, form.channel_id.data)
    sop = current_sop(channel.sop_code, to_wib(received).date())
    if sop is None:
        raise ActionRefused(f"Belum ada SOP yang berlaku untuk kanal {channel.name}.")
    step = registration_step(sop)
    if not user.holds(step.actor, to_wib(now).date()):
        raise ActionRefused("Hanya Petugas FO yang dapat meregistrasi pengaduan.", status=403)
    (outcome,) = [o for o in step.outcomes if o.form == "register"]
    settings = agency_settings()
    calendar = load_calendar()
    year = to_wib(now).year
    try:
        seq = next_number("registrasi", year)
        complaint = Complaint(
            reg_year=year,
            reg_seq=seq,
            reg_number=settings.registration_number_pattern.format(
                seq=seq, year=year, unit_code=settings.unit_code
            ),
            sop_id=sop.id,
            registered_by_id=user.id,
            status="in_progress",
            current_step_no=1,
            current_actor=sop.step(1).actor,
            step_started_at=received,
            paused_minutes=0,
            **form.complaint_fields(),
        )
        complaint.due_at, complaint.due_soon_at = due_moments(received, sop.step(1), calendar)
        db.session.add(complaint)
        db.session.flush()
        first = sop.step(1)
        (public_outcome,) = first.outcomes
        _write_record(complaint, first, public_outcome, None, PUBLIC, None, {}, received,
                      calendar)  # fmt: skip
        complaint.last_outcome = public_outcome.code
        _move(complaint, public_outcome.next_step_no, received, calendar)
        record = _finish(complaint, outcome, user, step.actor, form.record_data(), now,
                         calendar)  # fmt: skip
        for f in files:
            db.session.add(Attachment(complaint_id=complaint.id, record_id=record.id,
                                      uploaded_by_id=user.id, **f))  # fmt: skip
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return complaint


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


def step_numbers(complaint: Complaint, history: list[StepRecord] | None = None) -> list:
    """The SOP step numbers (or closing phases) the complaint has passed, in order (from
    `history` when the caller has already read it)."""
    history = history_of(complaint) if history is None else history
    return [r.step_no if r.step_no is not None else r.phase for r in history
            if r.phase not in ("pause", "resume")]  # fmt: skip


def role_label(role: str) -> str:
    return "Masyarakat" if role == PUBLIC else ROLE_LABELS[Role(role)]

