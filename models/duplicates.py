"""Complaints that look like the same matter as one being registered: a warning with links for
the front office, never a block.

Among the complaints received in the last WINDOW_DAYS, one matches by:
- the same SP4N-LAPOR! Tracking ID (its index);
- the same contact: the e-mail address, or the mobile number's last NUMBER_DIGITS digits,
  found in the contact as written (spaces, dashes, dots and "+" ignored);
- the same matter: every significant word of the subject (up to TEXT_WORDS of the longest)
  in its registration number, subject or description, through the full-text index
  (models/search.py: FTS5 on SQLite, tsvector on PostgreSQL).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, literal_column, or_, select, text
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from models import db
from models.accounts import User
from models.complaint import Complaint
from models.contacts import reachable
from models.identity import visible_complaints
from models.search import FTS_TABLE, PG_WORDS_COLUMN, search_words
from models.types import utcnow

WINDOW_DAYS = 60
NUMBER_DIGITS = 9
TEXT_WORDS = 4
MIN_WORD = 4
LIMIT = 5
NEWEST = 500  # PostgreSQL: the words are first looked for among the window's newest complaints
REASONS = {"lapor": "Tracking ID LAPOR! sama", "contact": "kontak sama",
           "text": "pokok pengaduan mirip"}  # fmt: skip


@dataclass
class Match:
    id: int
    reg_number: str
    subject: str
    received_at: datetime
    is_confidential: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def why(self) -> str:
        return ", ".join(REASONS[r] for r in self.reasons)


def _stripped(column):
    """The contact as written, without the characters people put between digits."""
    for ch in (" ", "-", ".", "+", "(", ")"):
        column = func.replace(column, ch, "")
    return column


def _contact_clause(contact: str, since: datetime, dialect: str):
    """The complaints of the window with the same e-mail or mobile number, as one subquery on
    the index of (received_at, contact): the contacts are read from the index, not the rows.
    A number's digits in order with anything between them is a cheap LIKE that leaves few
    contacts for the exact test on the stripped contact."""
    email, number = reachable(contact)
    tests, written = [], Complaint.complainant_contact
    if email:  # any case: SQLite's LIKE ignores the case of ASCII; on PostgreSQL lower() is
        # worked out only for the contacts with an "@" (case folding every contact of the
        # window, as ILIKE does, costs four times the scan)
        if dialect == "sqlite":
            tests.append(written.contains(email, autoescape=True))
        else:
            tests.append(
                and_(
                    written.contains("@"),
                    func.lower(written).contains(email.lower(), autoescape=True),
                )
            )
    if number:
        tail = number[-NUMBER_DIGITS:]  # digits only: nothing for LIKE to escape
        tests.append(and_(written.like("%" + "%".join(tail) + "%"),
                          _stripped(written).contains(tail)))  # fmt: skip
    if not tests:
        return None
    return Complaint.id.in_(select(Complaint.id).where(Complaint.received_at >= since,
                                                       or_(*tests)))  # fmt: skip


def _text_clause(subject: str, dialect: str):
    """(the WHERE clause of the subject's words, PostgreSQL's tsquery of them), or None when
    the subject says too little."""
    words = sorted(
        {w for w in search_words(subject) if len(w) >= MIN_WORD}, key=lambda w: (-len(w), w)
    )[:TEXT_WORDS]  # the longest, in a fixed order
    if len(words) < 2:  # one word says too little about a matter
        return None
    if dialect == "sqlite":
        query = " AND ".join(f'"{w}"' for w in words)
        matching = select(literal_column("rowid")).select_from(text(FTS_TABLE)).where(
            literal_column(FTS_TABLE).op("MATCH")(f"words : ({query})")
        )  # fmt: skip
        # "+id": not a lookup of every match by its rowid, but the window walked newest first
        # on the received_at index, each id tested against the matches (found once).
        unindexed = UnaryExpression(Complaint.id, operator=custom_op("+"), type_=Complaint.id.type)
        return unindexed.in_(matching), None
    tsquery = func.to_tsquery("simple", " & ".join(f"{w}:D" for w in words))
    return literal_column(f"complaint.{PG_WORDS_COLUMN}").op("@@")(tsquery), tsquery


def similar(reader: User, subject: str, contact: str = "", lapor_tracking_no: str | None = None,
            now: datetime | None = None, exclude_id: int | None = None) -> list[Match]:  # fmt: skip
    """The complaints of the last WINDOW_DAYS that may be the same matter, with why; at most
    LIMIT of each kind, newest first; only those `reader` may see in the register (one off a
    confidential complaint's path must not learn that it exists, nor by whom)."""
    visible = visible_complaints(reader)
    now = now or utcnow()
    since = now - timedelta(days=WINDOW_DAYS)
    dialect = db.session.get_bind().dialect.name
    kinds = []
    if lapor_tracking_no:
        kinds.append(("lapor", Complaint.lapor_tracking_no == lapor_tracking_no.upper()))
    clause = _contact_clause(contact, since, dialect)
    if clause is not None:
        kinds.append(("contact", clause))
    text_match = _text_clause(subject, dialect)
    if text_match is not None:
        kinds.append(("text", text_match[0]))
    found: dict[int, Match] = {}
    columns = (Complaint.id, Complaint.reg_number, Complaint.subject, Complaint.received_at,
               Complaint.is_confidential)  # fmt: skip

    def window(query):
        query = query.where(Complaint.received_at >= since)
        if exclude_id is not None:
            query = query.where(Complaint.id != exclude_id)
        return query if visible is None else query.where(visible)

    def newest_first(*where) -> list:
        query = window(select(*columns).where(*where))
        return db.session.execute(query.order_by(Complaint.received_at.desc())
                                  .limit(LIMIT)).all()  # fmt: skip

    def newest_words(tsquery) -> list:
        """PostgreSQL: the words tested on the window's NEWEST latest complaints only (their
        stored tsvector read with them), not on every complaint the words match in the whole
        register (a common subject: tens of thousands of rows fetched to be filtered by
        date). The LIMIT keeps the test out of the subquery."""
        words = literal_column(f"complaint.{PG_WORDS_COLUMN}").label("words")
        newest = window(select(*columns, words)).order_by(Complaint.received_at.desc()) \
            .limit(NEWEST).subquery()  # fmt: skip
        return db.session.execute(
            select(*(newest.c[c.key] for c in columns)).where(newest.c.words.op("@@")(tsquery))
            .order_by(newest.c.received_at.desc()).limit(LIMIT)
        ).all()  # fmt: skip

    for reason, where in kinds:
        # LIMIT matches among the newest are the newest of all; the whole window only when
        # fewer are found there.
        rows = newest_words(text_match[1]) if reason == "text" and dialect != "sqlite" else []
        if len(rows) < LIMIT:
            rows = newest_first(where)
        for row in rows:
            match = found.setdefault(
                row.id,
                Match(row.id, row.reg_number, row.subject, row.received_at, row.is_confidential),
            )
            if reason not in match.reasons:
                match.reasons.append(reason)
    return sorted(found.values(), key=lambda m: m.received_at, reverse=True)
