"""Finding complaints fast in a register of millions: the database objects SQLAlchemy's
metadata cannot describe, and the search clause that uses them.

- **Queue order.** Lists show open steps by due moment, those without one last:
  ``ORDER BY due_at IS NULL, due_at, id``. Expression indexes, on the acting role, on the
  co-acting role and on the order alone, give that order directly, so a page reads 25 index
  entries instead of sorting the whole queue or register. The order's own index also holds
  what the register's visibility rule reads (confidential, acting and co-acting role).
- **Free-text search** over the registration number, the subject and the description, and
  apart from them the complainant's name. A reader who may not see identities (the admin,
  the Tim Teknis) searches the first part only: a name, added to letter by letter, must
  not find whose report it is. Nobody finds a complaint by the name of an anonymous or
  confidential complainant: it is not indexed. SQLite keeps an FTS5 table of two columns
  (``words``, ``names``) filled by triggers; PostgreSQL a stored generated ``tsvector`` with
  the name's words weighted A and the rest D, under a GIN index (a reader without
  identities asks for weight D only).

`install(connection)` creates them (called after ``create_all`` and by migration 0004);
`include_object` keeps Alembic's autogenerate from reporting them as unknown.
"""

import re

from sqlalchemy import and_, event, func, literal_column, or_, select, text

from models.complaint import Complaint

FTS_TABLE = "complaint_fts"
QUEUE_INDEXES = ("ix_complaint_queue_actor", "ix_complaint_queue_co_actor",
                 "ix_complaint_due_order")  # fmt: skip
PG_SEARCH_INDEX = "ix_complaint_search"
PG_PREFIX_INDEX = "ix_complaint_reg_prefix"

# The words of a complaint that search finds, and apart from them the complainant's name
# (only when the identity is not hidden).
_SQLITE_WORDS = "{row}.reg_number || ' ' || {row}.subject || ' ' || {row}.description"
_SQLITE_NAMES = ("CASE WHEN {row}.is_anonymous OR {row}.is_confidential THEN '' "
                 "ELSE {row}.complainant_name END")  # fmt: skip
_SQLITE_ROW = f"{_SQLITE_WORDS}, {_SQLITE_NAMES}"
_PG_WORDS = (
    "setweight(to_tsvector('simple'::regconfig, reg_number || ' ' || subject || ' ' "
    "|| description), 'D') || setweight(to_tsvector('simple'::regconfig, CASE WHEN "
    "is_anonymous OR is_confidential THEN '' ELSE complainant_name END), 'A')"
)
PG_WORDS_COLUMN = "search_words"  # stored: rechecking a match reads it instead of parsing again

_QUEUE_DDL = [
    f"CREATE INDEX {QUEUE_INDEXES[0]} ON complaint (current_actor, (due_at IS NULL), due_at, id)",
    f"CREATE INDEX {QUEUE_INDEXES[1]} ON complaint "
    "(current_co_actor, (due_at IS NULL), due_at, id)",
    # With what the register's visibility rule reads (models/identity.py), so that a later page
    # of all complaints skips index entries, not rows, for an official off some confidential
    # complaints' path.
    f"CREATE INDEX {QUEUE_INDEXES[2]} ON complaint ((due_at IS NULL), due_at, id, "
    "is_confidential, current_actor, current_co_actor)",
]
_SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(words, names, tokenize = 'unicode61')",
    f"""CREATE TRIGGER complaint_fts_insert AFTER INSERT ON complaint BEGIN
          INSERT INTO {FTS_TABLE} (rowid, words, names)
          VALUES (new.id, {_SQLITE_ROW.format(row="new")});
        END""",
    f"""CREATE TRIGGER complaint_fts_update AFTER UPDATE OF reg_number, subject, description,
          complainant_name, is_anonymous, is_confidential ON complaint BEGIN
          DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
          INSERT INTO {FTS_TABLE} (rowid, words, names)
          VALUES (new.id, {_SQLITE_ROW.format(row="new")});
        END""",
    f"""CREATE TRIGGER complaint_fts_delete AFTER DELETE ON complaint BEGIN
          DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        END""",
]
_PG_DDL = [
    f"ALTER TABLE complaint ADD COLUMN {PG_WORDS_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({_PG_WORDS}) STORED",
    f"CREATE INDEX {PG_SEARCH_INDEX} ON complaint USING gin ({PG_WORDS_COLUMN})",
    f"CREATE INDEX {PG_PREFIX_INDEX} ON complaint (reg_number text_pattern_ops)",
]


def install(connection) -> None:
    """Create the queue indexes and the search structures, and index the rows already there."""
    for statement in _QUEUE_DDL:
        connection.execute(text(statement))
    install_search(connection)


def install_search(connection) -> None:
    """Create the search structures and index the rows already there."""
    dialect = connection.dialect.name
    for statement in _SQLITE_DDL if dialect == "sqlite" else _PG_DDL:
        connection.execute(text(statement))
    if dialect == "sqlite":
        connection.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, words, names) "
                                f"SELECT id, {_SQLITE_ROW.format(row='complaint')} "
                                "FROM complaint"))  # fmt: skip


