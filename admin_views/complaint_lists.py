"""Complaint lists: columns, filters, search, the scope of what a reader may see, counts and
pages that read indexes, not a million rows.

A list's `scope()` is the one clause that `get_query`, `get_count_query`, `get_one` and
every action use; a queue narrows it (admin_views/complaints.py).
"""

from datetime import datetime, time, timedelta

from flask import (
    has_request_context,
    request,
)
from flask_admin.contrib.sqla import filters
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import joinedload
from sqlalchemy.sql import operators

from admin_views.base import IntEqualFilter, SecureModelView
from models import (
    Channel,
    Complaint,
    ComplaintClass,
    DayTally,
    Jenis,
    Sop,
    SopStep,
    db,
)
from models.accounts import ROLE_LABELS, Role
from models.actors import QUEUE_ROLES, waiting_on
from models.actors import co_acting_roles as _co_acting_roles
from models.calendar import load_calendar
from models.complaint import CLOSURES
from models.dates import (
    WIB,
    format_moment,
    sane_date,
)
from models.deadlines import LABELS as DEADLINE_LABELS
from models.deadlines import OVERALL_LABELS, deadline_state, overdue_clause
from models.identity import (
    sees_identities,
    visible_complaints,
    visible_count,
)
from models.lapor import national_limits
from models.lapor_file import CLASS_LABELS
from models.params import parse_id
from models.picklists import cached
from models.search import search_clause
from models.sop import sop_codes
from models.types import utcnow

# How each deadline state (models/deadlines.py) is drawn: a Bootstrap badge and its label.
DEADLINE_BADGES = {state: (css, DEADLINE_LABELS[state]) for state, css in (
    ("paused", "secondary"), ("overdue", "danger"), ("due_soon", "warning"),
    ("on_time", "success"))}  # fmt: skip
# A complaint against its class's overall limit (models/deadlines.overall_state).
OVERALL_BADGES = DEADLINE_BADGES | {"met": ("success", OVERALL_LABELS["met"]),
                                    "missed": ("danger", OVERALL_LABELS["missed"])}  # fmt: skip


def _deadline_badge(_view, _context, model, _name):
    state = deadline_state(model, utcnow())
    badge = Markup("")
    if state is not None:
        css, label = DEADLINE_BADGES[state]
        badge = Markup('<span class="badge badge-{}">{}</span>').format(css, label)
    return badge + _lapor_badge(model)


LAPOR_BADGES = {"open": "info", "late": "danger", "missed": "warning", "met": "success"}
working_calendar = cached("calendar", load_calendar)


def _lapor_badge(model) -> Markup:
    """Beside the SOP's: SP4N-LAPOR!'s follow-up limit of a complaint from LAPOR!."""
    if not model.lapor_tracking_no:
        return Markup("")
    calendar = working_calendar()  # kept by the process, like the pick lists
    limit = next(x for x in national_limits(model, utcnow(), calendar) if x.kind == "follow_up")
    return Markup(' <span class="badge badge-{}" title="{}">LAPOR! {} · {}</span>').format(
        LAPOR_BADGES[limit.state], limit.label, format_moment(limit.due), limit.state_label
    )


def _stage_label(_view, _context, model, _name):
    step = model.open_step
    return stage_text(model.sop.code, model.status_label, step.no if step else None,
                      step.short_name if step else None)  # fmt: skip


def stage_text(sop_code: str, status_label: str, step_no: int | None,
               short_name: str | None) -> str:  # fmt: skip
    """``SOP.50 · 3. Disposisi``: where a complaint stands, as lists and exports show it;
    ``SOP.50 · Digabung`` once closed (its status label, `Complaint.status_label`)."""
    if step_no is not None:
        return f"{sop_code} · {step_no}. {short_name}"
    return f"{sop_code} · {status_label}"


def _moment(attr):
    return lambda v, c, m, n: format_moment(getattr(m, attr))


class SopCodeFilter(filters.BaseSQLAFilter):
    def apply(self, query, value, alias=None):
        return query.filter(Complaint.sop_id.in_(select(Sop.id).where(Sop.code == value)))

    def operation(self):
        return "sama dengan"


class OverdueFilter(filters.BaseSQLAFilter):
    def apply(self, query, value, alias=None):
        late = overdue_clause(utcnow())
        return query.filter(late if value == "1" else ~late)

    def operation(self):
        return "adalah"


