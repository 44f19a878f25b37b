"""The application factory and its command-line interface (`flask --app app ...`)."""

import json
import os
import secrets
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate, upgrade
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload, with_expression
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from models import User, db
from models.dates import format_date_long, format_moment, today_wib
from models.inputs import typed_input
from models.notifications import unread_expression
from models.params import MAX_ID, parse_id
from models.picklists import PickLists
from models.search import include_object
from models.step_forms import format_size

PROJECT_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PROJECT_DIR / "migrations"

csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
babel = Babel()
picklists = PickLists()


def _production() -> bool:
    return os.environ.get("PENGADUAN_ENV", os.environ.get("FLASK_ENV", "")) == "production"


def _secret_key(instance: Path) -> str:
    """Return SECRET_KEY from the environment, else a key generated once in the instance folder.

    :raise RuntimeError: production without SECRET_KEY set.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if _production():
        raise RuntimeError("SECRET_KEY wajib diisi di lingkungan produksi (PENGADUAN_ENV).")
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


# Notifications (models/channels.py, models/delivery.py): e-mail over SMTP, WhatsApp through
# an HTTP gateway, the address links point to, and how often the worker tries a message.
NOTIFICATION_ENVIRONMENT = (
    "APP_BASE_URL", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME",
    "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "MAIL_SENDER_NAME", "MAIL_TIMEOUT",
    "WHATSAPP_GATEWAY_URL", "WHATSAPP_GATEWAY_TOKEN", "WHATSAPP_TOKEN_HEADER", "WHATSAPP_BODY",
    "WHATSAPP_PHONE_FIELD", "WHATSAPP_MESSAGE_FIELD", "WHATSAPP_PHONE_FORMAT",
    "WHATSAPP_TIMEOUT", "NOTIFY_MAX_ATTEMPTS", "NOTIFY_RETRY_SECONDS",
    # The rest that the README's settings name and their modules read from the config as
    # text: the tracking page's guessing limit (models/tracking.py), SP4N-LAPOR!'s API
    # (models/lapor_api.py), the files kept for forms shown again (models/held_uploads.py),
    # the exports that become jobs and how long their files are kept (models/export_jobs.py).
    "TRACK_MAX_FAILURES", "TRACK_WINDOW_MINUTES", "LAPOR_API_URL", "LAPOR_API_TOKEN",
    "LAPOR_API_TOKEN_HEADER", "LAPOR_API_PATH", "LAPOR_API_TIMEOUT", "HELD_UPLOADS_MAX_BYTES",
    "EXPORT_STREAM_MAX_ROWS", "EXPORT_KEEP_HOURS",
)  # fmt: skip


def _notification_settings() -> dict:
    return {name: os.environ[name] for name in NOTIFICATION_ENVIRONMENT if name in os.environ}


def create_app(config: dict | None = None) -> Flask:
    """Create the back-office application.

    :param config: settings that override the environment (tests pass their database here).
    """
    app = Flask(__name__, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    production = _production()
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'pengaduan.db'}"
        ),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=production,
        MAX_CONTENT_LENGTH=int(os.environ.get("MAX_UPLOAD_MB", "25")) * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="id",
        BABEL_DEFAULT_TIMEZONE="Asia/Jakarta",
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session
        # A session ends after this long without a request, and after 12 hours in any case.
        SESSION_IDLE_MINUTES=int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # Password guessing: an account is held after 5 failures, an address after 20, for
        # 15 minutes.
        LOGIN_MAX_FAILURES=int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
        LOGIN_MAX_FAILURES_PER_ADDRESS=int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")),
        LOGIN_LOCK_MINUTES=int(os.environ.get("LOGIN_LOCK_MINUTES", "15")),
        # Static files are kept by the browser for a day; their URLs change with their
        # content (`_static_version`), Flask-Admin's carry its version.
        SEND_FILE_MAX_AGE_DEFAULT=timedelta(days=1),
        # The public complaint form: per address 5 and per contact 3 submissions within an
        # hour; a form sent sooner than 4 seconds after it was opened is a bot's.
        SUBMIT_PER_ADDRESS=int(os.environ.get("SUBMIT_PER_ADDRESS", "5")),
        SUBMIT_PER_CONTACT=int(os.environ.get("SUBMIT_PER_CONTACT", "3")),
        SUBMIT_WINDOW_MINUTES=int(os.environ.get("SUBMIT_WINDOW_MINUTES", "60")),
        SUBMIT_MIN_SECONDS=float(os.environ.get("SUBMIT_MIN_SECONDS", "4")),
        # The key of the printed documents' verification codes (models/verification.py);
        # unset: SECRET_KEY. Changing it invalidates every code already printed.
        DOCUMENT_SEAL_KEY=os.environ.get("DOCUMENT_SEAL_KEY") or None,
        # Proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto/-Host are
        # believed; 0: none, the headers are ignored (any client could write them).
        TRUSTED_PROXIES=int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Monitoring (ops/): the bearer token of /metrics (unset: no metrics page); how long
        # the notification worker may be silent before /readyz says not ready (it runs a round
        # every 5 s, a sweep may take a while); LOG_FORMAT=json: the log lines as JSON.
        METRICS_TOKEN=os.environ.get("METRICS_TOKEN") or None,
        WORKER_MAX_SILENCE=int(os.environ.get("WORKER_MAX_SILENCE", "180")),
        LOG_FORMAT=os.environ.get("LOG_FORMAT", "text"),
        **_notification_settings(),
    )
    if config:
        app.config.update(config)
    # Behind a proxy every request comes from the proxy's address: take the client's from the
    # headers the trusted proxies added, so that the login throttle, the public form's limits
    # and the logs see the real client (request.remote_addr), and the scheme and host are the
    # ones the browser used.
    if (proxies := int(app.config["TRUSTED_PROXIES"])) > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}

    # Every <int:…> in a URL is a database key: beyond what a key can be, the URL matches
    # nothing (404) instead of reaching the database with a number it refuses.
    app.url_map.converters["int"] = BoundedInt
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True,
                     include_object=include_object)  # fmt: skip
    csrf.init_app(app)
    babel.init_app(app)
    picklists.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Silakan masuk untuk membuka halaman ini."
    login_manager.login_message_category = "warning"

    _sqlite_pragmas(app)

    from admin_views import init_app as init_admin
    from admin_views.auth import bp as auth_bp
    from citizen import bp as public_bp
    from ops import init_app as init_ops

    init_ops(app)  # first: every request's id and clock start before any other hook
    app.register_blueprint(auth_bp)
    app.register_blueprint(public_bp)
    csrf.exempt(public_bp)  # its forms check their tokens themselves (citizen/__init__.py)
    init_admin(app)

    app.url_defaults(_static_version)
    app.jinja_env.filters["wib"] = format_moment
    app.jinja_env.filters["tanggal"] = format_date_long
    app.jinja_env.filters["ukuran"] = format_size
    app.jinja_env.globals["typed_input"] = typed_input
    app.jinja_env.globals["today_wib"] = today_wib
    app.jinja_env.filters["fromiso"] = date.fromisoformat
    app.jinja_env.filters["nl2br"] = nl2br
    app.cli.add_command(init_db_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(sop_group)
    app.cli.add_command(seed_bulk_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(worker_command)
    return app


class BoundedInt(IntegerConverter):
    """The `int` URL converter, limited to the keys a database row can have."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


