"""Who acts on a complaint's open step, who leads it, who may stop its clock, who waits.

Each rule is written once here. Where a list needs it as SQL (the queues, the menu badges, the
export), its SQL twin sits beside the Python one, and tests/test_actor_rules.py holds the two
to the same answer on a generated set of complaints.

Glossary: the *actor* of a step does it (SopStep.actor, a role or the public); a *co-actor*
leads it (the Kabid leading the Tim Teknis's meeting) and may act on it too; a Tim Teknis
member acts only on a meeting they are invited to — the latest invitation of the complaint.
"""

from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from models import db
from models.accounts import Role, User
from models.complaint import Complaint, MeetingInvitee
from models.dates import to_wib
from models.sop import ACTOR_LABELS, SopStep
from models.types import utcnow

# The line of command for work that waits or runs late: whom an official answers to. The
# Tim Teknis meets under the Kabid; the front office works in the Kasi's section; the
# Kepala Dinas answers to nobody here.
SUPERIOR = {Role.FO: Role.KASI, Role.TIM_TEKNIS: Role.KABID, Role.KASI: Role.KABID,
            Role.KABID: Role.KADIS}  # fmt: skip


def chain_from(role: str) -> tuple[str, ...]:
    """`role` and every role above it, nearest first: Kasi → Kabid → Kepala Dinas."""
    chain = [role]
    while chain[-1] in SUPERIOR:
        chain.append(SUPERIOR[chain[-1]])
    return tuple(chain)


# The roles whose officials have a queue (the back-office's "Antrian …" lists; the daily digest).
QUEUE_ROLES = (Role.FO, Role.KADIS, Role.KABID, Role.KASI, Role.TIM_TEKNIS)

# Officials who may stop a complaint's clock (e.g. waiting for the complainant's data), on a
# step they hold or one below them in the line of command (`accounts.chain_from`).
PAUSE_ROLES = (Role.KASI, Role.KABID)
# A role that acts only where it is invited (the latest meeting of the complaint).
INVITED_ROLE = Role.TIM_TEKNIS


def stage_roles(step: SopStep | None) -> tuple[str, ...]:
    """The roles that may act on `step`: its actor, then its co-actor (leader), if any."""
    if step is None:
        return ()
    return tuple(r for r in (step.actor, step.co_actor) if r)


def open_step(complaint: Complaint) -> SopStep | None:
    """The complaint's open SOP step (a paper step or a closing stage), None when closed."""
    if complaint.current_step_no is None:
        return None
    return complaint.sop.step(complaint.current_step_no)


# -- invited to the latest meeting: Python and SQL --------------------------------------------


def latest_invitation(complaint_id: int) -> int | None:
    """The history record of the complaint's latest meeting invitation, or None."""
    return db.session.scalar(select(func.max(MeetingInvitee.record_id))
                             .where(MeetingInvitee.complaint_id == complaint_id))  # fmt: skip


def invitees(complaint_id: int) -> list[User]:
    """The members invited to the complaint's latest meeting, by name."""
    latest = latest_invitation(complaint_id)
    if latest is None:
        return []
    return list(db.session.scalars(
        select(User).join(MeetingInvitee, MeetingInvitee.user_id == User.id)
        .where(MeetingInvitee.record_id == latest).order_by(User.full_name)))  # fmt: skip


def invited(complaint: Complaint, user: User) -> bool:
    """Whether `user` is invited to the complaint's latest coordination meeting."""
    latest = latest_invitation(complaint.id)
    if latest is None:
        return False
    return db.session.scalar(
        select(func.count(MeetingInvitee.id)).where(
            MeetingInvitee.record_id == latest, MeetingInvitee.user_id == user.id)
    ) > 0  # fmt: skip


def invited_clause(user_id: int):
    """`invited` as SQL: a WHERE clause on Complaint."""
    earlier = aliased(MeetingInvitee)
    latest = (select(func.max(earlier.record_id)).where(earlier.complaint_id == Complaint.id)
              .correlate(Complaint).scalar_subquery())  # fmt: skip
    return exists().where(MeetingInvitee.complaint_id == Complaint.id,
                          MeetingInvitee.record_id == latest,
                          MeetingInvitee.user_id == user_id)  # fmt: skip


# -- waiting on a role, and a queue: Python and SQL --------------------------------------------


def waits_on(complaint: Complaint, role: str) -> bool:
    """Whether the complaint's open step waits for `role` (as its actor or its leader)."""
    return role in (complaint.current_actor, complaint.current_co_actor)


def waiting_on(role: str, co_acting: bool = True):
    """`waits_on` as SQL. Without `co_acting` (no step names `role` as a leader) the clause
    keeps to the acting role's index order (the OR costs it)."""
    clause = Complaint.current_actor == role
    return or_(clause, Complaint.current_co_actor == role) if co_acting else clause


def in_queue(complaint: Complaint, role: str, user: User) -> bool:
    """Whether the complaint is in `user`'s queue of `role`: it waits for the role, and for
    the Tim Teknis only where the user is invited to its latest meeting."""
    if role == INVITED_ROLE:
        return complaint.current_actor == role and invited(complaint, user)
    return waits_on(complaint, role)


def queue_clause(role: str, user: User, co_acting: bool = True):
    """`in_queue` as SQL: a WHERE clause on Complaint."""
    if role == INVITED_ROLE:
        return and_(Complaint.current_actor == role, invited_clause(user.id))
    return waiting_on(role, co_acting)