class WaitingOnFilter(filters.BaseSQLAFilter):
    """The official whose action the complaint waits for: the Kadis's pending dispositions."""

    def apply(self, query, value, alias=None):
        return query.filter(waiting_on(value, value in co_acting_roles()))

    def validate(self, value):
        return value in {role for role, _ in self.options}

    def operation(self):
        return "adalah"


class StepFilter(filters.BaseSQLAFilter):
    """The open step of a queue's complaints (``SOP.50:8``): the Kepala Dinas's new
    dispositions apart from the resumes he studies."""

    def apply(self, query, value, alias=None):
        code, _, no = value.partition(":")
        revisions = select(Sop.id).where(Sop.code == code)
        return query.filter(Complaint.current_step_no == int(no), Complaint.sop_id.in_(revisions))

    def validate(self, value):
        code, _, no = (value or "").partition(":")
        return bool(code) and no.isdigit() and len(value) <= 40

    def operation(self):
        return "adalah"


def step_options(role: str):
    """The steps (of every SOP) that wait on `role`, as filter choices; the newest revision's
    name for a number."""

    def load():
        rows = db.session.execute(
            select(Sop.code, SopStep.no, SopStep.short_name)
            .join(Sop, Sop.id == SopStep.sop_id)
            .where((SopStep.actor == role) | (SopStep.co_actor == role))
            .order_by(Sop.code, SopStep.no, Sop.revision)
        )  # fmt: skip
        named = {(code, no): name for code, no, name in rows}
        return [(f"{code}:{no}", f"{code} · {no}. {name}") for (code, no), name in named.items()]

    return cached(f"steps:{role}", load)


class ClosureFilter(filters.BaseSQLAFilter):
    """How a closed complaint ended: answered, merged, forwarded (models/closing.py)."""

    def apply(self, query, value, alias=None):
        if value == "answered":
            return query.filter(Complaint.status == "closed", Complaint.closed_as.is_(None))
        return query.filter(Complaint.closed_as == value)

    def validate(self, value):
        return value in {code for code, _ in self.options}

    def operation(self):
        return "adalah"


class ReceivedBetweenFilter(filters.DateBetweenFilter):
    """Dates picked are office (WIB) days; the column holds UTC moments."""

    def validate(self, value):
        if not super().validate(value):
            return False
        return all(sane_date(day) for day in self.clean(value))

    def apply(self, query, value, alias=None):
        start, end = value
        lo = datetime.combine(start, time.min, WIB)
        hi = datetime.combine(end + timedelta(days=1), time.min, WIB)
        return query.filter(Complaint.received_at >= lo, Complaint.received_at < hi)


def _lookup_options(model):
    def load():
        rows = db.session.scalars(select(model).order_by(model.ordering))
        return [(str(r.id), r.name) for r in rows]

    return cached(model.__tablename__, load)


def _sop_options():
    return [(code, code) for code in sop_codes()]


# Filter choices and leading roles come from master data the admin may change: kept by the
# process, told of any change by a version row (models/picklists.py).
sop_options = cached("sop", _sop_options)
co_acting_roles = cached("co_actors", _co_acting_roles)


SEARCH_COUNT_CAP = 1000


def _filtered() -> bool:
    """Whether the list's request asks for any filter (Flask-Admin's flt<n>_<m> arguments)."""
    return any(name.startswith("flt") for name in request.args)


def _queue_counts() -> dict:
    """The queue counts this request has made already, by view endpoint."""
    counts = getattr(request, "queue_counts", None)
    if counts is None:
        counts = request.queue_counts = {}
    return counts


