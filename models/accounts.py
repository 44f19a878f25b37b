"""Officials who use the back-office, their roles and their acting appointments (Plt./Plh.)."""

import re
import secrets
from datetime import date
from enum import StrEnum
from functools import cache

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
    bindparam,
    event,
    func,
    select,
)
from sqlalchemy.orm import (
    Mapped,
    Session,
    mapped_column,
    query_expression,
    relationship,
    validates,
)
from werkzeug.security import check_password_hash, generate_password_hash

from models import db
from models.throttle import hold_minutes
from models.types import UTCDateTime, dialect_insert, utcnow


class Role(StrEnum):
    """The roles of the SOPs' swim lanes that have a seat at a computer, plus the admin."""

    FO = "fo"
    KADIS = "kadis"
    KABID = "kabid"
    KASI = "kasi"
    TIM_TEKNIS = "tim_teknis"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.FO: "Petugas FO",
    Role.KADIS: "Kepala Dinas",
    Role.KABID: "Kabid PKPL",
    Role.KASI: "Kasi Monev & Pengaduan",
    Role.TIM_TEKNIS: "Tim Teknis",
    Role.ADMIN: "Administrator",
}

ROLE_VALUES = tuple(r.value for r in Role)
APPOINTMENT_KINDS = ("Plt.", "Plh.")

NIP_RE = re.compile(r"^\d{18}$")


def normalize_nip(raw: str | None) -> str | None:
    """Return the 18 digits of a NIP written with or without spaces, or None when empty.

    :raise ValueError: not 18 digits after removing spaces.
    """
    if raw is None or not raw.strip():
        return None
    digits = re.sub(r"[\s.]", "", raw)
    if not NIP_RE.match(digits):
        raise ValueError("NIP harus terdiri dari 18 digit angka.")
    return digits


def hash_password(password: str) -> str:
    """Hash with the configured method (scrypt unless PASSWORD_HASH_METHOD says otherwise)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if current_app else "scrypt"
    return generate_password_hash(password, method=method)


def format_nip(nip: str | None) -> str:
    """Write a NIP the way documents do: ``19780727 199703 1 002``."""
    if not nip:
        return "-"
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def _role_check(column: str) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in ROLE_VALUES)})"


class User(UserMixin, db.Model):
    """An official with one role; acting appointments may add another for a period."""

    __tablename__ = "user"
    __table_args__ = (CheckConstraint(_role_check("role"), name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    position: Mapped[str] = mapped_column(String(200), default="")
    rank: Mapped[str] = mapped_column(String(80), default="")
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    # Every session carries the generation it was opened in; logout, a new password and
    # deactivation move it on, which ends every session of the user on every app host.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    # Where notifications reach the official (models/notifications.py), and whether they
    # want each channel: None follows the agency's default (the admin's setting).
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    whatsapp: Mapped[str] = mapped_column(String(20), default="", server_default="")
    notify_email: Mapped[bool | None]
    notify_whatsapp: Mapped[bool | None]
    # The bell's count, loaded with the session's user in one statement (app._load_user).
    unread_notifications: Mapped[int | None] = query_expression()

    appointments: Mapped[list["ActingAppointment"]] = relationship(
        back_populates="user", order_by="ActingAppointment.starts_on", cascade="all, delete-orphan"
    )

    @validates("nip")
    def _validate_nip(self, _key, value):
        return normalize_nip(value)

    @validates("email")
    def _validate_email(self, _key, value):
        from models.contacts import normalize_email

        return normalize_email(value)

    @validates("whatsapp")
    def _validate_whatsapp(self, _key, value):
        from models.contacts import normalize_whatsapp

        return normalize_whatsapp(value)

    @validates("role")
    def _validate_role(self, _key, value):
        if value not in ROLE_VALUES:
            raise ValueError(f"Peran tidak dikenal: {value}")
        return value

    @validates("active")
    def _validate_active(self, _key, value):
        if not value and self.active:
            self.end_sessions()
        return value

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return bool(self.active)

    def set_password(self, password: str) -> None:
        """Store a new password; every session opened with the old one ends."""
        self.password_hash = hash_password(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """End every session of this user, on every app host, at the next request."""
        self.session_generation = (self.session_generation or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    @property
    def nip_display(self) -> str:
        return format_nip(self.nip)

    def appointment_for(self, role: str, on: date) -> "ActingAppointment | None":
        """Return the appointment under which this user acts in `role` on `on`, if any."""
        for a in self.appointments:
            if a.role == role and a.covers(on):
                return a
        return None

    def holds(self, role: str, on: date) -> bool:
        """Tell whether the user may act in `role` on `on`, directly or as Plt./Plh.

        The one access rule: every page, queue and engine check asks it (or `holds_any`).
        """
        return self.active and (self.role == role or self.appointment_for(role, on) is not None)

    def holds_any(self, roles, on: date) -> bool:
        """Tell whether the user holds one of `roles` on `on` (directly or as Plt./Plh.)."""
        return any(self.holds(role, on) for role in roles)

    def roles_held(self, on: date) -> tuple[str, ...]:
        """Every role the user may act in on `on`: their own, then their appointments'."""
        if not self.active:
            return ()
        acting = [a.role for a in self.appointments if a.covers(on)]
        return tuple(dict.fromkeys([self.role, *acting]))

    def __str__(self) -> str:
        return self.full_name