@lru_cache(maxsize=64)
def _stamp(filename: str) -> str:
    path = PROJECT_DIR / "static" / filename
    return str(int(path.stat().st_mtime)) if path.is_file() else ""


def _static_version(endpoint: str, values: dict) -> None:
    """Give the app's own static files a `v` that changes when the file does, so that a
    browser may keep them (SEND_FILE_MAX_AGE_DEFAULT) and still gets a new one at once."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        stamp = _stamp(values["filename"])
        if stamp:
            values["v"] = stamp


def _sqlite_pragmas(app: Flask) -> None:
    """Enforce foreign keys and allow readers beside a writer on SQLite. On PostgreSQL, turn
    off JIT compilation: every statement here reads a few index entries, and compiling one
    whose estimated cost looks high (a deep page, a count with a subquery) took longer than
    running it (measured: 26 ms of work, 34 ms of JIT)."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":

            @event.listens_for(engine, "connect")
            def _no_jit(dbapi_connection, _record):
                with dbapi_connection.cursor() as cursor:
                    cursor.execute("SET jit = off")
                dbapi_connection.commit()

            return
        if engine.dialect.name != "sqlite":
            return

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()


def nl2br(text) -> Markup:
    """Escape `text` and keep its line breaks (xhtml2pdf knows no pre-wrap)."""
    return Markup("<br>").join(escape(line) for line in str(text or "").splitlines())


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The session's official, while the session is still theirs: active, and opened in the
    user's current session generation (logout, a new password or deactivation moved it on,
    whichever app host did it)."""
    from flask import session

    from admin_views.auth import SESSION_GENERATION

    user_id = parse_id(user_id)
    if user_id is None:
        return None
    # Appointments come in the same statement (every menu item asks `holds()`), and the
    # bell's count of unread notifications.
    user = db.session.get(User, user_id, options=[
        joinedload(User.appointments),
        with_expression(User.unread_notifications, unread_expression()),
    ])  # fmt: skip
    if user is None or not user.active:
        return None
    if session.get(SESSION_GENERATION) != user.session_generation:
        return None
    return user


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Upgrade the database to the newest migration and load the SOPs and letterhead."""
    from seeds.loader import init_data

    upgrade(directory=str(MIGRATIONS_DIR))
    summary = init_data()
    added = ", ".join(summary["sops"]) or "tidak ada (sudah ada)"
    click.echo(f"Basis data siap. SOP ditambahkan: {added}.")
    click.echo(f"Kop surat dibuat: {'ya' if summary['agency'] else 'tidak (sudah ada)'}.")
    click.echo(f"Data master ditambahkan: {summary['masterdata']} baris.")