def queue_count(role: str, user: User, co_acting: bool = True):
    """A SELECT of how many complaints `queue_clause` finds, read from the queue indexes: a
    role that also leads steps counts its own steps and the steps it leads apart (an OR of
    the two makes PostgreSQL walk the whole register's order index instead)."""
    if role == INVITED_ROLE or not co_acting:
        return select(func.count(Complaint.id)).where(queue_clause(role, user, co_acting))
    own = select(func.count()).select_from(Complaint).where(Complaint.current_actor == role)
    led = (
        select(func.count())
        .select_from(Complaint)
        .where(Complaint.current_co_actor == role, Complaint.current_actor != role)
    )
    return select(own.scalar_subquery() + led.scalar_subquery())


def co_acting_roles() -> frozenset[str]:
    """Roles that some SOP step names as leading another's work (e.g. the Kabid at a rakor)."""
    return frozenset(db.session.scalars(
        select(SopStep.co_actor).where(SopStep.co_actor.is_not(None)).distinct()))  # fmt: skip


# -- acting on the open step ------------------------------------------------------------------


def acting_role(complaint: Complaint, user: User, on: date) -> str | None:
    """The role in which `user` may act on the open step on `on`, or None."""
    for role in stage_roles(open_step(complaint)):
        if not user.holds(role, on):
            continue
        if role == INVITED_ROLE and not invited(complaint, user):
            continue
        return role
    return None


def why_not(complaint: Complaint, user: User, now: datetime | None = None) -> str | None:
    """Say in Indonesian why `user` cannot act on the complaint now; None when they can.

    Works for any actor the SOP data names: the text comes from the actor's label.
    """
    now = now or utcnow()
    step = open_step(complaint)
    if step is None:
        return "Pengaduan sudah selesai ditangani."
    on = to_wib(now).date()
    if acting_role(complaint, user, on) is not None:
        return None
    waiting = WAITING.get(step.actor) or f"Menunggu {ACTOR_LABELS.get(step.actor, step.actor)}"
    if step.actor == INVITED_ROLE and user.holds(INVITED_ROLE, on):
        return f"{waiting} (Anda tidak diundang pada rapat ini)."
    return f"{waiting} ({step.short_name})."


# How a page says whom a step waits for; another actor: "Menunggu <its label>".
WAITING = {
    Role.KADIS: "Menunggu disposisi Kepala Dinas",
    Role.KABID: "Menunggu tindak lanjut Kabid PKPL",
    Role.KASI: "Menunggu tindak lanjut Kasi Monev & Pengaduan",
    Role.TIM_TEKNIS: "Menunggu Berita Acara rapat koordinasi Tim Teknis",
    Role.FO: "Menunggu Petugas FO",
}


# -- the clock --------------------------------------------------------------------------------


def clock_role(complaint: Complaint, user: User, now: datetime | None = None) -> str | None:
    """The role in which `user` may stop or restart the complaint's clock now, or None.

    Only on an open step, and only its holder or an official above them: a Kasi or Kabid
    who holds the step's role (or its leader's), or a role the step's role answers to.
    """
    step = open_step(complaint)
    if step is None:
        return None
    above = {r for role in stage_roles(step) for r in chain_from(role)}
    on = to_wib(now or utcnow()).date()
    return next((r for r in PAUSE_ROLES if r in above and user.holds(r, on)), None)


# -- beside the SOP's steps (models/closing.py) -----------------------------------------------

# Who may merge an open complaint into another of the same matter: the officials on every
# complaint's path who see duplicates come in.
MERGE_ROLES = (Role.FO, Role.KASI, Role.KABID, Role.KADIS)


def class_role(complaint: Complaint, user: User, now: datetime | None = None) -> str | None:
    """The role in which `user` may set or change an open complaint's class (the Kabid)."""
    if open_step(complaint) is None:
        return None
    return Role.KABID if user.holds(Role.KABID, to_wib(now or utcnow()).date()) else None


def merge_role(complaint: Complaint, user: User, now: datetime | None = None) -> str | None:
    """The role in which `user` may merge the open complaint into another, or None."""
    if open_step(complaint) is None:
        return None
    on = to_wib(now or utcnow()).date()
    return next((r for r in MERGE_ROLES if user.holds(r, on)), None)


def forward_role(complaint: Complaint, user: User, now: datetime | None = None) -> str | None:
    """The role in which `user` may forward the open complaint to another agency: the Kepala
    Dinas at any step, the Kabid while it waits on him by the Kadis's disposition."""
    step = open_step(complaint)
    if step is None:
        return None
    on = to_wib(now or utcnow()).date()
    if user.holds(Role.KADIS, on):
        return Role.KADIS
    if Role.KABID in stage_roles(step) and user.holds(Role.KABID, on):
        return Role.KABID
    return None


MEETING_FORM = "meeting"  # the form kind of an outcome that calls a coordination meeting


def meeting_role(complaint: Complaint, user: User, now: datetime | None = None) -> str | None:
    """The role in which `user` may move the coordination meeting the open complaint waits
    for (its open step was entered by an outcome of form "meeting", as home.awaiting_meeting
    says in SQL): the role whose step called it, or the official leading it (the open step's
    co-actor, the Kabid)."""
    step = open_step(complaint)
    if step is None:
        return None
    calling = next((o for s in complaint.sop.steps for o in s.outcomes
                    if o.code == complaint.last_outcome), None)  # fmt: skip
    if calling is None or calling.form != MEETING_FORM:
        return None
    on = to_wib(now or utcnow()).date()
    return next((r for r in (calling.step.actor, step.co_actor) if r and user.holds(r, on)), None)
