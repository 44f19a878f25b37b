"""The front office's list of online submissions (the public form, /lapor/, and the reports
imported from SP4N-LAPOR!): each waits for registration (the SOP's registration step, with its
due moment) and is registered as a complaint — jenis, subject and the rest corrected as
needed — or archived with a reason. Beside it: the LAPOR! import, and the CSV of follow-ups
still to post on LAPOR!."""

import csv
import io
from pathlib import Path

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla import filters
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

import seeds
from admin_views.base import SecureModelView
from admin_views.complaint_lists import DEADLINE_BADGES
from admin_views.export import neutralise
from admin_views.i18n import AppForm
from admin_views.registration import register_posted
from admin_views.responses import file_response
from models import db
from models.accounts import Role
from models.complaint import StepRecord
from models.dates import format_moment, to_wib, today_wib
from models.deadlines import deadline_state
from models.duplicates import similar
from models.lapor import (
    ANSWER_DOCUMENT,
    ImportRefused,
    class_label,
    followup_text,
    import_reports,
    national_limits,
    pending_followups,
)
from models.lapor_file import CLASS_LABELS, FileRefused, read_reports, report_of
from models.step_forms import RegisterForm
from models.submission import (
    ARCHIVE_REASONS,
    RESTORE_DAYS,
    STATUSES,
    Submission,
    SubmissionFile,
    archive,
    restorable,
    restore,
)
from models.types import utcnow


class LaporFileForm(AppForm):
    upload = FileField(
        "Berkas ekspor LAPOR!",
        validators=[FileRequired("Pilih berkas ekspor LAPOR! (CSV atau XLSX).")],
    )


class LaporReportForm(AppForm):
    """One LAPOR! report keyed in (copied from LAPOR!'s page)."""

    tracking_id = StringField("Tracking ID", validators=[Length(max=40)])
    reported_at = DateTimeLocalField("Tanggal laporan (WIB)", format="%Y-%m-%dT%H:%M",
                                     validators=[Optional()])  # fmt: skip
    title = StringField("Judul", validators=[Length(max=300)])
    text = TextAreaField("Isi laporan", validators=[Length(max=20000)])
    classification = SelectField("Klasifikasi", choices=[SelectChoice("", "—")] + [
        SelectChoice(label, label) for label in CLASS_LABELS.values()])  # fmt: skip
    category = StringField("Kategori", validators=[Length(max=120)])
    transaction_id = StringField("ID transaksi", validators=[Length(max=60)])
    anonymous = BooleanField("Anonim")
    confidential = BooleanField("Rahasia")

    def values(self) -> dict:
        """The fields as a line of the export reads (models/lapor_file.report_of)."""
        moment = self.reported_at.data
        return {
            "tracking_id": (self.tracking_id.data or "").strip(),
            "reported_at": f"{moment:%Y-%m-%d %H:%M}" if moment else "",
            "title": (self.title.data or "").strip(),
            "text": (self.text.data or "").strip(),
            "classification": self.classification.data or "",
            "category": (self.category.data or "").strip(),
            "transaction_id": (self.transaction_id.data or "").strip(),
            "anonymous": "Ya" if self.anonymous.data else "Tidak",
            "confidential": "Ya" if self.confidential.data else "Tidak",
        }


SAMPLE = Path(seeds.__file__).parent / "samples" / "contoh-ekspor-lapor.csv"


MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ArchiveForm(AppForm):
    reason = SelectField("Alasan", choices=[SelectChoice(k, v) for k, v in ARCHIVE_REASONS.items()])
    note = TextAreaField("Catatan (mis. nomor pengaduan yang sama)",
                         validators=[Length(max=2000)])  # fmt: skip


