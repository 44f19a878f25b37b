"""Who may see a complainant's identity, and the log of every reveal (Perpres 76/2013).

- Only the officials who answer the complainant see identities: the front office, the
  Kepala Dinas, the Kabid and the Kasi (directly or as Plt./Plh.). The Tim Teknis and the
  admin never do.
- An anonymous (*anonim*) or confidential (*rahasia*) complaint shows no identity to anyone
  by default. One of those officials may reveal it for one page with a stated reason; every
  reveal is written down (who, when, why) and listed for the admin.
- A confidential complaint is seen only by the officials on its path: the front office and
  the Kepala Dinas (every complaint passes them), whoever must act on it now, and whoever
  acted on it before.
"""

from sqlalchemy import ForeignKey, Text, and_, exists, not_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.accounts import Role, User
from models.complaint import Complaint, StepRecord
from models.dates import today_wib
from models.types import UTCDateTime, utcnow

IDENTITY_ROLES = (Role.FO, Role.KADIS, Role.KABID, Role.KASI)
EVERY_PATH_ROLES = (Role.FO, Role.KADIS)  # every complaint is registered and disposed
MIN_REASON = 10


class IdentityReveal(db.Model):
    """An official looked at a hidden complainant's identity, and said why."""

    __tablename__ = "identity_reveal"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship()
    user: Mapped[User] = relationship()


def sees_identities(user: User) -> bool:
    """Whether `user` may see (or reveal) complainants' identities at all."""
    today = today_wib()
    return any(user.holds(role, today) for role in IDENTITY_ROLES)


def identity_hidden(complaint: Complaint) -> bool:
    return complaint.is_anonymous or complaint.is_confidential


def shows_identity(complaint: Complaint, user: User, revealed: bool = False) -> bool:
    """Whether a page for `user` shows who complained (`revealed`: a reveal was just logged)."""
    return sees_identities(user) and (revealed or not identity_hidden(complaint))


class RevealRefused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def reveal(complaint: Complaint, user: User, reason: str) -> IdentityReveal:
    """Log that `user` reveals the hidden identity of `complaint` because of `reason`.

    :raise RevealRefused: the user may not see identities (403), nothing is hidden, or the
        reason is missing or too short (400).
    """
    if not sees_identities(user):
        raise RevealRefused("Peran Anda tidak berwenang melihat identitas pengadu.", 403)
    if not identity_hidden(complaint):
        raise RevealRefused("Identitas pengadu ini tidak dirahasiakan.")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise RevealRefused(f"Tuliskan alasan membuka identitas (paling sedikit {MIN_REASON} "
                            "karakter).")  # fmt: skip
    entry = IdentityReveal(complaint_id=complaint.id, user_id=user.id, reason=reason[:2000])
    db.session.add(entry)
    db.session.commit()
    return entry


def visible_complaints(user: User):
    """A WHERE clause: the complaints `user` may see in the register (confidential ones only
    when on their path); None when that is all of them."""
    today = today_wib()
    if any(user.holds(role, today) for role in EVERY_PATH_ROLES):
        return None
    roles = [role for role in Role if user.holds(role, today)]
    acted = exists().where(StepRecord.complaint_id == Complaint.id,
                           StepRecord.actor_id == user.id)  # fmt: skip
    on_path = or_(Complaint.current_actor.in_(roles), Complaint.current_co_actor.in_(roles),
                  acted) if roles else acted  # fmt: skip
    return or_(not_(Complaint.is_confidential), and_(Complaint.is_confidential, on_path))

