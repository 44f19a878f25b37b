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

from admin_views.complaint_page import remember_receipt
from models.accounts import Role
from models.dates import (
    today_wib,
)
from models.step_forms import RegisterForm, read_uploads
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
            return self.render("admin/complaint_register.html", form=RegisterForm())
        complaint, form, status = register_posted()
        if complaint is None:
            return self.render("admin/complaint_register.html", form=form), status
        flash(f"Pengaduan {complaint.reg_number} tersimpan dan diteruskan ke Kepala "
              "Dinas untuk disposisi.", "success")  # fmt: skip
        remember_receipt(complaint.id, complaint.tracking_code)
        return redirect(url_for("complaints.receipt_view", id=complaint.id))


def register_posted(submission=None):
    """Register what the front office posted (from an online `submission`, when given):
    (complaint, None, 302), or (None, the form to show again with its errors, status)."""
    form = RegisterForm(formdata=request.form)
    files, problems = read_uploads(request.files.getlist("attachments"))
    try:
        if problems:
            form.validate()
            form.attachments.errors = problems
            raise FormInvalid(form)
        return register(current_user, request.form, files, submission=submission), None, 302
    except FormInvalid as invalid:
        flash("Registrasi belum tersimpan; periksa pesan di bawah.", "error")
        return None, invalid.form, 400
    except ActionRefused as refused:
        flash(refused.message, "error")
        return None, form, refused.status