def _subject(view, _context, model, _name):
    link = url_for(".details_page", id=model.id)
    mark = Markup(' <span class="badge badge-dark">Rahasia</span>') if model.is_confidential else ""
    if model.lapor_tracking_id:
        mark += Markup(' <span class="badge badge-info">LAPOR! {}</span>').format(
            model.lapor_tracking_id
        )
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

    # The front office registers, archives and imports; the Kasi may look and restore.
    roles = (Role.FO, Role.KASI)
    can_create = can_edit = can_delete = False
    can_view_details = False  # its own page, with the actions
    list_template = "admin/submission_list.html"
    column_list = ("received_at", "channel", "jenis", "subject", "status", "due_at")
    column_labels = {"received_at": "Diterima", "channel": "Kanal", "jenis": "Jenis",
                     "subject": "Pokok",
                     "status": "Status", "due_at": "Batas registrasi"}  # fmt: skip
    column_formatters = {
        "received_at": lambda v, c, m, n: format_moment(m.received_at),
        "jenis": lambda v, c, m, n: m.jenis.name,
        "channel": lambda v, c, m, n: m.channel.name,
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

    def scope(self, query):
        """What the reader may see: everything for the front office (every complaint passes
        it); for the Kasi not a confidential one, which is not on his path before it is
        registered and disposed (models/identity.py)."""
        if current_user.holds(Role.FO, today_wib()):
            return query
        return query.filter(Submission.is_confidential.is_(False))

    def get_query(self):
        return self.scope(super().get_query()).options(joinedload(Submission.jenis),
                                                       joinedload(Submission.channel))  # fmt: skip

    def get_count_query(self):
        return self.scope(super().get_count_query())

    def get_one(self, id):
        found = super().get_one(id)
        if found is None or (found.is_confidential
                             and not current_user.holds(Role.FO, today_wib())):  # fmt: skip
            return None
        return found

    def home_counts(self, now) -> tuple[int, int]:
        """(waiting, late) for the official's home page."""
        waiting, late = db.session.execute(
            select(func.count(), func.count().filter(Submission.due_at < now))
            .where(Submission.status == "waiting")
        ).one()  # fmt: skip
        return waiting, late

    def _front_office_only(self) -> None:
        if not current_user.holds(Role.FO, today_wib()):
            abort(403)

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
                           similar=_similar(submission),
                           front_office=current_user.holds(Role.FO, today_wib()),
                           may_restore=restorable(submission, utcnow()),
                           restore_days=RESTORE_DAYS,
                           archive_form=ArchiveForm(), moment=format_moment,
                           lapor_class=class_label)  # fmt: skip

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

        :raise 403: not (acting as) the front office.
        """
        self._front_office_only()
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
                           similar=_similar(submission),
                           moment=format_moment,
                           archive_reasons=ARCHIVE_REASONS), status  # fmt: skip

    @expose("/impor-lapor/", methods=("GET", "POST"))
    def lapor_import_view(self):
        """Import SP4N-LAPOR! reports: a file of LAPOR!'s admin export, or one keyed in. Each
        new one waits here for registration; one already taken is skipped or reported.

        :raise 403: not (acting as) the front office.
        """
        self._front_office_only()
        file_form, report_form = LaporFileForm(), LaporReportForm()
        result, problems, status = None, [], 200
        if request.method == "POST":
            try:
                if request.form.get("mode") == "satu":
                    report_form.validate()  # (the CSRF token; the rest as the export is read)
                    report, why = report_of(1, report_form.values())
                    if report is None or report_form.csrf_token.errors:
                        raise FileRefused([why or "Formulir kedaluwarsa; kirim sekali lagi."])
                    reports = [report]
                else:
                    if not file_form.validate():
                        raise FileRefused([e for f in file_form for e in f.errors])
                    upload = file_form.upload.data
                    content = upload.read(MAX_IMPORT_BYTES + 1)
                    upload.close()
                    if len(content) > MAX_IMPORT_BYTES:
                        raise FileRefused(["Berkas lebih dari 5 MB."])
                    reports = read_reports(content, upload.filename or "berkas")
                result = import_reports(reports, current_user)
            except FileRefused as refused:
                problems, status = refused.problems, 400
            except ImportRefused as refused:
                problems, status = [str(refused)], 409
        return self.render("admin/lapor_import.html", file_form=file_form,
                           report_form=report_form, result=result,
                           problems=problems), status  # fmt: skip

    @expose("/tindak-lanjut-lapor/csv/")
    def lapor_followups_view(self):
        """The follow-ups still to post on SP4N-LAPOR! (answer written, not yet marked as
        posted), for an operator who keys them in there: CSV, no identity."""
        now = utcnow()
        complaints = db.session.scalars(pending_followups()).all()
        letters: dict[int, list] = {}
        for record in db.session.scalars(
            select(StepRecord)
            .where(StepRecord.complaint_id.in_([c.id for c in complaints]),
                   StepRecord.document == ANSWER_DOCUMENT)
            .order_by(StepRecord.seq)
        ):  # fmt: skip
            letters.setdefault(record.complaint_id, []).append(record)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["Tracking ID", "ID transaksi", "No. registrasi", "Diteruskan (WIB)",
                         "Batas tindak lanjut (WIB)", "Tindak lanjut"])  # fmt: skip
        for c in complaints:
            limit = next(x for x in national_limits(c, now) if x.kind == "follow_up")
            writer.writerow([neutralise(v) for v in (
                c.lapor_tracking_no, c.lapor_transaction_id or "", c.reg_number,
                format_moment(c.lapor_forwarded_at or c.received_at), format_moment(limit.due),
                followup_text(c, letters.get(c.id, [])))])  # fmt: skip
        return file_response("\ufeff" + out.getvalue(), "text/csv; charset=utf-8",
                             f"tindak-lanjut-lapor-{to_wib(now):%Y%m%d}.csv")  # fmt: skip

    @expose("/impor-lapor/contoh/csv/")
    def lapor_sample_view(self):
        """A made-up LAPOR! export to try the import with."""
        return file_response(SAMPLE.read_bytes(), "text/csv; charset=utf-8",
                             "contoh-ekspor-lapor.csv")  # fmt: skip

    @expose("/arsipkan/", methods=("POST",))
    def archive_view(self):
        """Archive the submission with a reason; the tracking page tells the citizen why.

        :raise 403: not (acting as) the front office.
        """
        self._front_office_only()
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

    @expose("/pulihkan/", methods=("POST",))
    def restore_view(self):
        """Put an archived submission back to wait for registration (the front office or the
        Kasi, within RESTORE_DAYS of its archiving)."""
        submission = self._submission_or_404()
        try:
            restore(submission.id, current_user)
        except LookupError:
            flash(f"Hanya yang diarsipkan dalam {RESTORE_DAYS} hari terakhir yang dapat "
                  "dipulihkan.", "error")  # fmt: skip
        else:
            flash("Dipulihkan: kembali menunggu registrasi.", "success")
        return redirect(url_for(".details_page", id=submission.id))


def _similar(submission: Submission) -> list:
    """Complaints that may be the same matter (a warning while it waits; models/duplicates)."""
    if submission.status != "waiting":
        return []
    return similar(
        current_user, submission.subject, submission.contact, submission.lapor_tracking_id
    )


def _prefill(submission: Submission) -> dict:
    """The registration form's fields as the citizen filled them in."""
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
        "lapor_tracking_no": submission.lapor_tracking_id or "",
    }  # fmt: skip
