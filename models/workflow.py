"""The one way a complaint moves: finish its open step with an outcome the SOP offers.

Everything SOP-specific comes from the SOP tables (steps, actors, outcomes, targets). After the
last numbered step, every SOP closes the same way: the Kasi drafts the Surat Dinas ("answer")
when the path did not already produce it, the front office records it as sent ("dispatch"),
and the complaint is closed (selesai).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from models import db
from models.accounts import ROLE_LABELS, Role, User
from models.complaint import Attachment, Complaint, MeetingInvitee, StepRecord, next_number
from models.dates import WIB, format_moment, to_wib
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


def due_moment(start: datetime, step: SopStep) -> datetime:
    """Return when a step started at `start` is due: plain clock time for now."""
    if step.time_minutes is not None:
        return start + timedelta(minutes=step.time_minutes)
    return start + timedelta(days=step.time_working_days)


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


def _write_record(complaint, stage, outcome, user, role, appointment, data, now, note=""):
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
        phase=complaint.status,
        outcome=outcome.code,
        outcome_label=outcome.label,
        actor_id=user.id if user else None,
        actor_role=role,
        appointment_id=appointment.id if appointment else None,
        acting_kind=appointment.kind if appointment else None,
        started_at=started,
        finished_at=now,
        note=note,
        data=data,
        document=outcome.document,
        working_minutes=max(0, int((now - started).total_seconds() // 60)),
        met_standard=(now <= complaint.due_at) if complaint.due_at else None,
    )
    db.session.add(record)
    db.session.flush()
    return record


def _move(complaint: Complaint, target, now: datetime) -> None:
    """Open the stage `target` (a step number, "answer", "dispatch" or "closed")."""
    complaint.step_started_at = now
    if isinstance(target, int):
        step = complaint.sop.step(target)
        complaint.status = "in_progress"
        complaint.current_step_no = target
        complaint.current_actor = step.actor
        complaint.current_co_actor = step.co_actor
        complaint.due_at = due_moment(now, step)
        return
    complaint.current_step_no = None
    complaint.due_at = None
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


def _finish(complaint, outcome, user, role, data, now, note=""):
    """Record the open stage as finished by `outcome` and open the next one."""
    stage = open_stage(complaint)
    on = to_wib(now).date()
    appointment = None if user is None or user.role == role else user.appointment_for(role, on)
    record = _write_record(complaint, stage, outcome, user, role, appointment, data, now, note)
    complaint.last_outcome = outcome.code
    _move(complaint, _target(stage, outcome), now)
    # Steps of the public (step 1) are done by the complainant: recorded, never waited for.
    while complaint.status == "in_progress" and complaint.current_actor == PUBLIC:
        (public_outcome,) = open_stage(complaint).outcomes
        _write_record(complaint, open_stage(complaint), public_outcome, None, PUBLIC, None, {},
                      complaint.step_started_at)  # fmt: skip
        complaint.last_outcome = public_outcome.code
        _move(complaint, public_outcome.next_step_no, complaint.step_started_at)
    return record


def form_for(complaint: Complaint, outcome, formdata=None):
    """Build the form of `outcome` for the complaint, addressed to whoever acts next."""
    target = _target(open_stage(complaint), outcome)
    if isinstance(target, int):
        to_role = complaint.sop.step(target).actor
    else:
        to_role = PHASES[target].actor if target in PHASES else None
    return FORM_CLASSES[outcome.form](
        formdata=_multidict(formdata), complaint=complaint, to_role=to_role
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
                         note=form.note_text())  # fmt: skip
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
            due_at=due_moment(received, sop.step(1)),
            **form.complaint_fields(),
        )
        db.session.add(complaint)
        db.session.flush()
        first = sop.step(1)
        (public_outcome,) = first.outcomes
        _write_record(complaint, first, public_outcome, None, PUBLIC, None, {}, received)
        complaint.last_outcome = public_outcome.code
        _move(complaint, public_outcome.next_step_no, received)
        record = _finish(complaint, outcome, user, step.actor, form.record_data(), now)
        for f in files:
            db.session.add(Attachment(complaint_id=complaint.id, record_id=record.id,
                                      uploaded_by_id=user.id, **f))  # fmt: skip
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return complaint


def history_of(complaint: Complaint) -> list[StepRecord]:
    return list(
        db.session.scalars(
            select(StepRecord)
            .where(StepRecord.complaint_id == complaint.id)
            .order_by(StepRecord.seq)
        )
    )


def step_numbers(complaint: Complaint) -> list:
    """The SOP step numbers (or closing phases) the complaint has passed, in order."""
    return [r.step_no if r.step_no is not None else r.phase for r in history_of(complaint)]


def role_label(role: str) -> str:
    return "Masyarakat" if role == PUBLIC else ROLE_LABELS[Role(role)]


__all__ = [
    "ActionRefused", "FormInvalid", "PHASES", "WIB", "advance", "offered_outcomes",
    "open_stage", "register", "why_not",
]  # fmt: skip
