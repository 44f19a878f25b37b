"""Who may see a complainant's identity, and the log of every reveal (Perpres 76/2013).

- Only the officials who answer the complainant see identities: the front office, the
  Kepala Dinas, the Kabid and the Kasi (directly or as Plt./Plh.). The Tim Teknis and the
  admin never do.
- An anonymous (*anonim*) or confidential (*rahasia*) complaint shows no identity to anyone
  by default: not on a page, in a form's prefilled text, an export or a document. One of
  those officials may reveal it with a stated reason; every reveal is written down (who,
  when, why) and listed for the admin. A reveal opens the identity on the page it answers
  with (the answer letter's addressee prefilled there), and for REVEAL_MINUTES to the same
  official in that complaint's printed documents, whose links on that page carry it.
- A confidential complaint is seen only by the officials on its path: the front office and
  the Kepala Dinas (every complaint passes them), whoever must act on it now, and whoever
  acted on it before.
"""

from sqlalchemy import (
    ForeignKey,
    Index,
    Text,
    case,
    event,
    exists,
    func,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.accounts import Role, User
from models.complaint import Complaint
from models.dates import today_wib
from models.types import UTCDateTime, utcnow

IDENTITY_ROLES = (Role.FO, Role.KADIS, Role.KABID, Role.KASI)
EVERY_PATH_ROLES = (Role.FO, Role.KADIS)  # every complaint is registered and disposed
MIN_REASON = 10
REVEAL_MINUTES = 15  # how long a reveal opens the complaint's documents to its official


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


def reveal_in_force(complaint: Complaint, user: User, raw_id, now=None) -> IdentityReveal | None:
    """The reveal `raw_id` (from a document link) when it is `user`'s own, of this complaint,
    made within REVEAL_MINUTES, by an official who may still see identities; else None."""
    from datetime import timedelta

    from models.params import parse_id

    reveal_id = parse_id(raw_id)
    if reveal_id is None or not sees_identities(user):
        return None
    entry = db.session.get(IdentityReveal, reveal_id)
    now = now or utcnow()
    if entry is None or entry.complaint_id != complaint.id or entry.user_id != user.id:
        return None
    return entry if now - entry.at <= timedelta(minutes=REVEAL_MINUTES) else None


class ConfidentialReader(db.Model):
    """An official who acted on a confidential complaint, and so may read it from then on.

    Kept by database triggers from the history (a step recorded by the official) and from the
    complaint's flag, whatever program writes them; the list of all complaints counts what an
    official may see from it and the register's size, instead of scanning the register.
    """

    __tablename__ = "confidential_reader"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), primary_key=True,
                                              index=True)  # fmt: skip


# The few confidential complaints, by who must act on them: counted from this index alone.
# Its condition is written as each database's planner reads the query's `is_confidential`;
# the flag and the id are columns too, so that both databases read the index without the table
# (covering: PostgreSQL needs the id the count's correlated probe uses) and prefer it, even
# without statistics, to the register's wider order index.
CONFIDENTIAL_WHERE = {"sqlite_where": text("is_confidential = 1"),
                      "postgresql_where": text("is_confidential")}  # fmt: skip
CONFIDENTIAL_INDEX = Index("ix_complaint_confidential", Complaint.current_actor,
                           Complaint.current_co_actor, Complaint.is_confidential, Complaint.id,
                           **CONFIDENTIAL_WHERE)  # fmt: skip

_READER_TRIGGERS = ("confidential_reader_step", "confidential_reader_flag")
_SQLITE_READER_DDL = [
    """CREATE TRIGGER confidential_reader_step AFTER INSERT ON step_record
       WHEN new.actor_id IS NOT NULL
            AND (SELECT is_confidential FROM complaint WHERE id = new.complaint_id)
       BEGIN INSERT OR IGNORE INTO confidential_reader (user_id, complaint_id)
             VALUES (new.actor_id, new.complaint_id); END""",
    """CREATE TRIGGER confidential_reader_flag AFTER UPDATE OF is_confidential ON complaint
       BEGIN
         DELETE FROM confidential_reader WHERE complaint_id = new.id AND NOT new.is_confidential;
         INSERT OR IGNORE INTO confidential_reader (user_id, complaint_id)
           SELECT DISTINCT actor_id, new.id FROM step_record
           WHERE complaint_id = new.id AND actor_id IS NOT NULL AND new.is_confidential;
       END""",
]
_PG_READER_DDL = [
    """CREATE FUNCTION confidential_reader_step() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF NEW.actor_id IS NOT NULL AND
            (SELECT is_confidential FROM complaint WHERE id = NEW.complaint_id) THEN
           INSERT INTO confidential_reader (user_id, complaint_id)
           VALUES (NEW.actor_id, NEW.complaint_id) ON CONFLICT DO NOTHING;
         END IF; RETURN NULL; END $$""",
    """CREATE TRIGGER confidential_reader_step AFTER INSERT ON step_record
       FOR EACH ROW EXECUTE FUNCTION confidential_reader_step()""",
    """CREATE FUNCTION confidential_reader_flag() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         DELETE FROM confidential_reader WHERE complaint_id = NEW.id;
         IF NEW.is_confidential THEN
           INSERT INTO confidential_reader (user_id, complaint_id)
           SELECT DISTINCT actor_id, NEW.id FROM step_record
           WHERE complaint_id = NEW.id AND actor_id IS NOT NULL ON CONFLICT DO NOTHING;
         END IF; RETURN NULL; END $$""",
    """CREATE TRIGGER confidential_reader_flag AFTER UPDATE OF is_confidential ON complaint
       FOR EACH ROW EXECUTE FUNCTION confidential_reader_flag()""",
]


