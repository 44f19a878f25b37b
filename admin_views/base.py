"""The one place that says who may open an admin page: every view derives from these."""

from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.contrib.sqla import ModelView, filters
from flask_admin.menu import MenuLink
from flask_admin.model import typefmt
from flask_login import current_user

from admin_views.i18n import AdminBaseForm


class IntEqualFilter(filters.FilterEqual):
    """ "Equals" on a key column: a value that can be no key is not a filter (not an error)."""

    def clean(self, value):
        from models.params import parse_id

        return parse_id(value)

    def validate(self, value):
        from models.params import parse_id

        return parse_id(value) is not None


def safe_path(target: str | None, default: str) -> str:
    """Return `target` when it is a path on this site (for a back link or a redirect after
    login), else `default`: never another host, a scheme, a protocol-relative or backslash
    trick, or a path with spaces or control characters a browser would drop."""
    from urllib.parse import urlsplit

    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def return_path() -> str:
    """Where to come back to after logging in again: the page itself for a GET; for a form
    sent (a POST, which cannot be opened again) the page the form was on, where the
    browser's kept draft fills it again (static/app.js)."""
    from urllib.parse import urlsplit

    if request.method == "GET":
        return request.full_path
    referrer = urlsplit(request.referrer or "")
    same_site = referrer.netloc == request.host
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return safe_path(path if same_site else None, url_for("admin.index"))


def way_back() -> str | None:
    """The link an error page offers back to the form or page the official came from (through
    the login page when the session has ended); None when there is nowhere to go back to."""
    back = return_path()
    if request.method == "GET" or back == url_for("admin.index"):
        return None
    if not current_user.is_authenticated:
        return url_for("auth.login", next=back)
    return back


def unsaved_message() -> str:
    """What a page says of a form that could not be saved (session ended, token refused):
    its text is kept when the form was one the browser keeps (static/app.js marks those)."""
    if request.form.get("_kept"):
        return ("Isian yang Anda kirim belum tersimpan, tetapi tidak hilang: peramban ini "
                "menyimpannya, dan formulirnya terbuka kembali dengan isian itu (setelah Anda "
                "masuk lagi bila diminta). Periksa, lalu simpan.")  # fmt: skip
    return ("Isian yang Anda kirim belum tersimpan. Kembali ke formulir (setelah masuk lagi bila "
            "diminta) dan kirim sekali lagi.")  # fmt: skip


# Session key: the drafts the server has saved since the last page (static/app.js forgets
# them in the browser): prefixes of the forms' `data-draft` keys.
SAVED_DRAFTS = "saved_drafts"


def draft_saved(*prefixes: str) -> None:
    """Tell the next page that the forms whose draft key starts with `prefixes` are saved."""
    from flask import session

    session[SAVED_DRAFTS] = [*session.get(SAVED_DRAFTS, []), *prefixes]


def take_saved_drafts() -> list[str]:
    """The saved drafts' prefixes, once (the page that shows them forgets them)."""
    from flask import session

    return session.pop(SAVED_DRAFTS, [])


def may_open(roles) -> bool:
    """Whether the logged-in official holds one of `roles` today (any official when empty)."""
    from models.dates import today_wib

    if not current_user.is_authenticated or not current_user.active:
        return False
    return not roles or current_user.holds_any(roles, today_wib())