def pause_indexing(connection) -> None:
    """Stop indexing new complaints one by one (before a bulk insert; SQLite only)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("DROP TRIGGER IF EXISTS complaint_fts_insert"))


def resume_indexing(connection, first_id: int) -> None:
    """Index the complaints from `first_id` on in one statement and index new ones again."""
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, words, names) SELECT id, "
                                f"{_SQLITE_ROW.format(row='complaint')} FROM complaint "
                                "WHERE id >= :first"), {"first": first_id})  # fmt: skip
        connection.execute(text(_SQLITE_DDL[1]))


def reorder_index(connection) -> None:
    """Build the register's order index again as `_QUEUE_DDL` has it (migration 0010)."""
    connection.execute(text(f"DROP INDEX IF EXISTS {QUEUE_INDEXES[2]}"))
    connection.execute(text(_QUEUE_DDL[2]))


def uninstall(connection) -> None:
    """Drop what `install` made (migration 0004's downgrade)."""
    for name in QUEUE_INDEXES:
        connection.execute(text(f"DROP INDEX IF EXISTS {name}"))
    uninstall_search(connection)


def uninstall_search(connection) -> None:
    """Drop the search structures (migration 0010 rebuilds them with the description)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))  # drops its triggers' target
        for trigger in ("insert", "update", "delete"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS complaint_fts_{trigger}"))
    else:
        connection.execute(text(f"DROP INDEX IF EXISTS {PG_SEARCH_INDEX}"))
        connection.execute(text(f"DROP INDEX IF EXISTS {PG_PREFIX_INDEX}"))
        connection.execute(text(f"ALTER TABLE complaint DROP COLUMN IF EXISTS {PG_WORDS_COLUMN}"))


@event.listens_for(Complaint.__table__, "after_create")
def _after_create(_table, connection, **_kw):
    install(connection)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic autogenerate: leave the objects made here out of the comparison."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == PG_WORDS_COLUMN:
        return False
    return not (type_ == "index" and name in (*QUEUE_INDEXES, PG_SEARCH_INDEX, PG_PREFIX_INDEX))


# -- the search clause --------------------------------------------------------------------
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8


def search_words(term: str) -> list[str]:
    """The words of a search term, lower-cased, at most MAX_WORDS of them."""
    return [w.lower() for w in _WORD.findall(term or "")][:MAX_WORDS]


def _fts_query(words: list[str]) -> str:
    return " ".join(f'"{w}"*' for w in words)


def registration_prefix(term: str, dialect: str):
    """Registration numbers starting with `term` (as typed, or in capitals), by index range."""
    clauses = []
    for prefix in dict.fromkeys((term, term.upper())):
        if dialect == "sqlite":  # binary order: every string starting with `prefix` is in here
            clauses.append(and_(Complaint.reg_number >= prefix,
                                Complaint.reg_number < prefix + "\U0010ffff"))  # fmt: skip
        else:  # a pattern the planner can read against the text_pattern_ops index
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(Complaint.reg_number.like(escaped + "%", escape="\\"))
    return or_(*clauses)


def _lapor_tracking_id(term: str) -> bool:
    """Whether `term` is the Tracking ID of a complaint from SP4N-LAPOR! (one word, found by
    its index)."""
    from models import db

    if not term or len(term) > 40 or any(ch.isspace() or ch == "/" for ch in term):
        return False
    found = select(Complaint.id).where(Complaint.lapor_tracking_no == term.upper()).limit(1)
    return db.session.scalar(found) is not None


def search_clause(term: str, dialect: str, names: bool = False):
    """A WHERE clause for the complaints matching `term`: an SP4N-LAPOR! Tracking ID exactly,
    the start of a registration number,
    or every word of the term as the start of a word of the number, subject or description —
    or, with `names` (a reader who may see identities), of the complainant's shown name."""
    term = (term or "").strip()
    words = search_words(term)
    if _lapor_tracking_id(term):  # an SP4N-LAPOR! Tracking ID: that report, exactly
        return Complaint.lapor_tracking_no == term.upper()
    if "/" in term:  # registration numbers contain slashes; words never do
        return registration_prefix(term, dialect)
    if not words:  # only punctuation: nothing but that very number can match
        return Complaint.reg_number == term
    if dialect == "sqlite":
        query = _fts_query(words) if names else f"words : ({_fts_query(words)})"
        matching = select(literal_column("rowid")).select_from(text(FTS_TABLE)).where(
            literal_column(FTS_TABLE).op("MATCH")(query)
        )  # fmt: skip
        return Complaint.id.in_(matching)
    weight = "" if names else "D"  # the name's words carry weight A
    query = " & ".join(f"{w}:*{weight}" for w in words)
    column = literal_column(f"complaint.{PG_WORDS_COLUMN}")
    return column.op("@@")(func.to_tsquery("simple", query))