def install(connection) -> None:
    """Create the triggers that keep `confidential_reader` (its table and index exist)."""
    ddl = _SQLITE_READER_DDL if connection.dialect.name == "sqlite" else _PG_READER_DDL
    for statement in ddl:
        connection.execute(text(statement))


def uninstall(connection) -> None:
    for name in _READER_TRIGGERS:
        if connection.dialect.name == "sqlite":
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        else:
            table = "step_record" if name.endswith("step") else "complaint"
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
            connection.execute(text(f"DROP FUNCTION IF EXISTS {name}()"))


def rebuild(connection) -> None:
    """Fill `confidential_reader` from the history in one statement (migrations, bulk seeds)."""
    connection.execute(text("DELETE FROM confidential_reader"))
    connection.execute(text(
        "INSERT INTO confidential_reader (user_id, complaint_id) "
        "SELECT DISTINCT r.actor_id, r.complaint_id FROM step_record r "
        "JOIN complaint c ON c.id = r.complaint_id "
        "WHERE c.is_confidential AND r.actor_id IS NOT NULL"
    ))  # fmt: skip


@event.listens_for(db.metadata, "after_create")
def _after_create(_metadata, connection, tables=(), **_kw):
    """Once every table of the run exists: the triggers sit on step_record and complaint,
    which a `create_all(tables=…)` may create after confidential_reader."""
    if ConfidentialReader.__table__ in tables:
        install(connection)


def _path_roles(user: User) -> tuple[str, ...]:
    return user.roles_held(today_wib())


def visible_complaints(user: User):
    """A WHERE clause: the complaints `user` may see in the register (confidential ones only
    when on their path: waiting on a role the user holds, or acted on by the user); None when
    that is all of them."""
    if user.holds_any(EVERY_PATH_ROLES, today_wib()):
        return None
    roles = _path_roles(user)
    acted = exists().where(ConfidentialReader.user_id == user.id,
                           ConfidentialReader.complaint_id == Complaint.id)  # fmt: skip
    return or_(not_(Complaint.is_confidential), Complaint.current_actor.in_(roles),
               Complaint.current_co_actor.in_(roles), acted)  # fmt: skip


def visible_count(user: User, register_size):
    """How many complaints `user` sees in the whole register, as one SQL expression, from
    indexes only: the register's size (`register_size`, e.g. the day tally's sum), less the
    confidential complaints, plus those on the user's path (`visible_complaints`)."""
    confidential = Complaint.is_confidential  # as the partial index reads it
    if user.holds_any(EVERY_PATH_ROLES, today_wib()):
        return register_size
    roles = _path_roles(user)
    acted = (select(func.count()).select_from(ConfidentialReader)
             .where(ConfidentialReader.user_id == user.id).scalar_subquery())  # fmt: skip
    # Waiting on the user's role and not acted on by them (else counted in `acted`): worked
    # out per row of the confidential complaints' own index, where only `is_confidential`
    # selects (with the roles in the WHERE, SQLite would walk the role's whole queue).
    # (Nested, so that the reader is looked up only for the few waiting on the roles.)
    not_acted = case((exists().where(ConfidentialReader.user_id == user.id,
                                     ConfidentialReader.complaint_id == Complaint.id), 0),
                     else_=1)  # fmt: skip
    waiting = case(
        (or_(Complaint.current_actor.in_(roles), Complaint.current_co_actor.in_(roles)), not_acted),
        else_=0,
    )
    off_path = select(func.count() - func.coalesce(func.sum(waiting), 0)).select_from(
        Complaint).where(confidential).scalar_subquery()  # fmt: skip
    return register_size - off_path + acted
