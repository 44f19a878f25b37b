"""Drafts of a step's form kept on the server: the official who holds the step saves what is
typed so far (an answer letter half written) and finishes it later, from any computer; the
next official on the same step finds it too. A draft belongs to the step as it was opened:
once the step is finished (models/workflow.advance) its drafts go, and a draft of a step
opened earlier is never shown on a later one."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.datastructures import MultiDict

from models import db
from models.accounts import User
from models.complaint import Complaint
from models.types import UTCDateTime


class StepDraft(db.Model):
    """What was typed in one outcome's form of a complaint's open step, not sent yet."""

    __tablename__ = "step_draft"
    __table_args__ = (UniqueConstraint("complaint_id", "outcome"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"))
    outcome: Mapped[str] = mapped_column(String(40))
    step_started_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the step it was typed on
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # field name -> list of values

    user: Mapped[User] = relationship()
    complaint: Mapped[Complaint] = relationship()

    def formdata(self) -> MultiDict:
        return MultiDict([(name, v) for name, values in self.data.items() for v in values])


def keep_draft(complaint: Complaint, outcome: str, user: User, form, now: datetime) -> StepDraft:
    """Save the typed fields of `form` (a bound step form; never files) as the draft of
    `outcome` on the complaint's open step, replacing an earlier one. The caller has checked
    that the user acts on the step and that the step offers the outcome."""
    data = {f.name: list(f.raw_data or []) for f in form if f.type != "MultipleFileField"}
    draft = draft_of(complaint, outcome, any_step=True)
    if draft is None:
        draft = StepDraft(complaint_id=complaint.id, outcome=outcome)
        db.session.add(draft)
    draft.step_started_at, draft.user_id, draft.saved_at, draft.data = (
        complaint.step_started_at, user.id, now, data)  # fmt: skip
    db.session.commit()
    return draft


def draft_of(complaint: Complaint, outcome: str, any_step: bool = False) -> StepDraft | None:
    """The draft of `outcome` typed on the complaint's open step (`any_step`: whatever step)."""
    draft = db.session.scalar(select(StepDraft).where(StepDraft.complaint_id == complaint.id,
                                                      StepDraft.outcome == outcome))  # fmt: skip
    if draft is None or any_step or draft.step_started_at == complaint.step_started_at:
        return draft
    return None


def open_drafts(complaint: Complaint) -> dict[str, StepDraft]:
    """The drafts typed on the complaint's open step, by outcome (one statement)."""
    found = select(StepDraft).where(
        StepDraft.complaint_id == complaint.id,
        StepDraft.step_started_at == complaint.step_started_at,
    )
    return {d.outcome: d for d in db.session.scalars(found)}


def drop_drafts(complaint_id: int) -> None:
    """Forget the complaint's drafts (its step is finished), in the caller's transaction."""
    db.session.execute(delete(StepDraft).where(StepDraft.complaint_id == complaint_id))


def drafts_of(user: User, limit: int = 10) -> list[StepDraft]:
    """The drafts the official saved on steps still open, newest first (their home page)."""
    return list(db.session.scalars(
        select(StepDraft).join(Complaint, Complaint.id == StepDraft.complaint_id)
        .where(StepDraft.user_id == user.id, Complaint.status != "closed",
               Complaint.step_started_at == StepDraft.step_started_at)
        .order_by(StepDraft.saved_at.desc()).limit(limit)))  # fmt: skip
