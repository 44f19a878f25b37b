"""Login and logout at /login and /logout."""

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from admin_views.base import return_path, safe_path, unsaved_message
from admin_views.i18n import AppForm
from models import User, db
from models.accounts import LoginAttempt, login_wait_minutes, take_login_turn, verify_login
from models.types import utcnow

bp = Blueprint("auth", __name__)


class LoginForm(AppForm):
    username = StringField(
        "Nama pengguna",
        validators=[DataRequired("Nama pengguna wajib diisi."), Length(max=40)],
    )
    password = PasswordField(
        "Kata sandi", validators=[DataRequired("Kata sandi wajib diisi."), Length(max=200)]
    )


# What a session keeps beside Flask-Login's user id: the user's session generation when it
# was opened, when the official logged in, and when the session was last used.
SESSION_GENERATION, LOGGED_IN_AT, LAST_SEEN = "generation", "logged_in_at", "seen"


def _safe_next(target: str | None) -> str:
    """Return `target` when it is a path on this site, else the admin home."""
    return safe_path(target, url_for("admin.index"))


@bp.before_app_request
def _end_expired_sessions():
    """End a session idle longer than SESSION_IDLE_MINUTES, or opened longer ago than
    PERMANENT_SESSION_LIFETIME (12 hours) however busy it has been."""
    if not current_user.is_authenticated or request.endpoint in ("static", "admin.static"):
        return None
    now = utcnow().timestamp()
    config = current_app.config
    idle = now - session.get(LAST_SEEN, 0) > config["SESSION_IDLE_MINUTES"] * 60
    old = now - session.get(LOGGED_IN_AT, 0) > config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if idle or old:
        logout_user()
        session.clear()
        flash("Sesi Anda berakhir karena lama tidak ada aktivitas. Silakan masuk lagi." if idle
              else "Sesi Anda berakhir karena sudah terlalu lama. Silakan masuk lagi.",
              "warning")  # fmt: skip
        if request.method != "GET":
            flash(unsaved_message(), "info")
        return redirect(url_for("auth.login", next=return_path()))
    session[LAST_SEEN] = now
    return None


# Pages run only this site's own script files: no inline script, no inline event handler, no
# `javascript:` link (templates/admin/ overrides Flask-Admin's few that had them, static/app.js
# does their work). Inline styles stay allowed: Select2 and the date pickers set them.
# PDFs and CSV files get no policy: Chromium's PDF viewer would not open under one.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@bp.after_app_request
def _security_headers(response):
    """Headers every page carries: no framing (clickjacking), no content-type guessing."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


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
        username = form.username.data.strip().lower()
        address = (request.remote_addr or "-")[:64]
        config = current_app.config
        # One attempt at a time per account and per address, from the lockout check to the
        # recorded result: parallel attempts cannot all pass the check before one fails.
        take_login_turn(username, address)
        now = utcnow()
        wait = login_wait_minutes(
            username, address, now, per_account=config["LOGIN_MAX_FAILURES"],
            per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            window=timedelta(minutes=config["LOGIN_LOCK_MINUTES"]),
        )  # fmt: skip
        if wait:
            db.session.commit()
            flash(f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {wait} menit.",
                  "error")  # fmt: skip
            return render_template("login.html", form=form), 429
        user = db.session.scalar(select(User).where(User.username == username))
        ok = verify_login(user, form.password.data)
        db.session.add(LoginAttempt(username=username, address=address, at=now, succeeded=ok))
        db.session.commit()
        if ok:
            session.clear()  # a new session for a new login
            login_user(user)
            session.permanent = True
            session[SESSION_GENERATION] = user.session_generation
            session[LOGGED_IN_AT] = session[LAST_SEEN] = now.timestamp()
            return redirect(_safe_next(request.args.get("next")))
        flash("Nama pengguna atau kata sandi salah, atau akun tidak aktif.", "error")
    return render_template("login.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/logout", methods=("POST",))
def logout():
    """End the session, and every other session of the same official (on any app host)."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))