class ActingAppointment(db.Model):
    """A user acting in another role for a date range: Plt. (vacant post) or Plh. (absence)."""

    __tablename__ = "acting_appointment"
    __table_args__ = (
        CheckConstraint(_role_check("role"), name="role_known"),
        CheckConstraint("kind IN ('Plt.', 'Plh.')", name="kind_known"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(4), default="Plt.")
    position: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(Text, default="")  # e.g. the decree (SK) number
    created_at = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="appointments")

    def covers(self, on: date) -> bool:
        return self.starts_on <= on <= self.ends_on

    def __str__(self) -> str:
        return f"{self.kind} {self.position}"


HOLDERS = "users_holding"  # the session's memo of who holds which role on a day (session.info)


def users_holding(role: str, on: date) -> list[User]:
    """Return the active users who may act in `role` on `on` (their own role, or acting in it
    under an appointment), own role first, then by name: every form's addressee list and every
    notification asks it. Read for every role at once, in one statement per day, and kept in
    the session until it writes, commits or rolls back (`_forget_holders`): a page with three
    forms asks the database once."""
    memo = db.session.info.setdefault(HOLDERS, {})
    if on not in memo:
        memo[on] = db.session.execute(_holding_statement(), {"on": on}).all()
    rows = memo[on]
    own = [u for u, _acting in rows if u.role == role]
    acting = [u for u, held in rows if held == role and u.role != role]
    return list(dict.fromkeys(own + acting))


@cache
def _holding_statement():
    """Every active user, with each role they act in on :on (NULL: none), by name."""
    on = bindparam("on")
    return (
        select(User, ActingAppointment.role)
        .outerjoin(ActingAppointment, and_(ActingAppointment.user_id == User.id,
                                           ActingAppointment.starts_on <= on,
                                           ActingAppointment.ends_on >= on))
        .where(User.active.is_(True))
        .order_by(User.full_name, User.id)
    )  # fmt: skip


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_holders(session, *_args) -> None:
    session.info.pop(HOLDERS, None)


class LoginGate(db.Model):
    """A lock row per account and per address: login attempts of one account (or from one
    address) take their turn, so that parallel attempts cannot all pass the lockout check
    before any failure is counted."""

    __tablename__ = "login_gate"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # account:… / address:…
    attempts: Mapped[int] = mapped_column(default=0)


def take_login_turn(username: str, address: str) -> None:
    """Hold the account's and the address's gate until the transaction ends (PostgreSQL: their
    rows; SQLite: the database's write lock). Keys in one order: no two attempts deadlock."""
    insert = dialect_insert(db.session)
    for key in sorted({f"account:{username}"[:120], f"address:{address}"[:120]}):
        db.session.execute(
            insert(LoginGate).values(key=key, attempts=1).on_conflict_do_update(
                index_elements=["key"], set_={"attempts": LoginGate.attempts + 1})
        )  # fmt: skip


_DUMMY_HASHES: dict[str, str] = {}


def verify_login(user: "User | None", password: str) -> bool:
    """Whether `password` opens `user`'s account; as costly for an unknown or inactive
    account as for a known one, so that timing tells nobody which usernames exist."""
    stored = user.password_hash if user is not None and user.password_hash else None
    if stored is None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        if method not in _DUMMY_HASHES:
            _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
        stored = _DUMMY_HASHES[method]
    matches = check_password_hash(stored, password)
    return matches and user is not None and bool(user.active)


class LoginAttempt(db.Model):
    """One try to log in, kept to slow down password guessing (per account and per address)."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))  # as typed, lower-cased
    address: Mapped[str] = mapped_column(String(64))
    at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    succeeded: Mapped[bool] = mapped_column(default=False)


def login_wait_minutes(username: str, address: str, now, *, per_account: int,
                       per_address: int, window) -> int:  # fmt: skip
    """Minutes until `username` from `address` may try again; 0 when it may now.

    An account is held after `per_account` failures within `window` since its last success;
    an address after `per_address` failures within `window`, whatever accounts they named.
    """
    since = now - window
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.username == username,
                                                LoginAttempt.succeeded.is_(True))
    )  # fmt: skip
    account_since = max(since, last_success) if last_success else since
    waits = []
    for clause, limit, start in (
        (LoginAttempt.username == username, per_account, account_since),
        (LoginAttempt.address == address, per_address, since),
    ):
        recent = db.session.scalars(
            select(LoginAttempt.at)
            .where(clause, LoginAttempt.succeeded.is_(False), LoginAttempt.at > start)
            .order_by(LoginAttempt.at.desc()).limit(limit)
        ).all()  # fmt: skip
        waits.append(hold_minutes(recent, limit, window, now))
    return max(waits)
