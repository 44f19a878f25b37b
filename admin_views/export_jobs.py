"""The official's exports (models/export_jobs.py): the list of their jobs, each job's page with
its progress bar, cancel and the download. Only the requester sees a job: another official's
number answers 404, the same as a number that does not exist."""

from flask import Response, abort, flash, jsonify, redirect, stream_with_context, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import select

from admin_views.base import SecureView
from admin_views.export import XLSX_TYPE
from models import db, export_jobs
from models.export_jobs import ExportJob
from models.types import utcnow

SHOWN = 50  # the official's latest exports on the list


class ExportJobsView(SecureView):
    """Ekspor saya: every official's own exports (reached from a list's Ekspor and from the
    notification when a file is ready)."""

    def is_visible(self):
        return False

    def _own(self, job_id: int) -> ExportJob:
        job = export_jobs.own_job(current_user, job_id)
        if job is None:
            abort(404)
        return job

    @expose("/")
    def index(self):
        jobs = db.session.scalars(
            select(ExportJob).where(ExportJob.requester_id == current_user.id)
            .order_by(ExportJob.id.desc()).limit(SHOWN)
        ).all()  # fmt: skip
        return self.render("admin/export_jobs.html", jobs=jobs, now=utcnow(),
                           keep_hours=export_jobs.keep_hours(),
                           downloadable=export_jobs.downloadable)  # fmt: skip

    @expose("/<int:job_id>/")
    def job_view(self, job_id):
        job = self._own(job_id)
        return self.render("admin/export_job.html", job=job, now=utcnow(),
                           progress=job.as_progress(utcnow()),
                           ready=export_jobs.downloadable(job))  # fmt: skip

    @expose("/<int:job_id>/kemajuan")
    def progress_view(self, job_id):
        """The job's progress as JSON, read by the progress bar every few seconds."""
        job = self._own(job_id)
        data = job.as_progress(utcnow())
        if export_jobs.downloadable(job):
            data["download"] = url_for(".download_view", job_id=job.id)
        response = jsonify(data)
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/<int:job_id>/batal", methods=("POST",))
    def cancel_view(self, job_id):
        job = self._own(job_id)
        if export_jobs.cancel(job):
            flash("Ekspor dibatalkan." if job.status == "cancelled" else
                  "Ekspor sedang dihentikan; berkas yang sebagian ditulis dihapus.",
                  "info")  # fmt: skip
        else:
            flash(f"Ekspor ini sudah selesai ({job.status_label}); tidak ada yang dibatalkan.",
                  "warning")  # fmt: skip
        return redirect(url_for(".job_view", job_id=job.id))

    @expose("/<int:job_id>/unduh")
    def download_view(self, job_id):
        """The finished file, streamed from the database piece by piece."""
        job = self._own(job_id)
        if not export_jobs.downloadable(job):
            flash("Berkas ekspor ini tidak tersedia untuk diunduh "
                  f"({job.status_label}).", "warning")  # fmt: skip
            return redirect(url_for(".job_view", job_id=job.id))
        mimetype = "text/csv" if job.fmt == "csv" else XLSX_TYPE
        response = Response(stream_with_context(export_jobs.pieces(job)), mimetype=mimetype)
        response.headers["Content-Length"] = str(job.size_bytes)
        response.headers["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
