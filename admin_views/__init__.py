"""The admin interface, built from a table of views; every page sits behind a role check."""

from flask import Flask, render_template, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from admin_views.base import HomeView, RoleLink, take_saved_drafts, unsaved_message, way_back
from admin_views.csp import CspSafeLoader
from admin_views.i18n import TRANSLATIONS_DIR, use_project_catalogs
from models import db


def init_app(app: Flask) -> Admin:
    """Create the admin on `app`: the home page, the SOP pages and user management."""
    from admin_views.audit import AdminChangeView, IdentityRevealView
    from admin_views.calendar import CalendarView, OfficeHoursView
    from admin_views.complaints import ComplaintListView, QueueView
    from admin_views.export import produce_export
    from admin_views.export_jobs import ExportJobsView
    from admin_views.masterdata import (
        AnswerTemplateView,
        ChannelView,
        ComplaintClassView,
        DispositionMarkView,
        JenisView,
        OtherAgencyView,
        PlatformView,
    )
    from admin_views.notifications import (
        CitizenMessageView,
        DeliveryView,
        NotificationSettingsView,
        NotificationsView,
        OutboxView,
        ProfileView,
    )
    from admin_views.recap import RecapView
    from admin_views.settings import SettingsView
    from admin_views.sops import SopView
    from admin_views.submissions import SubmissionView
    from admin_views.users import AppointmentView, UserView
    from models import ActingAppointment, Complaint, OfficeHours, Role, Sop, User
    from models.audit import AdminChange
    from models.citizen_messages import CitizenMessage
    from models.identity import IdentityReveal
    from models.masterdata import (
        AnswerTemplate,
        Channel,
        ComplaintClass,
        DispositionMark,
        Jenis,
        OtherAgency,
        Platform,
    )
    from models.notifications import Delivery, Notification, unread_count
    from models.submission import Submission

    use_project_catalogs()
    app.jinja_env.loader = CspSafeLoader(app.jinja_env.loader)
    admin = Admin(
        app,
        name="Pengaduan Masyarakat",
        index_view=HomeView(name="Beranda", url="/admin"),
        theme=Bootstrap4Theme(swatch="default", fluid=True),
        translations_path=str(TRANSLATIONS_DIR),
    )
    admin_category = "Administrasi"
    queues = (
        (Role.KADIS, "kadis", "Antrian Kepala Dinas"),
        (Role.KABID, "kabid", "Antrian Kabid"),
        (Role.KASI, "kasi", "Antrian Kasi"),
        (Role.TIM_TEKNIS, "tim-teknis", "Antrian Tim Teknis"),
        (Role.FO, "fo", "Antrian FO (pengiriman jawaban)"),
    )
    views = (
        *(QueueView(role, Complaint, db, name=label, endpoint=f"queue_{role}",
                    url=f"antrian/{slug}")
          for role, slug, label in queues),
        SubmissionView(Submission, db, name="Pengaduan daring", endpoint="submissions",
                       url="formulir-daring"),
        ComplaintListView(Complaint, db, name="Semua pengaduan", endpoint="complaints",
                          url="pengaduan"),
        RecapView(name="Rekapitulasi", endpoint="recap", url="rekap"),
        SopView(Sop, db, name="SOP", endpoint="sop", url="sop"),
        UserView(User, db, name="Pengguna", category=admin_category, endpoint="users",
                 url="pengguna"),
        AppointmentView(ActingAppointment, db, name="Plt./Plh.", category=admin_category,
                        endpoint="appointments", url="penugasan"),
        CalendarView(name="Kalender kerja", category=admin_category, endpoint="calendar",
                     url="kalender"),
        OfficeHoursView(OfficeHours, db, name="Jam kantor", category=admin_category,
                        endpoint="office_hours", url="jam-kantor"),
        SettingsView(name="Kop surat dan penomoran", category=admin_category,
                     endpoint="settings", url="kop-surat"),
        ChannelView(Channel, db, name="Kanal pengaduan", category=admin_category,
                    endpoint="channels", url="kanal"),
        PlatformView(Platform, db, name="Platform media sosial", category=admin_category,
                     endpoint="platforms", url="platform"),
        JenisView(Jenis, db, name="Jenis pengaduan", category=admin_category, endpoint="jenis",
                  url="jenis"),
        DispositionMarkView(DispositionMark, db, name="Tanda disposisi",
                            category=admin_category, endpoint="disposition_marks",
                            url="tanda-disposisi"),
        ComplaintClassView(ComplaintClass, db, name="Kelas pengaduan", category=admin_category,
                           endpoint="complaint_classes", url="kelas-pengaduan"),
        OtherAgencyView(OtherAgency, db, name="Instansi tujuan pelimpahan",
                        category=admin_category, endpoint="other_agencies",
                        url="instansi-pelimpahan"),
        AnswerTemplateView(AnswerTemplate, db, name="Templat jawaban", category=admin_category,
                           endpoint="answer_templates", url="templat-jawaban"),
        AdminChangeView(AdminChange, db, name="Riwayat administrasi", category=admin_category,
                        endpoint="admin_changes", url="riwayat-administrasi"),
        IdentityRevealView(IdentityReveal, db, name="Pembukaan identitas pengadu",
                           category=admin_category, endpoint="identity_reveals",
                           url="pembukaan-identitas"),
        OutboxView(Notification, db, name="Kotak keluar notifikasi", category=admin_category,
                   endpoint="outbox", url="notifikasi-keluar"),
        DeliveryView(Delivery, db, name="Riwayat pengiriman notifikasi",
                     category=admin_category, endpoint="deliveries", url="riwayat-pengiriman"),
        CitizenMessageView(CitizenMessage, db, name="Pesan ke pengadu", category=admin_category,
                           endpoint="citizen_messages", url="pesan-pengadu"),
        NotificationSettingsView(name="Pengaturan notifikasi", category=admin_category,
                                 endpoint="notification_settings", url="pengaturan-notifikasi"),
        NotificationsView(name="Notifikasi", endpoint="notifications", url="notifikasi"),
        ProfileView(name="Profil", endpoint="profile", url="profil"),
        ExportJobsView(name="Ekspor saya", endpoint="exports", url="ekspor"),
    )  # fmt: skip
    for view in views:
        admin.add_view(view)
        if view.endpoint == f"queue_{Role.FO}":  # registering comes first for the front office
            admin.add_menu_item(
                RoleLink(Role.FO, "Registrasi", endpoint=f"{view.endpoint}.register_view")
            )
    # The worker writes the export jobs of these lists (models/export_jobs.py).
    app.extensions["export_job_producer"] = produce_export(admin)
    # The bell in the navbar (templates/admin/master.html).
    app.jinja_env.globals["unread_notifications"] = lambda: unread_count(current_user)
    app.jinja_env.globals["take_saved_drafts"] = take_saved_drafts

    @app.before_request
    def _admin_requires_login():
        # Belt and braces beside each view's own check: nothing under /admin/ but its static
        # files answers an anonymous visitor.
        if (
            request.path.startswith("/admin")
            and request.endpoint != "admin.static"
            and not current_user.is_authenticated
        ):
            from admin_views.base import _refuse

            return _refuse()
        return None

    @app.before_request
    def _refuse_control_characters():
        # NUL and other control characters mean nothing in a URL's parameters (PostgreSQL
        # refuses NUL in text outright): refused here, once, for every page.
        for key, value in request.args.items(multi=True):
            if any(ord(ch) < 32 or ord(ch) == 127 for ch in key + value):
                return _bad_request_page("Alamat halaman memuat karakter kendali yang tidak "
                                         "sah. Buka halaman dari menu.")  # fmt: skip
        return None

    def _bad_request_page(message: str, status: int = 400):
        return render_template("errors/500.html", status=status, title="Permintaan tidak valid",
                               message=message, back=way_back()), status  # fmt: skip

    @app.errorhandler(400)
    def _bad_request(exc):
        from flask_wtf.csrf import CSRFError

        if isinstance(exc, CSRFError):
            return _bad_request_page(
                "Formulir ini sudah kedaluwarsa atau sesi Anda berakhir. " + unsaved_message()
            )
        return _bad_request_page("Permintaan ini tidak dapat dibaca; periksa alamat atau "
                                 "isian, lalu coba lagi.")  # fmt: skip

    @app.errorhandler(405)
    def _wrong_method(_exc):
        return _bad_request_page("Halaman ini tidak dapat dibuka dengan cara itu (misalnya "
                                 "alamat tujuan sebuah formulir yang dibuka sebagai halaman). "
                                 "Kembali ke halamannya, atau buka dari menu.",
                                 status=405)  # fmt: skip

    @app.errorhandler(403)
    def _forbidden(_exc):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def _not_found(_exc):
        return render_template("errors/404.html"), 404

    def _error_page(status: int, title: str, message: str):
        db.session.rollback()  # whatever the request began is undone
        return render_template("errors/500.html", status=status, title=title,
                               message=message, back=way_back()), status  # fmt: skip

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc):
        # Busy (a long lock) or unreachable: say so, never the SQL.
        app.logger.exception("database unavailable: %s", exc)
        return _error_page(503, "Basis data sedang sibuk", "Basis data sedang sibuk atau tidak "
                           "dapat dihubungi, sehingga tindakan Anda belum tersimpan. Tunggu "
                           "sebentar lalu coba lagi.")  # fmt: skip

    @app.errorhandler(500)
    def _server_error(_exc):
        return _error_page(500, "Terjadi kesalahan", "Terjadi kesalahan pada sistem sehingga "
                           "tindakan Anda belum tersimpan. Kesalahan ini sudah dicatat; hubungi "
                           "admin bila berulang.")  # fmt: skip

    return admin
