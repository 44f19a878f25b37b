"""Login and logout at /login and /logout."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from admin_views.i18n import AppForm
from models import User, db

bp = Blueprint("auth", __name__)


class LoginForm(AppForm):
    username = StringField(
        "Nama pengguna",
        validators=[DataRequired("Nama pengguna wajib diisi."), Length(max=40)],
    )
    password = PasswordField(
        "Kata sandi", validators=[DataRequired("Kata sandi wajib diisi."), Length(max=200)]
    )


def _safe_next(target: str | None) -> str:
    """Return `target` when it is a path on this site, else the admin home."""
    default = url_for("admin.index")
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


@bp.route("/")
def root():
    return redirect(url_for("admin.index"))


@bp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Show the login form; on valid credentials start a session and go where the user was going."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash("Nama pengguna atau kata sandi salah, atau akun tidak aktif.", "error")
    return render_template("login.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/logout", methods=("POST",))
def logout():
    """End the session."""
    logout_user()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))
