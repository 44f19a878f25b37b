"""The front office's list of online submissions (the public form, /lapor/): each waits for
registration (the SOP's registration step, with its due moment) and is registered as a
complaint — jenis, subject and the rest corrected as needed — or archived with a reason."""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla import filters
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length

from admin_views.base import SecureModelView
from admin_views.complaint_lists import DEADLINE_BADGES
from admin_views.i18n import AppForm
from admin_views.registration import register_posted
from admin_views.responses import file_response
from models import db
from models.accounts import Role
from models.dates import format_moment
from models.deadlines import deadline_state
from models.step_forms import RegisterForm
from models.submission import (
    ARCHIVE_REASONS,
    STATUSES,
    Submission,
    SubmissionFile,
    archive,
)
from models.types import utcnow


class ArchiveForm(AppForm):
    reason = SelectField("Alasan", choices=[SelectChoice(k, v) for k, v in ARCHIVE_REASONS.items()])
    note = TextAreaField("Catatan (mis. nomor pengaduan yang sama)",
                         validators=[Length(max=2000)])  # fmt: skip


def _subject(view, _context, model, _name):
    link = url_for(".details_page", id=model.id)
    mark = Markup(' <span class="badge badge-dark">Rahasia</span>') if model.is_confidential else ""
    return Markup('<a href="{}">{}</a>{}').format(link, model.subject, mark)


def _due(_view, _context, model, _name):
    if model.status != "waiting":
        return ""
    css, label = DEADLINE_BADGES[deadline_state(model, utcnow())]
    return Markup('{} <span class="badge badge-{}">{}</span>').format(
        format_moment(model.due_at), css, label
    )


class SubmissionView(SecureModelView):
    """Online submissions: waiting ones first, by due moment (the front office's)."""

    roles = (Role.FO,)
    can_create = can_edit = can_delete = False
    can_view_details = False  # its own page, with the actions
    column_list = ("received_at", "jenis", "subject", "status", "due_at")
    column_labels = {"received_at": "Diterima", "jenis": "Jenis", "subject": "Pokok",
                     "status": "Status", "due_at": "Batas registrasi"}  # fmt: skip
    column_formatters = {
        "received_at": lambda v, c, m, n: format_moment(m.received_at),
        "jenis": lambda v, c, m, n: m.jenis.name,
        "subject": _subject,
        "status": lambda v, c, m, n: m.status_label,
        "due_at": _due,
    }
    column_sortable_list = ("received_at", "due_at")
    column_default_sort = [("status", True), ("due_at", False)]  # waiting, then by due moment
    column_searchable_list = ()
    column_filters = (
        filters.FilterEqual(Submission.status, "Status", options=list(STATUSES.items())),
    )

    def get_query(self):
        return super().get_query().options(joinedload(Submission.jenis))

    def home_counts(self, now) -> tuple[int, int]:
        """(waiting, late) for the official's home page."""
        waiting, late = db.session.execute(
            select(func.count(), func.count().filter(Submission.due_at < now))
            .where(Submission.status == "waiting")
        ).one()  # fmt: skip
        return waiting, late

    def _submission_or_404(self) -> Submission:
        found = self.get_one(request.args.get("id", ""))
        if found is None:
            abort(404)
        return found

    @expose("/lihat/")
    def details_page(self):
        """A submission as the citizen sent it, its files, and what the front office may do."""
        submission = self._submission_or_404()
        return self.render("admin/submission.html", submission=submission,
                           archive_form=ArchiveForm(), moment=format_moment)  # fmt: skip

    @expose("/berkas/<int:file_id>")
    def file_view(self, file_id):
        submission = self._submission_or_404()
        found = db.session.get(SubmissionFile, file_id)
        if found is None or found.submission_id != submission.id:
            abort(404)
        return file_response(found.content, found.mime_type, found.filename)

    @expose("/registrasi/", methods=("GET", "POST"))
    def register_view(self):
        """Register the submission as a complaint (step 2), its fields as corrected here.

        :raise 409: it is no longer waiting.
        """
        submission = self._submission_or_404()
        if submission.status != "waiting":
            flash("Pengaduan daring ini sudah " + submission.status_label.lower() + ".", "error")
            return redirect(url_for(".details_page", id=submission.id))
        status = 200
        if request.method == "POST":
            complaint, form, status = register_posted(submission)
            if complaint is not None:
                flash(f"Pengaduan {complaint.reg_number} tersimpan dan diteruskan ke Kepala "
                      "Dinas. Pengadu memakai kode lacak yang diterimanya saat mengirim.",
                      "success")  # fmt: skip
                return redirect(url_for("complaints.details_view", id=complaint.id))
        else:
            form = RegisterForm(data=_prefill(submission))
        form.channel_id.data = submission.channel_id
        return self.render("admin/complaint_register.html", form=form, submission=submission,
                           moment=format_moment), status  # fmt: skip

    @expose("/arsipkan/", methods=("POST",))
    def archive_view(self):
        """Archive the submission with a reason; the tracking page tells the citizen why."""
        submission = self._submission_or_404()
        form = ArchiveForm()
        if not form.validate():
            flash("Pilih alasan pengarsipan dari daftar.", "error")
            return redirect(url_for(".details_page", id=submission.id))
        try:
            archive(submission.id, current_user, form.reason.data, form.note.data)
        except LookupError:
            flash("Pengaduan daring ini sudah diregistrasi atau diarsipkan petugas lain.", "error")
        else:
            flash("Pengaduan daring diarsipkan: " + ARCHIVE_REASONS[form.reason.data] + ".",
                  "success")  # fmt: skip
        return redirect(url_for(".index_view"))


def _prefill(submission: Submission) -> dict:
    """The registration form's fields as the citizen filled them in."""
    from models.dates import to_wib

    return {
        "channel_id": submission.channel_id,
        "jenis_id": submission.jenis_id,
        "received_at": to_wib(submission.received_at).replace(tzinfo=None, second=0,
                                                              microsecond=0),
        "complainant_name": submission.name,
        "complainant_contact": submission.contact,
        "complainant_address": submission.address,
        "is_anonymous": submission.is_anonymous,
        "is_confidential": submission.is_confidential,
        "subject": submission.subject,
        "description": submission.description,
    }  # fmt: skip