def _refuse():
    """Send an anonymous visitor to the login page; refuse a logged-in one with 403."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=return_path()))
    abort(403)


class RoleRequired:
    """Mixin: the view opens only for logged-in active users who hold one of `roles` today,
    as their own role or by an acting appointment (Plt./Plh.), the rule the engine and the
    queues apply too (`User.holds`).

    An empty `roles` means every logged-in official.
    """

    roles: tuple[str, ...] = ()

    def is_accessible(self) -> bool:
        return may_open(self.roles)

    def inaccessible_callback(self, name, **kwargs):
        return _refuse()


class RoleLink(MenuLink):
    """A menu link shown only to the officials who hold `role` today (the page it opens checks
    again on its own)."""

    def __init__(self, role: str, name: str, **kwargs):
        super().__init__(name, **kwargs)
        self.role = role

    def is_accessible(self) -> bool:
        return may_open((self.role,))


class HomeView(RoleRequired, AdminIndexView):
    """The admin home page; every logged-in official may open it. Each role's own lists come
    first (models/home.py), then what waits for them, the week's intake and compliance."""

    @expose("/")
    def index(self):
        """The official's home: their role's own lists, what waits for them, the week's intake,
        this month's compliance."""

        from sqlalchemy import func, select

        from models import Complaint, db
        from models.dates import to_wib
        from models.deadlines import overdue_clause
        from models.recap import compliance_share, weekly_incoming
        from models.types import utcnow

        now = utcnow()
        today = to_wib(now).date()
        queues = []
        for view in self.admin._views:
            if getattr(view, "queue_role", None) and view.is_accessible():
                late = view.scope(select(func.count(Complaint.id))).where(overdue_clause(now))
                queues.append((view, view.waiting(), db.session.scalar(late)))
            elif getattr(view, "home_counts", None) and view.is_accessible():
                queues.append((view, *view.home_counts(now)))
        weeks = [(f"{d.day}/{d.month}", n) for d, n in weekly_incoming(8, today)]
        outbox = None
        if may_open(("admin",)):  # the outbox's dashboard: pending, failed, sent today
            from datetime import datetime, time

            from models.dates import WIB
            from models.notifications import outbox_counts

            outbox = outbox_counts(datetime.combine(today, time.min, WIB))
        return self.render("admin/home.html", queues=queues, weeks=weeks, outbox=outbox,
                           compliance=compliance_share(today.replace(day=1), today),
                           registers=may_open(("fo",)),
                           **self._own_lists(now, today, queues))  # fmt: skip

    def _own_lists(self, now, today, queues) -> dict:
        """Each role's own sections, gathered from models/home.py; None (or empty) for a
        role the official does not hold today, directly or by an acting appointment."""
        from admin_views.complaint_lists import DEADLINE_BADGES, co_acting_roles, working_calendar
        from models.accounts import ROLE_LABELS, Role
        from models.dates import format_day_date
        from models.drafts import drafts_of
        from models.home import (
            HOME_QUEUE_ROLES,
            holders,
            intake_today,
            late_complaints,
            oldest_in_queue,
            setup_gaps,
            soonest_due_in_queue,
            upcoming_meetings,
            waiting_submissions,
        )

        calendar, co_acting = working_calendar(), co_acting_roles()
        kadis = fo = setup = None
        if may_open((Role.KADIS,)):
            late_total, late = late_complaints(current_user, now, calendar)
            kadis = {"waiting": oldest_in_queue(Role.KADIS, current_user, now, calendar,
                                                Role.KADIS in co_acting),
                     "late_total": late_total, "late": late,
                     "holders": holders([item.role for item in late], today),
                     "late_url": self._overdue_list_url()}  # fmt: skip
        urgent = [(role, ROLE_LABELS[role],
                   soonest_due_in_queue(role, current_user, now, calendar, role in co_acting))
                  for role in HOME_QUEUE_ROLES if may_open((role,))]  # fmt: skip
        meetings = upcoming_meetings(current_user, today) if urgent else []
        drafts = drafts_of(current_user) if urgent else []
        if may_open((Role.FO,)):
            intake_total, intake = intake_today(today)
            waiting_total, waiting_late, waiting = waiting_submissions(now)
            # The front office's queue is the sending of the answer letters (SOP data: the
            # closing stage "dispatch"; it registers at once, so nothing waits at step 2).
            letters, letters_late = next(((count, late) for view, count, late in queues
                                          if getattr(view, "queue_role", None) == Role.FO),
                                         (0, 0))  # fmt: skip
            fo = {"intake_total": intake_total, "intake": intake, "waiting_total": waiting_total,
                  "waiting_late": waiting_late, "waiting": waiting, "letters": letters,
                  "letters_late": letters_late}  # fmt: skip
        if may_open((Role.ADMIN,)):
            setup = setup_gaps()
        return {"kadis": kadis, "urgent": urgent, "meetings": meetings, "drafts": drafts, "fo": fo,
                "setup": setup, "badges": DEADLINE_BADGES, "day_date": format_day_date}  # fmt: skip

    def _overdue_list_url(self) -> str:
        """The list of all complaints filtered to the late ones (its "Terlambat" filter)."""
        from admin_views.complaint_lists import OverdueFilter

        for view in self.admin._views:
            if view.endpoint == "complaints":
                for arg, (_index, flt) in (view._filter_args or {}).items():
                    if isinstance(flt, OverdueFilter):
                        return url_for("complaints.index_view", **{f"flt0_{arg}": "1"})
        return url_for("complaints.index_view")


class SecureView(RoleRequired, BaseView):
    """A plain admin page behind the role check."""


def _office_way(formatters: dict) -> dict:
    """Flask-Admin's cell formatters by type, with moments, dates and times shown as every
    page shows them (models/dates.format_value: ``2 Des 2026 14.30 WIB``, ``2 Des 2026``,
    ``14.30``) instead of Python's ISO text. A moment is a date too: it comes first."""
    from datetime import date, datetime, time

    from models.dates import format_value

    def cell(_view, value, _name):
        return format_value(value)

    return {datetime: cell, date: cell, time: cell, **formatters}


class SecureModelView(RoleRequired, ModelView):
    """A model list behind the role check, with Indonesian forms and no silent inline edits."""

    form_base_class = AdminBaseForm
    column_type_formatters = _office_way(typefmt.BASE_FORMATTERS)
    column_type_formatters_detail = _office_way(typefmt.DETAIL_FORMATTERS)
    column_editable_list = ()  # /ajax/update/ does not check can_edit
    can_set_page_size = False
    page_size = 25
    # Filter choices read from rows an official may change (master data, SOPs, accounts):
    # built again for each list page instead of once at start-up.
    live_filter_choices = False

    @expose("/")
    def index_view(self):
        if self.live_filter_choices:
            self._refresh_filters_cache()
        return super().index_view()

    def _get_list_extra_args(self):
        """The list's arguments; a page number that is no page (negative, not a number, beyond
        any list the database can hold) is "not found", never an error."""
        from models.params import MAX_ID, parse_count

        raw = request.args.get("page")
        if raw is not None and parse_count(raw, MAX_ID // (self.page_size or 1)) is None:
            abort(404)
        return super()._get_list_extra_args()

    def get_one(self, id):
        """The row with key `id`, or None: a key no row can have (not a whole number, beyond
        the database's integers, several keys at once) finds nothing instead of an error."""
        from sqlalchemy import Integer, inspect

        from models.params import MAX_ID, parse_count

        keys = inspect(self.model).primary_key
        if len(keys) == 1 and isinstance(keys[0].type, Integer):
            number = parse_count(id, MAX_ID)
            return None if number is None else super().get_one(str(number))
        return super().get_one(id)

    def handle_view_exception(self, exc):
        # Never show SQL to the user; Flask-Admin would flash str(exc).
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            from flask import flash

            flash("Data tidak dapat disimpan karena bertentangan dengan data lain.", "error")
            return True
        return super().handle_view_exception(exc)
