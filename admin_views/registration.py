"""Registering a complaint: the front office's step (step 2 on the paper)."""

from flask import (
    abort,
    flash,
    redirect,
    request,
    url_for,
)
from flask_admin import expose
from flask_login import current_user

from admin_views.base import draft_saved
from admin_views.complaint_page import remember_receipt
from models import db, held_uploads
from models.accounts import Role
from models.contacts import reachable
from models.dates import (
    today_wib,
)
from models.duplicates import similar
from models.masterdata import Channel
from models.step_forms import RegisterForm, read_uploads
from models.submission import ARCHIVE_REASONS, archive_message
from models.workflow import (
    ActionRefused,
    FormInvalid,
    register,
)


class Registration:
    """Mixin of a complaint list: the front office's registration form."""

    @expose("/registrasi/", methods=("GET", "POST"))
    def register_view(self):
        """Register a new complaint (Petugas FO).

        :raise 403: the user is not (acting as) Petugas FO.
        """
        if not current_user.holds(Role.FO, today_wib()):
            abort(403)
        if request.method != "POST":
            return self._register_page(RegisterForm())
        if request.form.get("archive"):
            return self._archive_posted()
        complaint, form, status = register_posted()
        if complaint is None:
            return self._register_page(form, status)
        flash(f"Pengaduan {complaint.reg_number} tersimpan dan diteruskan ke Kepala "
              "Dinas untuk disposisi.", "success")  # fmt: skip
        warn_similar(complaint)
        remember_receipt(complaint.id, complaint.tracking_code)
        return redirect(url_for("complaints.receipt_view", id=complaint.id))

    def _register_page(self, form, status=200):
        return self.render("admin/complaint_register.html", form=form,
                           archive_reasons=ARCHIVE_REASONS), status  # fmt: skip

    def _archive_posted(self):
        """Keep what the front office typed as an archived message, not a complaint."""
        form = RegisterForm(formdata=request.form)
        reason = request.form.get("archive_reason", "")
        if not form.validate() or reason not in ARCHIVE_REASONS:
            flash("Arsip belum tersimpan; periksa pesan di bawah.", "error")
            return self._register_page(form, 400)
        fields = form.complaint_fields()
        email, number = reachable(fields["complainant_contact"])
        anonymous = fields["is_anonymous"]
        kept = {"received_at": fields["received_at"], "jenis_id": fields["jenis_id"],
                "subject": fields["subject"], "description": fields["description"],
                "name": "" if anonymous else fields["complainant_name"],
                "email": "" if anonymous else email, "whatsapp": "" if anonymous else number,
                "address": "" if anonymous else fields["complainant_address"],
                "is_anonymous": anonymous,
                "is_confidential": fields["is_confidential"]}  # fmt: skip
        channel = db.session.get(Channel, fields["channel_id"])
        try:
            found = archive_message(kept, channel, current_user, reason, "")
        except LookupError:
            flash(f"Belum ada SOP yang berlaku untuk kanal {channel.name}.", "error")
            return self._register_page(form, 409)
        flash("Diarsipkan sebagai bukan pengaduan: " + ARCHIVE_REASONS[reason] + ".", "success")
        draft_saved("registrasi:meja")
        return redirect(url_for("submissions.details_page", id=found.id))


def warn_similar(complaint) -> None:
    """After a registration: the complaints that may be the same matter, as a warning."""
    found = similar(current_user, complaint.subject, complaint.complainant_contact,
                    complaint.lapor_tracking_no, exclude_id=complaint.id)  # fmt: skip
    if found:
        flash("Periksa: mungkin sama dengan " + "; ".join(
            f"{m.reg_number} ({m.why})" for m in found) + ".", "warning")  # fmt: skip


def register_posted(submission=None):
    """Register what the front office posted (from an online `submission`, when given):
    (complaint, None, 302), or (None, the form to show again with its errors, status).

    The files chosen for a form shown again are kept for this session and listed on it, so
    that they need not be chosen again (models/held_uploads.py)."""
    form = RegisterForm(formdata=request.form)
    kept = held_uploads.posted(request.form)
    files, problems = read_uploads(request.files.getlist("attachments"), already=len(kept))
    try:
        if problems:
            form.validate()
            form.attachments.errors = problems
            raise FormInvalid(form)
        attached = [k.upload() for k in kept] + files
        complaint = register(current_user, request.form, attached, submission=submission)
    except FormInvalid as invalid:
        flash("Registrasi belum tersimpan; periksa pesan di bawah.", "error")
        form, status = invalid.form, 400
    except ActionRefused as refused:
        flash(refused.message, "error")
        status = refused.status
    else:
        held_uploads.release([k.id for k in kept])
        draft_saved(f"registrasi:{f's{submission.id}' if submission else 'meja'}")
        return complaint, None, 302
    held_uploads.show_again(form.attachments, kept, files)
    return None, form, status
