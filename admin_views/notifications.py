"""Notifications in the back-office: each official's inbox (the navbar's bell) and profile
(where they are reached, on which channels); the admin's outbox, its delivery history and
the agency's defaults."""

from flask import abort, flash, has_app_context, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import filters
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from admin_views.base import IntEqualFilter, SecureModelView, SecureView
from admin_views.i18n import AppForm
from models import User, db
from models.accounts import Role
from models.channels import CHANNELS, channel_ready
from models.citizen_messages import EVENTS as CITIZEN_EVENTS
from models.citizen_messages import STATUSES as CITIZEN_STATUSES
from models.citizen_messages import CitizenMessage
from models.contacts import Normalized, format_whatsapp, normalize_email, normalize_whatsapp
from models.dates import format_moment
from models.notifications import (
    EVENTS,
    STATUSES,
    Delivery,
    Notification,
    inbox_clause,
    mark_read,
    notification_settings,
    open_notification,
    resend,
    settings_row,
    unread_count,
)
from models.params import MAX_ID, parse_count, parse_id
from models.types import utcnow

PAGE_SIZE = 25


def complaint_page_for(admin, complaint_id: int) -> str | None:
    """The page of the complaint in the first list the logged-in official may open it from:
    their queue where it waits for them, else the list of all complaints; None when none."""
    views = [v for v in admin._views if getattr(v, "queue_role", None)]
    views += [v for v in admin._views if v.endpoint == "complaints"]
    for view in views:
        if view.is_accessible() and view.get_one(str(complaint_id)) is not None:
            return url_for(f"{view.endpoint}.details_view", id=complaint_id)
    return None