class _Made(dict):
    """A dict that makes a missing value with `make(key)` and keeps it."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


def reversed_order(query):
    """`query` in the exact reverse of its order, or None when that order does not end with
    the complaint's id (only a total order reverses into the same pages). The default NULL
    placement reverses with the direction on SQLite and PostgreSQL alike."""
    clauses = query._order_by_clauses
    if not clauses or not _bare(clauses[-1]).compare(Complaint.__table__.c.id):
        return None
    flipped = []
    for clause in clauses:
        modifier = getattr(clause, "modifier", None)
        if modifier is operators.desc_op:
            flipped.append(clause.element.asc())
        elif modifier is operators.asc_op:
            flipped.append(clause.element.desc())
        elif modifier is None:
            flipped.append(clause.desc())
        else:  # NULLS FIRST / LAST: not reversed here
            return None
    return query.order_by(None).order_by(*flipped)


def _bare(clause):
    """What an ORDER BY clause sorts by, its ASC or DESC taken off."""
    while getattr(clause, "modifier", None) in (operators.asc_op, operators.desc_op):
        clause = clause.element
    return clause


class ComplaintList(SecureModelView):
    """The list of complaints: its columns, filters, search, scope, counts and pages."""

    roles = (Role.FO, Role.KADIS, Role.KABID, Role.KASI, Role.ADMIN)
    can_create = can_edit = can_delete = False
    can_export = False
    list_template = "admin/complaint_list.html"
    live_filter_choices = True  # channels, jenis and SOPs change in the admin
    column_list = ("reg_number", "received_at", "channel", "jenis", "subject", "stage",
                   "due_at", "deadline")  # fmt: skip
    column_labels = {
        "reg_number": "No. Registrasi",
        "received_at": "Diterima",
        "channel": "Kanal",
        "jenis": "Jenis",
        "subject": "Pokok pengaduan",
        "stage": "Langkah saat ini",
        "due_at": "Batas waktu",
        "deadline": "Status waktu",
    }
    column_sortable_list = ("reg_number", "received_at", "due_at")
    column_default_sort = [("due_at", False), ("id", False)]
    column_searchable_list = ("reg_number", "subject", "complainant_name")
    column_formatters = {
        "received_at": _moment("received_at"),
        "due_at": _moment("due_at"),
        "stage": _stage_label,
        "deadline": _deadline_badge,
    }

    def __init__(self, *args, **kwargs):
        self.column_filters = [
            IntEqualFilter(Complaint.channel_id, "Kanal", options=_lookup_options(Channel)),
            IntEqualFilter(Complaint.jenis_id, "Jenis", options=_lookup_options(Jenis)),
            SopCodeFilter(Complaint.sop_id, "SOP", options=sop_options),
            WaitingOnFilter(Complaint.current_actor, "Menunggu", options=[
                (role, ROLE_LABELS[role]) for role in QUEUE_ROLES]),
            OverdueFilter(Complaint.due_at, "Terlambat", options=[("1", "Ya"), ("0", "Tidak")]),
            ReceivedBetweenFilter(Complaint.received_at, "Tanggal diterima"),
            IntEqualFilter(Complaint.class_id, "Kelas pengaduan",
                           options=_lookup_options(ComplaintClass)),
            filters.FilterEqual(Complaint.lapor_classification, "Klasifikasi LAPOR!",
                                options=list(CLASS_LABELS.items())),
            ClosureFilter(Complaint.closed_as, "Cara selesai",
                          options=[("answered", "Dijawab"), *CLOSURES.items()]),
        ]  # fmt: skip
        if getattr(self, "queue_role", None):  # a queue: which of its steps
            self.column_filters.append(
                StepFilter(
                    Complaint.current_step_no, "Langkah", options=step_options(self.queue_role)
                )
            )
        super().__init__(*args, **kwargs)

    # -- search: an index, not LIKE over every row ---------------------------------------
    def search_placeholder(self):
        if sees_identities(current_user):
            return "Cari no. registrasi, pokok, uraian, nama pengadu"
        return "Cari no. registrasi, pokok, uraian"

    def _apply_search(self, query, count_query, joins, count_joins, search):
        """A registration number or its start, or words (FTS5 / PostgreSQL; models/search);
        the complainant's name only for a reader who may see identities."""
        clause = search_clause(search, db.session.get_bind().dialect.name,
                               names=sees_identities(current_user))  # fmt: skip
        if count_query is not None:
            count_query = count_query.filter(clause)
        return query.filter(clause), count_query, joins, count_joins

    # -- scope: the one clause ------------------------------------------------------------
    def scope(self, query):
        """The complaints this list shows the user: all, but confidential ones only to the
        officials on their path (models/identity.py). A view that narrows it returns a new
        query; get_count_query relies on that to know the whole register is asked."""
        visible = visible_complaints(current_user) if has_request_context() else None
        return query if visible is None else query.filter(visible)

    def get_query(self):
        query = self.scope(super().get_query())
        if has_request_context() and not request.args.get("sort"):
            if request.args.get("search"):  # search results: the newest first
                query = query.order_by(Complaint.id.desc())
            else:  # open steps by due moment first, on SQLite and PostgreSQL alike (NULLs last)
                query = query.order_by(Complaint.due_at.is_(None))
        # Everything a row shows comes in the page's one statement.
        return query.options(
            joinedload(Complaint.channel),
            joinedload(Complaint.jenis),
            joinedload(Complaint.sop),
            joinedload(Complaint.open_step),
        )

    def get_count_query(self):
        if has_request_context() and request.args.get("search"):
            return None  # a search counts its matches up to SEARCH_COUNT_CAP (get_list)
        query = super().get_count_query()
        if type(self).scope is ComplaintList.scope and has_request_context() \
                and not _filtered():  # fmt: skip
            # The whole register as the user may see it: its size is the sum of the daily
            # intake (models/tally.py), less the confidential complaints off the user's path
            # (models/identity.py), not a count of a million rows.
            size = func.coalesce(func.sum(DayTally.received), 0)
            return db.session.query(visible_count(current_user, size))
        return self.scope(query)

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                 page_size=None):  # fmt: skip
        """The page's rows and the list's count.

        A search counts its matches only up to SEARCH_COUNT_CAP: nobody pages through more
        than forty pages of results, and counting 93,675 matches of a common name cost
        PostgreSQL 180 ms where the first thousand cost a few. Where there are fewer, the
        page is read by their ids: a planner that guesses many matches would otherwise walk
        the whole register backwards looking for the newest (measured: 329 ms for none).
        """
        size = self.page_size if page_size is None else page_size
        # The sorted, filtered query without its page (paged below, from the nearer end).
        count, whole = super().get_list(None, sort_column, sort_desc, search, filters,
                                        execute=False, page_size=False)  # fmt: skip
        capped, backward = False, False
        if count is None and has_request_context() and request.args.get("search"):
            ids = [i for (i,) in whole.order_by(None).with_entities(Complaint.id)
                   .limit(SEARCH_COUNT_CAP + 1)]  # fmt: skip
            capped, count = len(ids) > SEARCH_COUNT_CAP, min(len(ids), SEARCH_COUNT_CAP)
            if not capped:  # few matches: the page reads exactly those rows
                whole = whole.filter(Complaint.id.in_(ids))
            query = super()._apply_pagination(whole, page, size)
        else:
            query, backward = self._page(whole, page or 0, size, count)
        if has_request_context():
            self._template_args["search_capped"] = capped
        if execute:
            query = query.all()
            if backward:
                query.reverse()
        if has_request_context() and not search and not filters:
            # The whole list was counted: the menu badge of this list needs no count of its own.
            _queue_counts()[self.endpoint] = count
        return count, query

    def _page(self, query, page: int, size: int, count: int | None):
        """The page's rows, found by their ids first: skipping 50,000 rows reads index
        entries, not 50,000 joined rows, and a queue of two roles (the Kabid's own steps and
        the meetings he leads) sorts ids, not joined rows. A page nearer the list's end is
        read from the end, in the reversed order (the true last page costs what the first
        does, not a walk past every row before it); return (query, whether its rows come
        reversed)."""
        if not size:
            return query, False
        offset = page * size
        after = None if count is None else count - offset - size  # rows beyond the page
        reverse = reversed_order(query) if after is not None and after < offset else None
        if reverse is not None:
            query, offset, size = reverse, max(after, 0), size + min(after, 0)
        if size <= 0:
            return query.limit(0), reverse is not None
        if not offset and not self.sorts_ids_first:
            return query.limit(size), reverse is not None  # one index's order: joined directly
        ids = query.with_entities(Complaint.id).limit(size).offset(offset).subquery()
        return query.filter(Complaint.id.in_(select(ids.c.id))).limit(size), reverse is not None

    def get_one(self, id):
        complaint_id = parse_id(id)
        if complaint_id is None:
            return None
        return (
            self.scope(db.session.query(Complaint))
            .filter(Complaint.id == complaint_id)
            # What its page reads: the SOP joined, its steps and their outcomes in two more
            # statements (not one per step's outcomes), the master data, class and survey joined.
            .options(joinedload(Complaint.channel), joinedload(Complaint.jenis),
                     joinedload(Complaint.platform), joinedload(Complaint.complaint_class),
                     joinedload(Complaint.rating),
                     joinedload(Complaint.sop).selectinload(Sop.steps)
                     .selectinload(SopStep.outcomes))
            .first()
        )  # fmt: skip

    def menu_badge(self) -> int | None:
        return None

    @property
    def sorts_ids_first(self) -> bool:
        """Whether even the first page should sort ids before joining (see pagination)."""
        return False
