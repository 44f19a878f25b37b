"""Complaint lists: each official's queue, all complaints, the complaint page and its actions.

A queue is a query: `scope()` is the one clause that `get_query`, `get_count_query`,
`get_one` and every action use.
"""

from datetime import datetime, time, timedelta
from time import monotonic

from flask import (
    abort,
    flash,
    has_app_context,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import filters
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import (
    String,
    and_,
    case,
    event,
    func,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import aliased, joinedload
from wtforms import DateField
from wtforms.validators import InputRequired, ValidationError

from admin_views.base import SecureModelView, may_open, safe_path
from admin_views.export import CHUNK, FORMULA_STARTS, ExportMixin, neutralise
from admin_views.i18n import AppForm
from admin_views.responses import file_response
from models import (
    Attachment,
    Channel,
    Complaint,
    DayTally,
    Jenis,
    Platform,
    Sop,
    SopStep,
    StepRecord,
    db,
)
from models.accounts import ROLE_LABELS, Role
from models.actors import clock_role, open_step, queue_clause, queue_count, waiting_on, why_not
from models.actors import co_acting_roles as _co_acting_roles
from models.complaint import STATUSES
from models.dates import (
    WIB,
    format_moment,
    format_stored_moment,
    sane_date,
    to_wib,
    today_wib,
)
from models.deadlines import LABELS as DEADLINE_LABELS
from models.deadlines import deadline_case, deadline_state, overdue_clause
from models.documents import (
    MASK,
    complainant,
    document_links,
    filename,
    record_document,
    register_book,
)
from models.identity import (
    REVEAL_MINUTES,
    RevealRefused,
    identity_hidden,
    reveal,
    reveal_in_force,
    sees_identities,
    visible_complaints,
    visible_count,
)
from models.kinds import FORMS
from models.params import parse_id
from models.pdf import render_pdf, render_register
from models.search import search_clause
from models.sop import sop_codes
from models.step_forms import RegisterForm, read_uploads
from models.swimlane import complaint_swimlane
from models.types import utcnow
from models.workflow import (
    ActionRefused,
    FormInvalid,
    advance,
    form_for,
    history_of,
    last_record,
    offered_outcomes,
    pause,
    register,
    resume,
    role_label,
)

# How each deadline state (models/deadlines.py) is drawn: a Bootstrap badge and its label.
DEADLINE_BADGES = {state: (css, DEADLINE_LABELS[state]) for state, css in (
    ("paused", "secondary"), ("overdue", "danger"), ("due_soon", "warning"),
    ("on_time", "success"))}  # fmt: skip


def _deadline_badge(_view, _context, model, _name):
    state = deadline_state(model, utcnow())
    if state is None:
        return ""
    css, label = DEADLINE_BADGES[state]
    return Markup('<span class="badge badge-{}">{}</span>').format(css, label)


def _stage_label(_view, _context, model, _name):
    step = model.open_step
    return stage_text(model.sop.code, model.status, step.no if step else None,
                      step.short_name if step else None)  # fmt: skip


def stage_text(sop_code: str, status: str, step_no: int | None, short_name: str | None) -> str:
    """``SOP.50 · 3. Disposisi``: where a complaint stands, as lists and exports show it."""
    if step_no is not None:
        return f"{sop_code} · {step_no}. {short_name}"
    return f"{sop_code} · {STATUSES[status]}"


def _moment(attr):
    return lambda v, c, m, n: format_moment(getattr(m, attr))


class IntEqualFilter(filters.FilterEqual):
    def clean(self, value):
        return parse_id(value)

    def validate(self, value):
        return parse_id(value) is not None


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


# Filter choices come from master data the admin may change. Reading them on every list page
# would cost a statement each; they are kept for OPTIONS_SECONDS per process instead, and
# dropped at once when this process writes a change to them.
OPTIONS_SECONDS = 30
_options_cache: dict[str, tuple[float, list]] = {}


def _cached_options(key: str, load):
    def options():
        if not has_app_context():  # Flask-Admin builds its filter cache at start-up
            return []
        now = monotonic()
        hit = _options_cache.get(key)
        if hit is None or now - hit[0] > OPTIONS_SECONDS:
            hit = _options_cache[key] = (now, load())
        return hit[1]

    return options


def _lookup_options(model):
    def load():
        rows = db.session.scalars(select(model).order_by(model.ordering))
        return [(str(r.id), r.name) for r in rows]

    return _cached_options(model.__tablename__, load)


def _sop_options():
    return [(code, code) for code in sop_codes()]


def _forget_options(*_args):
    _options_cache.clear()


co_acting_roles = _cached_options("co_actors", _co_acting_roles)

for _model in (Channel, Jenis, Sop, SopStep):
    for _change in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _change, _forget_options)


EXPORT_HEADERS = (
    "No. Registrasi", "Diterima (WIB)", "Kanal", "Platform", "No. LAPOR!", "Jenis", "SOP",
    "Status", "Langkah saat ini", "Batas waktu (WIB)", "Status waktu", "Nama pengadu",
    "Kontak", "Alamat", "Pokok pengaduan", "Uraian",
)  # fmt: skip


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


class ComplaintListView(ExportMixin, SecureModelView):
    """All complaints, for the officials who follow the whole register."""

    export_name = "pengaduan"
    export_rows_are_safe = True  # export_rows() neutralises every value it writes

    roles = (Role.FO, Role.KADIS, Role.KABID, Role.KASI, Role.ADMIN)
    can_create = can_edit = can_delete = False
    can_export = False
    list_template = "admin/complaint_list.html"
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
            SopCodeFilter(Complaint.sop_id, "SOP", options=_cached_options("sop", _sop_options)),
            WaitingOnFilter(Complaint.current_actor, "Menunggu", options=[
                (role, ROLE_LABELS[role]) for role in (Role.FO, Role.KADIS, Role.KABID,
                                                       Role.KASI, Role.TIM_TEKNIS)]),
            OverdueFilter(Complaint.due_at, "Terlambat", options=[("1", "Ya"), ("0", "Tidak")]),
            ReceivedBetweenFilter(Complaint.received_at, "Tanggal diterima"),
        ]  # fmt: skip
        super().__init__(*args, **kwargs)

    @expose("/")
    def index_view(self):
        # Filter choices come from master data that the admin may change.
        self._refresh_filters_cache()
        return super().index_view()

    def export_rows(self, query):
        """The list's complaints in chunks of rows; identities masked when anonymous or
        confidential; every value safe from spreadsheet formulas.

        The list's own query (scope, filters, search, order) with only the exported columns:
        masking and the deadline label are worked out by the database, moments are read as
        the driver returns them, and each row is built in one pass (a million rows cost
        about twice a raw dump of the same columns; bench/scale.py).
        """
        platform, open_step = aliased(Platform), aliased(SopStep)
        hidden = or_(Complaint.is_anonymous, Complaint.is_confidential)
        if not sees_identities(current_user):  # the Tim Teknis: no identity on any row
            hidden = true()

        def shown(column):
            return case((hidden, MASK), else_=func.coalesce(column, ""))

        columns = query.with_entities(
            Complaint.reg_number, type_coerce(Complaint.received_at, String), Channel.name,
            func.coalesce(platform.name, ""), func.coalesce(Complaint.lapor_tracking_no, ""),
            Jenis.name, Sop.code, Sop.revision, Complaint.status, open_step.no,
            open_step.short_name, type_coerce(Complaint.due_at, String),
            deadline_case(utcnow()), shown(Complaint.complainant_name),
            shown(Complaint.complainant_contact), shown(Complaint.complainant_address),
            Complaint.subject, Complaint.description,
        ).join(Channel, Channel.id == Complaint.channel_id).join(
            Jenis, Jenis.id == Complaint.jenis_id).join(Sop, Sop.id == Complaint.sop_id
        ).outerjoin(platform, platform.id == Complaint.platform_id).outerjoin(
            open_step, and_(open_step.sop_id == Complaint.sop_id,
                            open_step.no == Complaint.current_step_no))  # fmt: skip
        result = db.session.connection().execute(
            columns.statement.execution_options(yield_per=CHUNK)
        )
        moment, starts = format_stored_moment, FORMULA_STARTS
        # Master data, SOP and stage labels take few values: each is made once, then looked up.
        label = _Made(neutralise)
        sop = _Made(lambda key: neutralise(f"{key[0]} rev. {key[1]}"))
        stage = _Made(lambda key: neutralise(stage_text(*key)))

        def chunks():
            for part in result.partitions():
                yield [(
                    "'" + number if number[:1] in starts else number, moment(received),
                    label[channel], label[platform_name],
                    "'" + lapor if lapor[:1] in starts else lapor, label[jenis],
                    sop[code, revision], STATUSES[status], stage[code, status, step_no, step_name],
                    moment(due) if due else "-", state,
                    "'" + name if name[:1] in starts else name,
                    "'" + contact if contact[:1] in starts else contact,
                    "'" + address if address[:1] in starts else address,
                    "'" + subject if subject[:1] in starts else subject,
                    "'" + text if text[:1] in starts else text,
                ) for (number, received, channel, platform_name, lapor, jenis, code, revision,
                       status, step_no, step_name, due, state, name, contact, address, subject,
                       text) in part]  # fmt: skip

        return EXPORT_HEADERS, chunks()

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
        return query.options(joinedload(Complaint.channel), joinedload(Complaint.jenis),
                             joinedload(Complaint.sop), joinedload(Complaint.open_step))

    def get_count_query(self):
        if has_request_context() and request.args.get("search"):
            return None  # a search counts its matches up to SEARCH_COUNT_CAP (get_list)
        query = super().get_count_query()
        if type(self).scope is ComplaintListView.scope and has_request_context() \
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
        count, query = super().get_list(page, sort_column, sort_desc, search, filters,
                                        execute=False, page_size=page_size)  # fmt: skip
        capped = False
        if count is None and has_request_context() and request.args.get("search"):
            whole = query.limit(None).offset(None)
            ids = [i for (i,) in whole.order_by(None).with_entities(Complaint.id)
                   .limit(SEARCH_COUNT_CAP + 1)]  # fmt: skip
            capped, count = len(ids) > SEARCH_COUNT_CAP, min(len(ids), SEARCH_COUNT_CAP)
            if not capped:  # few matches: the page reads exactly those rows
                query = self._apply_pagination(whole.filter(Complaint.id.in_(ids)), page,
                                               page_size)  # fmt: skip
        if has_request_context():
            self._template_args["search_capped"] = capped
        if execute:
            query = query.all()
        if has_request_context() and not search and not filters:
            # The whole list was counted: the menu badge of this list needs no count of its own.
            _queue_counts()[self.endpoint] = count
        return count, query

    def _apply_pagination(self, query, page, page_size):
        """A page finds its 25 ids first and joins only those: skipping 50,000 rows reads
        index entries, not 50,000 joined rows, and a queue of two roles (the Kabid's own
        steps and the meetings he leads) sorts ids, not joined rows."""
        paged = super()._apply_pagination(query, page, page_size)
        if not page_size or (has_request_context() and request.args.get("search")):
            return paged  # (search results come through their own index already)
        if not page and not self.sorts_ids_first:
            return paged  # the first page of one index's order: 25 rows joined directly
        ids = paged.with_entities(Complaint.id).subquery()
        return query.filter(Complaint.id.in_(select(ids.c.id))).limit(page_size)

    def get_one(self, id):
        complaint_id = parse_id(id)
        if complaint_id is None:
            return None
        return self.scope(db.session.query(Complaint)).filter(Complaint.id == complaint_id).first()

    def menu_badge(self) -> int | None:
        return None

    @property
    def sorts_ids_first(self) -> bool:
        """Whether even the first page should sort ids before joining (see pagination)."""
        return False

    # -- the complaint page ---------------------------------------------------------------
    def _complaint_or_404(self):
        complaint = self.get_one(request.args.get("id"))
        if complaint is None:
            abort(404)
        return complaint

    def _acted_on_or_gone(self):
        """The complaint a POST acts on; if another official has moved it out of this list
        since the user's page was shown (the posted version is older), back to the list with
        who did it (when the user may see it at all); else 404."""
        complaint = self.get_one(request.args.get("id"))
        if complaint is not None:
            return complaint, None
        moved = ComplaintListView.scope(self, db.session.query(Complaint)).filter(
            Complaint.id == parse_id(request.args.get("id"))).first()  # fmt: skip
        seen = request.form.get("version", type=int)  # the version the official's page showed
        if moved is None or seen is None or seen >= moved.version \
                or not ComplaintListView.is_accessible(self):  # fmt: skip
            abort(404)
        record = last_record(moved)
        who = record.actor.full_name if record and record.actor else "pejabat lain"
        when = format_moment(record.finished_at)
        flash(f"Pengaduan {moved.reg_number} sudah ditindaklanjuti oleh {who} pada {when} dan "
              "tidak lagi menunggu Anda.", "warning")  # fmt: skip
        return None, redirect(url_for(".index_view"))

    def _render_complaint(self, complaint, failed=None, refused=None, status=200,
                          revealed=None):  # fmt: skip
        """The complaint page; `revealed` is the reveal just logged (its identity is shown,
        prefilled and carried into the document links of this page only)."""
        history = history_of(complaint)
        who = complainant(complaint, reveal=revealed is not None,
                          allowed=sees_identities(current_user))  # fmt: skip
        forms = []
        reason = why_not(complaint, current_user)
        if reason is None:
            for outcome in offered_outcomes(complaint):
                if failed is not None and failed[0] == outcome.code:
                    forms.append((outcome, failed[1]))
                else:
                    forms.append((outcome, form_for(complaint, outcome, who=who)))
        stage = open_step(complaint)
        return self.render(
            "admin/complaint_page.html",
            complaint=complaint,
            who=who,
            may_reveal=identity_hidden(complaint) and sees_identities(current_user)
            and revealed is None,
            reveal_id=revealed.id if revealed is not None else None,
            stage=stage,
            history=history,
            sop_diagram=complaint_swimlane(complaint, history),
            forms=forms,
            reason=refused or reason,
            deadline=deadline_state(complaint, utcnow()),
            documents=document_links(complaint),
            badges=DEADLINE_BADGES,
            role_label=role_label,
            role_labels=ROLE_LABELS,
            may_pause=clock_role(complaint, current_user) is not None,
            return_url=safe_path(request.args.get("url"), url_for(".index_view")),
        ), status

    @expose("/details/")
    def details_view(self):
        """Show a complaint: its fields, attachments, history and the actions open to the user."""
        complaint = self._complaint_or_404()
        return self._render_complaint(complaint)

    @expose("/ungkap/", methods=("POST",))
    def reveal_view(self):
        """Show a hidden complainant's identity on this page once, logging who, when and why.

        :raise 403: the user's role may not see identities.
        """
        complaint = self._complaint_or_404()
        try:
            entry = reveal(complaint, current_user, request.form.get("reason", ""))
        except RevealRefused as refused:
            if refused.status == 403:
                abort(403)
            flash(refused.message, "error")
            return self._render_complaint(complaint, status=400)
        flash(f"Identitas pengadu dibuka untuk halaman ini (dan dokumennya selama "
              f"{REVEAL_MINUTES} menit dari halaman ini); pembukaan ini tercatat.",
              "warning")  # fmt: skip
        return self._render_complaint(complaint, revealed=entry)

    @expose("/aksi/", methods=("POST",))
    def act_view(self):
        """Finish the open step with the posted outcome.

        :raise 403: the user does not act on this step now.
        :raise 404: the complaint is not in this list.
        """
        complaint, gone = self._acted_on_or_gone()
        if gone:
            return gone
        outcome = request.form.get("outcome", "")
        version = request.form.get("version", type=int)
        try:
            record = advance(complaint.id, current_user, outcome, request.form,
                             expected_version=version)  # fmt: skip
        except FormInvalid as invalid:
            flash("Isian belum lengkap atau belum benar; periksa pesan di bawah.", "error")
            return self._render_complaint(complaint, failed=(outcome, invalid.form), status=400)
        except ActionRefused as refused:
            db.session.rollback()
            complaint, gone = self._acted_on_or_gone()  # another official may have moved it
            if gone:
                return gone
            return self._render_complaint(complaint, refused=refused.message,
                                          status=refused.status)  # fmt: skip
        db.session.refresh(complaint)
        flash(f"Tersimpan: {record.outcome_label}. {_next_text(complaint)}", "success")
        return redirect(url_for(".index_view"))

    @expose("/jeda/", methods=("POST",))
    def pause_view(self):
        """Stop the complaint's clock with a reason (Kasi or Kabid).

        :raise 403: the user is neither (acting) Kasi nor Kabid.
        """
        complaint = self._complaint_or_404()
        return self._clock(complaint, lambda: pause(complaint.id, current_user,
                                                    request.form.get("reason", "")),
                           "Jam penanganan dihentikan sementara.")  # fmt: skip

    @expose("/lanjut/", methods=("POST",))
    def resume_view(self):
        """Restart the complaint's clock (Kasi or Kabid)."""
        complaint = self._complaint_or_404()
        return self._clock(complaint, lambda: resume(complaint.id, current_user),
                           "Jam penanganan dilanjutkan.")  # fmt: skip

    def _clock(self, complaint, change, message):
        try:
            change()
        except ActionRefused as refused:
            db.session.rollback()
            complaint = self._complaint_or_404()
            return self._render_complaint(complaint, refused=refused.message,
                                          status=refused.status)  # fmt: skip
        flash(message, "success")
        return redirect(url_for(".details_view", id=complaint.id))

    @expose("/dokumen/<int:record_id>")
    def document_view(self, record_id):
        """Print the document a finished step of the complaint produced, as PDF."""
        complaint = self._complaint_or_404()
        record = db.session.get(StepRecord, record_id)
        if record is None or record.complaint_id != complaint.id or not record.document:
            abort(404)
        name = filename(record.document, complaint, f"-{record.seq}")
        if record.document == "buku_registrasi":  # the register page of the day it came in
            day = to_wib(complaint.received_at).date()
            # Who follows the register reads the day's page (what they may not see masked);
            # the Tim Teknis reads this complaint's own entry.
            only = None if self.reads_register() else Complaint.id == complaint.id
            book = register_book(day, day, identity=sees_identities(current_user),
                                 visible=visible_complaints(current_user), only=only)
            return _pdf_response(render_register(book), name)
        revealed = reveal_in_force(complaint, current_user, request.args.get("reveal"))
        template, context = record_document(complaint, record,
                                            identity=sees_identities(current_user),
                                            revealed=revealed is not None)  # fmt: skip
        return _pdf_response(render_pdf(template, **context), name)

    def reads_register(self) -> bool:
        """Whether the official follows the whole register (the Tim Teknis does not)."""
        return may_open(ComplaintListView.roles)

    @expose("/buku-registrasi/")
    def register_book_view(self):
        """The Buku Registrasi for a period: a form, then the PDF (landscape)."""
        if not self.reads_register():
            abort(403)
        today = today_wib()
        form = RegisterBookForm(request.args, meta={"csrf": False})
        if not request.args or not form.validate():
            if not request.args:
                form.first.data, form.last.data = today.replace(day=1), today
            status = 400 if request.args else 200
            return self.render("admin/register_book.html", form=form), status
        name = f"buku-registrasi-{form.first.data:%Y%m%d}-{form.last.data:%Y%m%d}.pdf"
        book = register_book(form.first.data, form.last.data,
                             identity=sees_identities(current_user),
                             visible=visible_complaints(current_user))  # fmt: skip
        return _pdf_response(render_register(book), name)

    @expose("/lampiran/<int:attachment_id>")
    def attachment_view(self, attachment_id):
        """Download an attachment of a complaint in this list."""
        complaint = self._complaint_or_404()
        attachment = db.session.get(Attachment, attachment_id)
        if attachment is None or attachment.complaint_id != complaint.id:
            abort(404)
        return file_response(attachment.content, attachment.mime_type, attachment.filename)

    @expose("/registrasi/", methods=("GET", "POST"))
    def register_view(self):
        """Register a new complaint (Petugas FO).

        :raise 403: the user is not (acting as) Petugas FO.
        """
        if not current_user.holds(Role.FO, today_wib()):
            abort(403)
        form = RegisterForm(formdata=request.form if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            files, problems = read_uploads(request.files.getlist("attachments"))
            try:
                if problems:
                    form.validate()
                    form.attachments.errors = problems
                    raise FormInvalid(form)
                complaint = register(current_user, request.form, files)
            except FormInvalid as invalid:
                form, status = invalid.form, 400
                flash("Registrasi belum tersimpan; periksa pesan di bawah.", "error")
            except ActionRefused as refused:
                flash(refused.message, "error")
                status = refused.status
            else:
                flash(f"Pengaduan {complaint.reg_number} tersimpan dan diteruskan ke Kepala "
                      "Dinas untuk disposisi.", "success")  # fmt: skip
                return redirect(url_for("complaints.details_view", id=complaint.id))
        return self.render("admin/complaint_register.html", form=form), status


def _pdf_response(content: bytes, name: str):
    return file_response(content, "application/pdf", name, inline=True)


class RegisterBookForm(AppForm):
    first = DateField("Dari tanggal", validators=[InputRequired("Tanggal awal wajib diisi.")])
    last = DateField("Sampai tanggal", validators=[InputRequired("Tanggal akhir wajib diisi.")])

    def validate_last(self, field):
        if self.first.data and field.data:
            if field.data < self.first.data:
                raise ValidationError("Tanggal akhir tidak boleh sebelum tanggal awal.")
            if (field.data - self.first.data).days > 366:
                raise ValidationError("Periode paling lama satu tahun.")


def _next_text(complaint: Complaint) -> str:
    if complaint.status == "closed":
        return "Pengaduan selesai."
    return f"Diteruskan kepada {ROLE_LABELS[Role(complaint.current_actor)]}."


class QueueView(ComplaintListView):
    """One official's queue: the complaints whose open step waits on `queue_role`."""

    def __init__(self, queue_role: str, *args, **kwargs):
        self.queue_role = queue_role
        super().__init__(*args, **kwargs)

    def is_accessible(self):
        return may_open((self.queue_role,))

    def scope(self, query):
        role = self.queue_role
        return query.filter(queue_clause(role, current_user, role in co_acting_roles()))

    @property
    def sorts_ids_first(self) -> bool:
        return self.queue_role in co_acting_roles()  # two index orders to merge

    def waiting(self) -> int:
        """How many complaints wait in this queue, counted once per request (the menu badge,
        the home page and the queue's own page share it)."""
        counted = _queue_counts()
        if self.endpoint not in counted:
            counted[self.endpoint] = db.session.scalar(self._count())
        return counted[self.endpoint]

    def _count(self):
        role = self.queue_role
        return queue_count(role, current_user, role in co_acting_roles())

    def get_count_query(self):
        if has_request_context() and not request.args.get("search") and not _filtered():
            return db.session.query(self._count().scalar_subquery())
        return super().get_count_query()

    def menu_badge(self) -> int | None:
        return self.waiting() or None

    # -- acting on several complaints at once ---------------------------------------------
    def _scoped_ids(self, raw_ids) -> list[int]:
        """Keep only the posted ids that are in this queue: forged ones fall away."""
        wanted = {parse_id(x) for x in raw_ids} - {None}
        if not wanted:
            return []
        query = self.scope(select(Complaint.id)).where(Complaint.id.in_(wanted))
        return list(db.session.scalars(query.order_by(Complaint.id)))

    @action("bersama", "Tindak lanjuti bersama")
    def action_together(self, ids):
        """Open the shared form for the selected complaints of this queue."""
        scoped = self._scoped_ids(ids)
        if not scoped:
            flash("Tidak ada pengaduan terpilih yang menunggu Anda.", "warning")
            return redirect(url_for(".index_view"))
        return redirect(url_for(".together_view", ids=",".join(map(str, scoped))))

    @expose("/bersama/", methods=("GET", "POST"))
    def together_view(self):
        """Give one instruction (disposition, order, note) to several complaints of the queue."""
        source = request.form if request.method == "POST" else request.args
        ids = self._scoped_ids(source.get("ids", "").split(","))
        complaints = [db.session.get(Complaint, i) for i in ids]
        complaints = [c for c in complaints if why_not(c, current_user) is None]
        if not complaints:
            flash("Tidak ada pengaduan terpilih yang dapat Anda tindak lanjuti.", "warning")
            return redirect(url_for(".index_view"))
        common = None
        for c in complaints:
            codes = {o.code for o in offered_outcomes(c) if FORMS[o.form].bulk}
            common = codes if common is None else common & codes
        outcomes = [o for o in offered_outcomes(complaints[0]) if o.code in (common or set())]
        if not outcomes:
            flash("Pengaduan terpilih tidak berada pada langkah yang sama; tindak lanjuti satu "
                  "per satu.", "warning")  # fmt: skip
            return redirect(url_for(".index_view"))
        chosen = source.get("outcome") or outcomes[0].code
        outcome = next((o for o in outcomes if o.code == chosen), outcomes[0])
        form = form_for(complaints[0], outcome, request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            done, refused = [], []
            for c in complaints:
                try:
                    advance(c.id, current_user, outcome.code, request.form)
                    done.append(c.reg_number)
                except (ActionRefused, FormInvalid) as exc:
                    db.session.rollback()
                    refused.append(f"{c.reg_number}: {getattr(exc, 'message', exc)}")
            if done:
                flash(f"{outcome.label} tersimpan untuk {len(done)} pengaduan: "
                      f"{', '.join(done)}.", "success")  # fmt: skip
            for line in refused:
                flash(line, "error")
            return redirect(url_for(".index_view"))
        return self.render("admin/complaint_bulk.html", complaints=complaints, outcomes=outcomes,
                           outcome=outcome, form=form, ids=",".join(str(c.id) for c in complaints))