@click.command("create-user")
@with_appcontext
@click.option("--username", prompt="Nama pengguna")
@click.option("--full-name", prompt="Nama lengkap")
@click.option(
    "--role",
    type=click.Choice(["admin", "fo", "kadis", "kabid", "kasi", "tim_teknis"]),
    default="admin",
    show_default=True,
)
@click.option("--nip", default="", help="NIP 18 digit (boleh dengan spasi).")
@click.option("--position", default="Administrator Sistem")
@click.option("--rank", default="")
@click.password_option("--password", prompt="Kata sandi", confirmation_prompt="Ulangi kata sandi")
def create_user_command(username, full_name, role, nip, position, rank, password):
    """Create an account, e.g. the first admin."""
    from sqlalchemy import select

    from models.passwords import password_problem

    if db.session.scalar(select(User.id).where(User.username == username)):
        raise click.ClickException(f"Nama pengguna '{username}' sudah dipakai.")
    if problem := password_problem(password, (username, full_name, nip)):
        raise click.ClickException(problem)
    try:
        user = User(
            username=username, full_name=full_name, role=role, nip=nip or None,
            position=position, rank=rank,
        )  # fmt: skip
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Akun '{username}' ({user.role_label}) dibuat.")


@click.command("seed-demo")
@with_appcontext
@click.option("--password", default=None, help="Kata sandi semua akun demo (default: dibuat acak).")
def seed_demo_command(password):
    """Create the demo officials (fo, kadis, …, admin) and about forty complaints."""
    from seeds.demo_complaints import create_demo_complaints
    from seeds.loader import create_demo_accounts

    generated = password is None
    if generated:
        password = secrets.token_urlsafe(12)  # 16 characters: the policy's length
    created = create_demo_accounts(password)
    if not created:
        click.echo("Akun demo sudah ada; tidak ada yang diubah.")
    else:
        click.echo(f"Akun demo dibuat: {', '.join(created)}.")
        if generated:
            click.echo(f"Kata sandi akun demo: {password}")
    made = create_demo_complaints()
    click.echo(f"Pengaduan contoh dibuat: {made}." if made else "Pengaduan sudah ada.")


@click.command("seed-bulk")
@click.argument("count", type=click.IntRange(1, 5_000_000))
@with_appcontext
def seed_bulk_command(count):
    """Insert COUNT realistic complaints with histories, for scale tests and benchmarks."""
    import time

    from seeds.bulk import seed_bulk

    started = time.perf_counter()
    records = seed_bulk(count, echo=lambda line: None)
    seconds = time.perf_counter() - started
    click.echo(f"{count} pengaduan dan {records} riwayat langkah dibuat dalam {seconds:.0f} detik.")


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path):
    """Write a consistent copy of the whole database (attachments included) to PATH
    (default: instance/backups/pengaduan-<date>-<time>.db or .dump), readable by its owner
    only (0600; the default folder 0700)."""
    from flask import current_app

    from models.backup import BackupError, backup, private_folder
    from models.dates import to_wib
    from models.types import utcnow

    if path is None:
        suffix = "db" if db.engine.dialect.name == "sqlite" else "dump"
        stamp = to_wib(utcnow()).strftime("%Y%m%d-%H%M%S")
        folder = private_folder(Path(current_app.instance_path) / "backups")
        path = folder / f"pengaduan-{stamp}.{suffix}"
    try:
        written = backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    size = written.stat().st_size / 1e6
    click.echo(f"Cadangan tersimpan: {written} ({size:.1f} MB).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path, yes):
    """Replace the database's whole content with the backup at PATH."""
    from models.backup import BackupError, restore

    if not yes:
        click.confirm("Seluruh isi basis data akan diganti dengan isi cadangan. Lanjutkan?",
                      abort=True)  # fmt: skip
    try:
        restore(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Basis data dipulihkan dari {path}.")


@click.command("worker")
@click.option("--once", is_flag=True, help="Satu putaran (sapuan dan pengiriman), lalu berhenti.")
@click.option("--poll", default=5.0, show_default=True, help="Detik antarputaran pengiriman.")
@click.option(
    "--sweep-every",
    default=60.0,
    show_default=True,
    help="Detik antarsapuan pengingat (segera jatuh tempo, terlambat, ringkasan).",
)
@with_appcontext
def worker_command(once, poll, sweep_every):
    """Send notifications (e-mail, WhatsApp), sweep for reminders and write export jobs, until
    stopped."""
    import logging
    import signal
    import threading

    from flask import current_app

    from models.delivery import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    lock = _single_sqlite_worker(current_app)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}  # fmt: skip
    click.echo("Pekerja notifikasi dan ekspor berjalan (Ctrl+C untuk berhenti).")
    try:
        run(poll_seconds=poll, sweep_seconds=sweep_every, once=once, stop=stop,
            echo=click.echo)  # fmt: skip
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if lock is not None:
            lock.close()
    click.echo("Pekerja notifikasi dan ekspor berhenti.")


def _single_sqlite_worker(app):
    """On SQLite, hold a lock file beside the database: a second worker on the same file
    stops at once (on PostgreSQL any number of workers may run)."""
    import fcntl

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return None
    path = Path(db.engine.url.database or "memory").with_suffix(".worker.lock")
    lock = open(path, "w")  # noqa: SIM115 - held for the worker's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise click.ClickException(
            "Pekerja lain sudah berjalan pada basis data SQLite ini; "
            "SQLite hanya mendukung satu pekerja."
        ) from None
    return lock