class NotificationsView(SecureView):
    """The official's own notifications in the app: newest first, unread marked."""

    def is_visible(self):
        return False  # reached from the bell in the navbar

    @expose("/")
    def index(self):
        page = parse_count(request.args.get("page", "0"), MAX_ID // PAGE_SIZE)
        if page is None:
            abort(404)
        mine = inbox_clause(current_user)
        total = db.session.scalar(select(func.count(Notification.id)).where(mine)) or 0
        rows = db.session.scalars(
            select(Notification)
            .where(mine)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        return self.render(
            "admin/notifications.html",
            rows=rows,
            page=page,
            total=total,
            pages=max(1, -(-total // PAGE_SIZE)),
            events=EVENTS,
            unread=unread_count(current_user),
        )

    @expose("/baca/", methods=("POST",))
    def read_view(self):
        """Mark the posted notifications (or, with `semua`, all) of the official read."""
        if request.form.get("semua"):
            done = mark_read(current_user)
        else:
            ids = {parse_id(raw) for raw in request.form.getlist("id")} - {None}
            done = mark_read(current_user, ids) if ids else 0
        flash(
            f"{done} notifikasi ditandai sudah dibaca."
            if done
            else "Tidak ada notifikasi yang belum dibaca.",
            "info",
        )
        page = parse_count(request.form.get("page", "0"), MAX_ID // PAGE_SIZE) or 0
        return redirect(url_for(".index", page=page or None))

    @expose("/buka/<int:notification_id>")
    def open_view(self, notification_id):
        """Open what a notification is about (its link, also in e-mail and WhatsApp): mark it
        read, then the complaint's page in a list the official may open now.

        :raise 404: not the official's notification.
        """
        found = open_notification(current_user, notification_id)
        if found is None:
            abort(404)
        if found.submission_id is not None:  # an online submission waiting for registration
            return redirect(url_for("submissions.details_page", id=found.submission_id))
        if found.opens_exports:  # an export job: the official's exports
            return redirect(url_for("exports.index"))
        if found.complaint_id is None:  # a digest: the official's home with their queues
            return redirect(url_for("admin.index"))
        target = complaint_page_for(self.admin, found.complaint_id)
        if target is None:
            flash(
                "Pengaduan pada notifikasi ini sudah berpindah langkah dan tidak lagi "
                "dapat Anda buka.",
                "warning",
            )
            return redirect(url_for(".index"))
        return redirect(target)


CHOICE = [
    SelectChoice("", "Ikuti pengaturan dinas"),
    SelectChoice("1", "Aktif"),
    SelectChoice("0", "Nonaktif"),
]


def _choice_value(raw: str):
    return {"1": True, "0": False}.get(raw)


class ProfileForm(AppForm):
    email = StringField(
        "Email",
        validators=[Normalized(normalize_email)],
        description="Untuk notifikasi; mis. nama@kotamojokerto.go.id.",
    )
    whatsapp = StringField("Nomor WhatsApp", validators=[Normalized(normalize_whatsapp)],
                           description="Nomor seluler, mis. 0812-3456-7890.")  # fmt: skip
    notify_email = SelectField("Notifikasi lewat email", choices=CHOICE)
    notify_whatsapp = SelectField("Notifikasi lewat WhatsApp", choices=CHOICE)

    def validate_notify_email(self, field):
        if _choice_value(field.data) and not (self.email.data or "").strip():
            raise ValidationError("Isi alamat email untuk menerima notifikasi lewat email.")

    def validate_notify_whatsapp(self, field):
        if _choice_value(field.data) and not (self.whatsapp.data or "").strip():
            raise ValidationError("Isi nomor WhatsApp untuk menerima notifikasi lewat WhatsApp.")


class ProfileView(SecureView):
    """The official's own profile: where notifications reach them and on which channels."""

    def is_visible(self):
        return False  # reached from the official's name in the navbar

    @expose("/", methods=("GET", "POST"))
    def index(self):
        user = current_user
        if request.method == "GET":
            form = ProfileForm(
                data={
                    "email": user.email,
                    "whatsapp": format_whatsapp(user.whatsapp),
                    "notify_email": {True: "1", False: "0"}.get(user.notify_email, ""),
                    "notify_whatsapp": {True: "1", False: "0"}.get(user.notify_whatsapp, ""),
                }
            )
        else:
            form = ProfileForm()
        if request.method == "POST" and form.validate():
            user.email, user.whatsapp = form.email.data, form.whatsapp.data
            user.notify_email = _choice_value(form.notify_email.data)
            user.notify_whatsapp = _choice_value(form.notify_whatsapp.data)
            db.session.commit()
            flash("Profil notifikasi Anda disimpan.", "success")
            return redirect(url_for(".index"))
        settings = notification_settings()
        status = 400 if request.method == "POST" else 200
        return self.render(
            "admin/profile.html",
            form=form,
            settings=settings,
            ready={c: channel_ready(c) for c in CHANNELS},
        ), status


def _status_badge(_view, _context, model, _name):
    css = {"pending": "warning", "sent": "success", "failed": "danger"}[model.status]
    return Markup('<span class="badge badge-{}">{}</span>').format(css, model.status_label)


def _recipient_options():
    if not has_app_context():  # Flask-Admin builds its filter cache at start-up
        return []
    users = db.session.scalars(select(User).where(User.role != Role.ADMIN).order_by(User.full_name))
    return [(str(u.id), u.full_name) for u in users]


class OutboxView(SecureModelView):
    """Every notification written: in the app, by e-mail and WhatsApp, with its status and
    last error; failed ones can be sent again. (No message carries a complainant's
    identity: models/notifications.py.)"""

    roles = (Role.ADMIN,)
    can_create = can_edit = can_delete = False
    can_view_details = True
    live_filter_choices = True  # recipients come from the accounts
    column_list = (
        "created_at",
        "event",
        "channel",
        "recipient",
        "address",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    )
    column_details_list = (*column_list, "body", "read_at")
    column_labels = {
        "created_at": "Dibuat",
        "event": "Peristiwa",
        "channel": "Kanal",
        "recipient": "Penerima",
        "address": "Alamat",
        "subject": "Judul",
        "status": "Status",
        "attempts": "Percobaan",
        "next_attempt_at": "Coba lagi pada",
        "last_error": "Kesalahan terakhir",
        "sent_at": "Terkirim",
        "body": "Isi",
        "read_at": "Dibaca",
    }
    column_sortable_list = ("created_at", "sent_at", "attempts")
    column_default_sort = [("created_at", True), ("id", True)]
    column_formatters = {
        "created_at": lambda v, c, m, n: format_moment(m.created_at),
        "sent_at": lambda v, c, m, n: format_moment(m.sent_at),
        "read_at": lambda v, c, m, n: format_moment(m.read_at),
        "next_attempt_at": lambda v, c, m, n: (
            format_moment(m.next_attempt_at) if m.status == "pending" else "-"
        ),
        "event": lambda v, c, m, n: m.event_label,
        "channel": lambda v, c, m, n: m.channel_label,
        "address": lambda v, c, m, n: (
            format_whatsapp(m.address) if m.channel == "whatsapp" else m.address
        ),
        "status": _status_badge,
        "recipient": lambda v, c, m, n: m.recipient.full_name,
    }
    column_formatters_detail = column_formatters

    def __init__(self, *args, **kwargs):
        self.column_filters = [
            filters.FilterEqual(Notification.status, "Status", options=list(STATUSES.items())),
            filters.FilterEqual(Notification.channel, "Kanal", options=list(CHANNELS.items())),
            filters.FilterEqual(Notification.event, "Peristiwa", options=list(EVENTS.items())),
            IntEqualFilter(Notification.recipient_id, "Penerima", options=_recipient_options),
        ]
        super().__init__(*args, **kwargs)

    def get_query(self):
        return super().get_query().options(joinedload(Notification.recipient))

    @action("kirim_ulang", "Kirim ulang", "Kirim ulang notifikasi gagal yang dipilih?")
    def action_resend(self, ids):
        """Queue the selected failed notifications again (the others are left as they are)."""
        wanted = {parse_id(raw) for raw in ids} - {None}
        done = resend(wanted) if wanted else 0
        if done:
            flash(f"{done} notifikasi gagal dimasukkan lagi ke antrean kirim.", "success")
        else:
            flash("Tidak ada notifikasi gagal di antara yang dipilih.", "warning")
        return redirect(url_for(".index_view", **request.args))


class DeliveryView(SecureModelView):
    """The append-only history of every hand-over and failed try: who, what, when, result."""

    roles = (Role.ADMIN,)
    can_create = can_edit = can_delete = False
    live_filter_choices = True
    column_list = ("at", "channel", "recipient", "address", "subject", "attempt", "ok", "error")
    column_labels = {
        "at": "Waktu",
        "channel": "Kanal",
        "recipient": "Penerima",
        "address": "Alamat",
        "subject": "Judul",
        "attempt": "Percobaan ke",
        "ok": "Berhasil",
        "error": "Kesalahan",
    }
    column_sortable_list = ("at",)
    column_default_sort = [("at", True), ("id", True)]
    column_formatters = {
        "at": lambda v, c, m, n: format_moment(m.at),
        "channel": lambda v, c, m, n: m.channel_label,
        "recipient": lambda v, c, m, n: m.recipient.full_name,
        "ok": lambda v, c, m, n: "Ya" if m.ok else "Tidak",
        "address": lambda v, c, m, n: (
            format_whatsapp(m.address) if m.channel == "whatsapp" else m.address
        ),
    }

    def __init__(self, *args, **kwargs):
        self.column_filters = [
            filters.FilterEqual(Delivery.channel, "Kanal", options=list(CHANNELS.items())),
            filters.BooleanEqualFilter(Delivery.ok, "Berhasil"),
            IntEqualFilter(Delivery.recipient_id, "Penerima", options=_recipient_options),
        ]
        super().__init__(*args, **kwargs)

    def get_query(self):
        return super().get_query().options(joinedload(Delivery.recipient))


class CitizenMessageView(SecureModelView):
    """The messages to citizens (received, registered, answered): their state and last error,
    never their address or code (sealed in the row and forgotten once sent or failed)."""

    roles = (Role.ADMIN,)
    can_create = can_edit = can_delete = False
    column_list = ("created_at", "event", "channel", "status", "attempts", "next_attempt_at",
                   "last_error", "sent_at")  # fmt: skip
    column_labels = {
        "created_at": "Dibuat",
        "event": "Peristiwa",
        "channel": "Kanal",
        "status": "Status",
        "attempts": "Percobaan",
        "next_attempt_at": "Coba lagi pada",
        "last_error": "Kesalahan terakhir",
        "sent_at": "Terkirim",
    }
    column_sortable_list = ("created_at", "sent_at")
    column_default_sort = [("created_at", True), ("id", True)]
    column_formatters = {
        "created_at": lambda v, c, m, n: format_moment(m.created_at),
        "sent_at": lambda v, c, m, n: format_moment(m.sent_at) if m.sent_at else "",
        "next_attempt_at": lambda v, c, m, n: (
            format_moment(m.next_attempt_at) if m.status == "pending" else ""
        ),
        "event": lambda v, c, m, n: m.event_label,
        "channel": lambda v, c, m, n: CHANNELS[m.channel],
        "status": lambda v, c, m, n: m.status_label,
    }
    column_filters = (
        filters.FilterEqual(CitizenMessage.status, "Status",
                            options=list(CITIZEN_STATUSES.items())),
        filters.FilterEqual(CitizenMessage.event, "Peristiwa",
                            options=list(CITIZEN_EVENTS.items())),
    )  # fmt: skip


class NotificationSettingsForm(AppForm):
    email_default = BooleanField("Email aktif bagi pejabat yang belum memilih")
    whatsapp_default = BooleanField("WhatsApp aktif bagi pejabat yang belum memilih")
    late_repeat_limit = IntegerField(
        "Pengingat terlambat paling banyak (kali, sekali per hari kerja)",
        validators=[
            InputRequired("Isi jumlah pengingat (1–20)."),
            NumberRange(1, 20, "Jumlah pengingat harus antara 1 dan 20."),
        ],
    )
    digest_enabled = BooleanField("Kirim ringkasan harian saat kantor buka")


class NotificationSettingsView(SecureView):
    """The agency's defaults for notifications (the admin's page)."""

    roles = (Role.ADMIN,)

    @expose("/", methods=("GET", "POST"))
    def index(self):
        settings = settings_row()
        form = (
            NotificationSettingsForm(obj=settings)
            if request.method == "GET"
            else NotificationSettingsForm()
        )
        if request.method == "POST" and form.validate():
            form.populate_obj(settings)
            db.session.add(settings)
            db.session.commit()
            flash("Pengaturan notifikasi disimpan.", "success")
            return redirect(url_for(".index"))
        status = 400 if request.method == "POST" else 200
        return self.render(
            "admin/notification_settings.html",
            form=form,
            ready={c: channel_ready(c) for c in CHANNELS},
            since=utcnow(),
        ), status
