"""The complaint lists as the menu offers them: all complaints, and each official's queue.

A list is put together from what a reader looks for: lists, filters and search
(complaint_lists.py), export (complaint_export.py), the complaint page and its actions
(complaint_page.py), registration (registration.py). A queue is a query: `scope()` is the one
clause that `get_query`, `get_count_query`, `get_one` and every action use.
"""

from flask import (
    flash,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_admin import expose
from flask_admin.actions import action
from flask_login import current_user
from sqlalchemy import (
    select,
)

from admin_views.base import may_open
from admin_views.complaint_export import ComplaintExport
from admin_views.complaint_lists import ComplaintList, _filtered, _queue_counts, co_acting_roles
from admin_views.complaint_page import ComplaintPage
from admin_views.registration import Registration
from models import (
    Complaint,
    db,
)
from models.actors import queue_clause, queue_count, why_not
from models.kinds import FORMS
from models.params import parse_id
from models.workflow import (
    ActionRefused,
    FormInvalid,
    advance,
    form_for,
    offered_outcomes,
)


class ComplaintListView(ComplaintPage, Registration, ComplaintExport, ComplaintList):
    """All complaints, for the officials who follow the whole register."""


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
        return self.render(
            "admin/complaint_bulk.html",
            complaints=complaints,
            outcomes=outcomes,
            outcome=outcome,
            form=form,
            ids=",".join(str(c.id) for c in complaints),
        )