@click.group("sop", cls=AppGroup)
def sop_group():
    """Read the SOPs loaded in the database; export a revision as a seed."""


@sop_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Cetak sebagai JSON untuk skrip.")
def sop_list_command(as_json):
    """Print every loaded SOP revision with its header and steps."""
    from sqlalchemy import select

    from models import Sop
    from models.sop import sop_as_dict

    sops = db.session.scalars(select(Sop).order_by(Sop.code, Sop.revision)).all()
    if as_json:
        click.echo(json.dumps([sop_as_dict(s) for s in sops], ensure_ascii=False, indent=2))
        return
    for sop in sops:
        click.echo(f"{sop.number}  rev. {sop.revision}  efektif {sop.effective_on:%d-%m-%Y}")
        click.echo(f"  {sop.name}")
        for step in sop.steps:
            targets = ", ".join(f"{o.label} → {o.leads_to_label}" for o in step.outcomes)
            click.echo(
                f"  {step.no:>2}. [{step.actor_label}] {step.short_name} "
                f"({step.time_label}; output: {step.output}) — {targets}"
            )


@sop_group.command("export")
@click.argument("code")
@click.option(
    "--revision",
    type=int,
    default=None,
    help="Nomor revisi (default: revisi terbaru, juga yang belum efektif).",
)
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    help="Berkas tujuan; '-' = layar; folder = <folder>/sop_<nomor>_rev<revisi>.py.",
)
def sop_export_command(code, revision, output):
    """Write an SOP revision as a seed module (seeds/sop_*.py style) to stdout or a file."""
    from models.sop import sop_codes
    from models.sop_revision import revisions as revisions_of
    from seeds.export import seed_filename, seed_source

    revisions = {s.revision: s for s in revisions_of(code)}
    if not revisions:
        codes = sop_codes()
        known = f" Kode yang ada: {', '.join(codes)}." if codes else " Belum ada SOP dimuat."
        raise click.ClickException(f"SOP dengan kode '{code}' tidak ada.{known}")
    if revision is None:
        revision = max(revisions)
    if revision not in revisions:
        known = ", ".join(str(n) for n in revisions)
        raise click.ClickException(
            f"{code} tidak memiliki revisi {revision}. Revisi yang ada: {known}."
        )
    sop = revisions[revision]
    if sop.draft:
        click.echo(
            f"Peringatan: {sop.title} masih draf. Sebagai seed, revisi ini berlaku sejak tanggal "
            "efektifnya (seed tidak mengenal draf).",
            err=True,
        )
    source = seed_source(sop)
    if output == "-":
        click.echo(source, nl=False)
        return
    path = Path(output)
    if path.is_dir():
        path = path / seed_filename(sop)
    try:
        path.write_text(source, encoding="utf-8")
    except FileNotFoundError:
        raise click.ClickException(f"Folder {path.parent} tidak ada.") from None
    except OSError as exc:
        raise click.ClickException(f"Tidak dapat menulis {path}: {exc.strerror}.") from None
    click.echo(f"{sop.title} diekspor ke {path}.")
