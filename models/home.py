"""What each official's home page lists first: small bounded queries, one statement each.

The lists name a complaint by its registration number, jenis and step only: never the
complainant, nor the subject (a confidential complaint's subject is itself restricted).
Glossary: *disposisi* = the Kepala Dinas's routing instruction; *rakor* = the Tim Teknis's
coordination meeting, called by an invitation (a history record with its `day` and `start`).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, select

from models import db
from models.accounts import ROLE_LABELS, Role, User, users_holding
from models.actors import INVITED_ROLE, MEETING_FORM, queue_clause
from models.calendar import OfficeHours, WorkCalendar
from models.complaint import Complaint, MeetingInvitee, StepRecord
from models.dates import WIB
from models.deadlines import deadline_of, overdue_clause
from models.identity import visible_complaints
from models.masterdata import Channel, Jenis
from models.settings import AgencySettings
from models.sop import Sop, SopOutcome, SopStep
from models.submission import Submission
from models.tally import DayTally

HOME_LIMIT = 10  # the longest list a home page shows; the full list is one click away
TOP_LIMIT = 5  # the few most urgent items of a queue
# The roles whose home lists their queue's most urgent items and the coming meetings.
HOME_QUEUE_ROLES = (Role.KABID, Role.KASI)


def working_age(start: datetime, end: datetime, calendar: WorkCalendar) -> str:
    """How long from `start` to `end` in working time, as the office says it: ``45 menit``,
    ``3 jam``, ``2 hari kerja`` (whole office days of the longest weekday's hours)."""
    minutes = calendar.between(start, end)
    day = calendar.longest_day_minutes() or 24 * 60
    if minutes < 1:
        return "kurang dari 1 menit"
    if minutes < 60:
        return f"{minutes} menit"
    if minutes < day:
        return f"{minutes // 60} jam"
    return f"{minutes // day} hari kerja"


@dataclass(frozen=True)
class QueueItem:
    """A complaint on an official's home page: what it is, where it stands, how long."""

    id: int
    reg_number: str
    jenis: str
    step: str  # "3. Disposisi"
    state: str | None  # models/deadlines.deadline_of
    due_at: datetime | None
    age: str  # working time since its open step began (or, when late, since its due moment)
    role: str | None = None  # who must act: the open step's actor


_ROW = (Complaint.id, Complaint.reg_number, Jenis.name.label("jenis"), Complaint.current_step_no,
        SopStep.short_name, Complaint.step_started_at, Complaint.due_at, Complaint.due_soon_at,
        Complaint.paused_at, Complaint.current_actor)  # fmt: skip


def _rows(where, order, limit: int):
    """The complaints matching `where`, in `order`, with their jenis and open step joined."""
    query = (
        select(*_ROW)
        .join(Jenis, Jenis.id == Complaint.jenis_id)
        .outerjoin(
            SopStep,
            and_(SopStep.sop_id == Complaint.sop_id, SopStep.no == Complaint.current_step_no),
        )  # fmt: skip
        .where(*where)
        .order_by(*order, Complaint.id)
        .limit(limit)
    )
    return db.session.execute(query).all()


def _item(row, now: datetime, calendar: WorkCalendar, since_due: bool = False) -> QueueItem:
    step = f"{row.current_step_no}. {row.short_name}" if row.short_name else ""
    since = row.due_at if since_due else row.step_started_at
    return QueueItem(
        id=row.id,
        reg_number=row.reg_number,
        jenis=row.jenis,
        step=step,
        state=deadline_of(row.due_at, row.due_soon_at, row.paused_at, now),
        due_at=row.due_at,
        age=working_age(since, now, calendar) if since is not None else "",
        role=row.current_actor,
    )


def oldest_in_queue(
    role: str, user: User, now: datetime, calendar: WorkCalendar, co_acting: bool = True,
    limit: int = HOME_LIMIT,
) -> list[QueueItem]:  # fmt: skip
    """The complaints in `user`'s queue of `role` (models/actors.queue_clause), the longest
    waiting first, each with the working time it has waited at its open step."""
    waited = (Complaint.step_started_at.is_(None), Complaint.step_started_at)
    rows = _rows((queue_clause(role, user, co_acting),), waited, limit)
    return [_item(r, now, calendar) for r in rows]


def soonest_due_in_queue(
    role: str, user: User, now: datetime, calendar: WorkCalendar, co_acting: bool = True,
    limit: int = TOP_LIMIT,
) -> list[QueueItem]:  # fmt: skip
    """The complaints in `user`'s queue of `role` whose due moment comes first (none last)."""
    rows = _rows((queue_clause(role, user, co_acting),),
                 (Complaint.due_at.is_(None), Complaint.due_at), limit)  # fmt: skip
    return [_item(r, now, calendar) for r in rows]


def late_complaints(user: User, now: datetime, calendar: WorkCalendar,
                    limit: int = HOME_LIMIT) -> tuple[int, list[QueueItem]]:  # fmt: skip
    """How many complaints `user` may see are past their open step's due moment
    (models/deadlines.overdue_clause), and the longest overdue of them, each with how long it
    has been late and the role that holds it."""
    where = [overdue_clause(now)]
    visible = visible_complaints(user)
    if visible is not None:
        where.append(visible)
    total = db.session.scalar(select(func.count(Complaint.id)).where(*where))
    rows = _rows(where, (Complaint.due_at,), limit) if total else []
    return total, [_item(r, now, calendar, since_due=True) for r in rows]


def holders(roles, on: date) -> dict[str, str]:
    """Who holds each of `roles` on `on`, as a line of names (one statement per role); the
    Tim Teknis by its label only: its members act where they are invited."""
    names = {}
    for role in dict.fromkeys(r for r in roles if r):
        label = ROLE_LABELS.get(role, role)
        people = [] if role == INVITED_ROLE else users_holding(role, on)
        names[role] = f"{label}: {', '.join(u.full_name for u in people)}" if people else label
    return names


@dataclass(frozen=True)
class Meeting:
    """A coordination meeting (rakor) of the Tim Teknis, as its invitation set it."""

    complaint_id: int
    reg_number: str
    jenis: str
    day: date
    start: str  # "09:00", WIB
    place: str


def awaiting_meeting():
    """A WHERE clause on Complaint: its open step was entered by calling a meeting (an outcome
    of form "meeting": SOP.50's step 6, or SOP.48's step 5 again) and waits for its Berita
    Acara, which moves it on."""
    return exists().where(SopStep.sop_id == Complaint.sop_id, SopOutcome.step_id == SopStep.id,
                          SopOutcome.code == Complaint.last_outcome,
                          SopOutcome.form == MEETING_FORM)  # fmt: skip


def upcoming_meetings(user: User, today: date, limit: int = HOME_LIMIT) -> list[Meeting]:
    """The meetings on `today` or later of the open complaints `user` may see
    (models/identity.py) that wait for them (`awaiting_meeting`), soonest first, each as its
    latest invitation set it."""
    latest = (select(func.max(MeetingInvitee.record_id))
              .where(MeetingInvitee.complaint_id == Complaint.id)
              .correlate(Complaint).scalar_subquery())  # fmt: skip
    day = StepRecord.data["day"].as_string()
    start = StepRecord.data["start"].as_string()
    query = (
        select(Complaint.id, Complaint.reg_number, Jenis.name, day, start,
               StepRecord.data["place"].as_string())
        .join(Jenis, Jenis.id == Complaint.jenis_id)
        .join(StepRecord, StepRecord.complaint_id == Complaint.id)
        .where(Complaint.status == "in_progress", awaiting_meeting(), StepRecord.id == latest,
               day >= today.isoformat())
        .order_by(day, start, Complaint.id)
        .limit(limit)
    )  # fmt: skip
    visible = visible_complaints(user)
    if visible is not None:
        query = query.where(visible)
    return [Meeting(cid, number, jenis, date.fromisoformat(d), s or "", place or "")
            for cid, number, jenis, d, s, place in db.session.execute(query)]  # fmt: skip


# -- the front office -----------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """A complaint received today: its number, jenis, channel and the office clock time."""

    id: int
    reg_number: str
    jenis: str
    channel: str
    received_at: datetime


def intake_today(today: date, limit: int = HOME_LIMIT) -> tuple[int, list[Intake]]:
    """How many complaints were received on the office day `today` (the daily tally,
    models/tally.py) and the latest of them."""
    count = db.session.scalar(select(DayTally.received).where(DayTally.day == today)) or 0
    if not count:
        return 0, []
    begin = datetime.combine(today, time.min, WIB)
    rows = db.session.execute(
        select(Complaint.id, Complaint.reg_number, Jenis.name, Channel.name,
               Complaint.received_at)
        .join(Jenis, Jenis.id == Complaint.jenis_id)
        .join(Channel, Channel.id == Complaint.channel_id)
        .where(Complaint.received_at >= begin, Complaint.received_at < begin + timedelta(days=1))
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(limit)
    )  # fmt: skip
    return count, [Intake(*row) for row in rows]


@dataclass(frozen=True)
class WaitingSubmission:
    """An online submission waiting for registration (no complainant, no subject shown)."""

    id: int
    received_at: datetime
    channel: str
    jenis: str
    lapor_tracking_id: str | None
    due_at: datetime
    state: str | None


def waiting_submissions(now: datetime, limit: int = HOME_LIMIT
                        ) -> tuple[int, int, list[WaitingSubmission]]:  # fmt: skip
    """How many online submissions wait for registration, how many of them are past the
    registration step's due moment, and those due first."""
    waiting = Submission.status == "waiting"
    total, late = db.session.execute(
        select(func.count(), func.count().filter(Submission.due_at < now)).where(waiting)
    ).one()
    if not total:
        return 0, 0, []
    rows = db.session.execute(
        select(Submission.id, Submission.received_at, Channel.name, Jenis.name,
               Submission.lapor_tracking_id, Submission.due_at, Submission.due_soon_at)
        .join(Channel, Channel.id == Submission.channel_id)
        .join(Jenis, Jenis.id == Submission.jenis_id)
        .where(waiting)
        .order_by(Submission.due_at, Submission.id)
        .limit(limit)
    )  # fmt: skip
    items = [WaitingSubmission(i, received, channel, jenis, lapor, due,
                               deadline_of(due, soon, None, now))
             for i, received, channel, jenis, lapor, due, soon in rows]  # fmt: skip
    return total, late, items


# -- the admin's setup checklist ------------------------------------------------------------


def logo_missing() -> bool:
    """Whether the letterhead has no logo (emblem) yet: documents print without one."""
    return bool(db.session.scalar(select(func.count(AgencySettings.id))
                                  .where(AgencySettings.logo.is_(None))))  # fmt: skip


def office_hours_missing() -> bool:
    """Whether no weekday has office hours: due moments then follow the built-in default
    (models/calendar.DEFAULT_HOURS), not the agency's own."""
    return not db.session.scalar(select(func.count()).select_from(OfficeHours)
                                 .where(OfficeHours.is_open.is_(True)))  # fmt: skip


def users_without_email(limit: int = HOME_LIMIT) -> tuple[int, list[tuple[int, str]]]:
    """How many active accounts have no e-mail address (no notification reaches them by
    e-mail), and the first of them by name: (id, full name)."""
    where = (User.active.is_(True), User.email == "")
    total = db.session.scalar(select(func.count(User.id)).where(*where))
    if not total:
        return 0, []
    rows = db.session.execute(
        select(User.id, User.full_name).where(*where).order_by(User.full_name).limit(limit)
    )
    return total, [tuple(r) for r in rows]


def draft_sops(limit: int = HOME_LIMIT) -> list[tuple[int, str]]:
    """The SOP revisions still in draft (in force for nobody): (id, "SOP.50 rev. 2")."""
    rows = db.session.execute(
        select(Sop.id, Sop.code, Sop.revision).where(Sop.draft.is_(True))
        .order_by(Sop.code, Sop.revision).limit(limit)
    )  # fmt: skip
    return [(i, f"{code} rev. {revision}") for i, code, revision in rows]


@dataclass(frozen=True)
class SetupGaps:
    """What the admin has still to set up; empty when the office is ready."""

    logo_missing: bool
    office_hours_missing: bool
    users_without_email: int
    users: list[tuple[int, str]]
    draft_sops: list[tuple[int, str]]

    def __bool__(self) -> bool:
        return bool(self.logo_missing or self.office_hours_missing or self.users_without_email
                    or self.draft_sops)  # fmt: skip


def setup_gaps() -> SetupGaps:
    """The admin's setup checklist."""
    count, users = users_without_email()
    return SetupGaps(logo_missing(), office_hours_missing(), count, users, draft_sops())
