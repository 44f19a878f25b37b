"""User management and acting appointments (Plt./Plh.): the admin's pages only."""

import re

from flask_admin.contrib.sqla import filters
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from admin_views.base import SecureModelView
from admin_views.export import ExportMixin
from admin_views.i18n import AdminBaseForm
from models import ActingAppointment, Role, User, db
from models.accounts import APPOINTMENT_KINDS, ROLE_LABELS, format_nip, normalize_nip
from models.contacts import Normalized, format_whatsapp, normalize_email, normalize_whatsapp
from models.dates import format_date_short, format_moment
from models.passwords import password_problem

ROLE_CHOICES = [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role]
USERNAME_RE = re.compile(r"^[a-z0-9._-]{2,40}$")


def _role_label(_view, _context, model, _name):
    return ROLE_LABELS[Role(model.role)]


class UserForm(AdminBaseForm):
    username = StringField(
        "Nama pengguna",
        validators=[DataRequired("Nama pengguna wajib diisi.")],
        description="Huruf kecil, angka, titik, garis bawah atau tanda hubung; 2–40 karakter.",
    )
    full_name = StringField(
        "Nama lengkap dan gelar",
        validators=[DataRequired("Nama lengkap wajib diisi."), Length(max=120)],
    )
    nip = StringField("NIP", description="18 digit, boleh ditulis dengan spasi.")
    position = StringField(
        "Jabatan", validators=[DataRequired("Jabatan wajib diisi."), Length(max=200)]
    )
    rank = StringField("Pangkat/golongan", validators=[Length(max=80)])
    role = SelectField("Peran", choices=ROLE_CHOICES)
    email = StringField("Email (untuk notifikasi)", validators=[Normalized(normalize_email)])
    whatsapp = StringField("Nomor WhatsApp (untuk notifikasi)",
                           validators=[Normalized(normalize_whatsapp)],
                           description="Nomor seluler, mis. 0812-3456-7890.")  # fmt: skip
    active = BooleanField("Aktif", default=True)
    password = PasswordField(
        "Kata sandi baru",
        description="Wajib untuk akun baru; minimal 15 karakter, bukan kata sandi umum dan "
        "tanpa nama Anda (frasa beberapa kata mudah diingat). Pada akun lama, kosongkan bila "
        "tidak diganti; semua sesi pengguna itu berakhir bila diganti.",
    )
    password_confirm = PasswordField(
        "Ulangi kata sandi baru",
        validators=[EqualTo("password", "Kedua kata sandi tidak sama.")],
    )

    def populate_obj(self, obj):
        # The password fields are not columns: on_model_change hashes the new one.
        for name, field in self._fields.items():
            if name not in ("password", "password_confirm"):
                field.populate_obj(obj, name)

    def _editing_id(self):
        return getattr(self._obj, "id", None)

    def validate_username(self, field):
        field.data = (field.data or "").strip().lower()
        if not USERNAME_RE.match(field.data):
            raise ValidationError(
                "Nama pengguna hanya boleh huruf kecil, angka, titik, garis bawah atau tanda "
                "hubung (2–40 karakter)."
            )
        query = select(User.id).where(User.username == field.data)
        if self._editing_id():
            query = query.where(User.id != self._editing_id())
        if db.session.scalar(query):
            raise ValidationError("Nama pengguna ini sudah dipakai.")

    def validate_nip(self, field):
        try:
            field.data = normalize_nip(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if field.data is None:
            return
        query = select(User.id).where(User.nip == field.data)
        if self._editing_id():
            query = query.where(User.id != self._editing_id())
        if db.session.scalar(query):
            raise ValidationError("NIP ini sudah terdaftar pada pengguna lain.")

    def validate_password(self, field):
        if not field.data:
            if self._editing_id() is None:
                raise ValidationError("Kata sandi wajib diisi untuk akun baru.")
            return
        own = (self.username.data, self.full_name.data, self.nip.data)
        if problem := password_problem(field.data, own):
            raise ValidationError(problem)

    def validate_role(self, field):
        if self._obj is not None and self._obj.id == current_user.id and field.data != "admin":
            raise ValidationError("Anda tidak dapat mencabut peran administrator Anda sendiri.")

    def validate_active(self, field):
        if self._obj is not None and self._obj.id == current_user.id and not field.data:
            raise ValidationError("Anda tidak dapat menonaktifkan akun Anda sendiri.")


class UserView(ExportMixin, SecureModelView):
    """Accounts: create, edit role/position/NIP, reset password, deactivate — never delete.
    Filtered by role it is also the Tim Teknis's membership list."""

    roles = ("admin",)
    export_name = "pengguna"
    can_export = True  # Flask-Admin's Ekspor menu, answered by ExportMixin
    can_delete = False
    can_view_details = True
    form = UserForm
    column_list = ("username", "full_name", "nip", "position", "rank", "role", "active")
    column_details_list = (*column_list, "email", "whatsapp", "created_at")
    column_labels = {
        "username": "Nama pengguna",
        "full_name": "Nama lengkap",
        "nip": "NIP",
        "position": "Jabatan",
        "rank": "Pangkat/golongan",
        "role": "Peran",
        "active": "Aktif",
        "email": "Email",
        "whatsapp": "WhatsApp",
        "created_at": "Dibuat",
    }
    column_searchable_list = ("username", "full_name", "nip")
    column_filters = (
        filters.FilterEqual(User.role, "Peran", options=[(r.value, ROLE_LABELS[r]) for r in Role]),
        filters.BooleanEqualFilter(User.active, "Aktif"),
    )
    column_default_sort = "full_name"
    column_formatters = {
        "role": _role_label,
        "nip": lambda v, c, m, n: format_nip(m.nip),
        "created_at": lambda v, c, m, n: format_moment(m.created_at),
        "whatsapp": lambda v, c, m, n: format_whatsapp(m.whatsapp),
    }
    column_formatters_detail = column_formatters

    def on_model_change(self, form, model, is_created):
        if form.password.data:
            model.set_password(form.password.data)

    def export_rows(self, query):
        headers = ("Nama pengguna", "Nama lengkap", "NIP", "Jabatan", "Pangkat/golongan",
                   "Peran", "Aktif")  # fmt: skip
        rows = [(u.username, u.full_name, format_nip(u.nip), u.position, u.rank,
                 ROLE_LABELS.get(u.role, u.role), "Ya" if u.active else "Tidak")
                for u in query]  # fmt: skip
        return headers, iter([rows])


class AppointmentForm(AdminBaseForm):
    user_id = SelectField(
        "Pegawai", coerce=int, validators=[DataRequired("Pilih pegawai yang ditugaskan.")]
    )
    kind = SelectField(
        "Jenis penugasan",
        choices=[SelectChoice("Plt.", "Plt. (pelaksana tugas — jabatan kosong)"),
                 SelectChoice("Plh.", "Plh. (pelaksana harian — pejabat berhalangan)")],
    )  # fmt: skip
    role = SelectField("Bertindak sebagai", choices=ROLE_CHOICES)
    position = StringField(
        "Jabatan yang dilaksanakan",
        validators=[DataRequired("Jabatan wajib diisi."), Length(max=200)],
    )
    starts_on = DateField(
        "Mulai tanggal", validators=[DataRequired("Tanggal mulai wajib diisi (hh-bb-tttt).")]
    )
    ends_on = DateField(
        "Sampai tanggal", validators=[DataRequired("Tanggal selesai wajib diisi (hh-bb-tttt).")]
    )
    basis = TextAreaField("Dasar (nomor surat perintah)", validators=[Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = db.session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.full_name)
        )
        self.user_id.choices = [SelectChoice(u.id, f"{u.full_name} — {u.position}") for u in users]

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("Tanggal selesai tidak boleh sebelum tanggal mulai.")

    def validate_role(self, field):
        user = db.session.get(User, self.user_id.data) if self.user_id.data else None
        if user is not None and user.role == field.data:
            raise ValidationError("Pegawai ini sudah memegang peran tersebut.")
        if field.data == "admin":
            raise ValidationError("Peran administrator tidak dapat dilaksanakan sebagai Plt./Plh.")

    def validate_kind(self, field):
        if field.data not in APPOINTMENT_KINDS:
            raise ValidationError("Jenis penugasan tidak dikenal.")


class AppointmentView(ExportMixin, SecureModelView):
    """Acting appointments: who signs as Plt./Plh. of which post, and when."""

    roles = ("admin",)
    export_name = "penugasan-plt-plh"
    can_export = True
    can_delete = False  # end an appointment by setting its end date
    form = AppointmentForm
    column_list = ("user", "kind", "role", "position", "starts_on", "ends_on", "basis")
    column_labels = {
        "user": "Pegawai",
        "kind": "Jenis",
        "role": "Bertindak sebagai",
        "position": "Jabatan",
        "starts_on": "Mulai",
        "ends_on": "Sampai",
        "basis": "Dasar",
    }
    column_default_sort = ("starts_on", True)
    column_formatters = {"role": _role_label}
    column_filters = ("kind", "role", "starts_on", "ends_on")

    def get_query(self):
        # The list and its export show each row's official: in the same statement.
        return super().get_query().options(joinedload(ActingAppointment.user))

    def export_rows(self, query):
        headers = ("Pegawai", "Jenis", "Bertindak sebagai", "Jabatan", "Mulai", "Sampai",
                   "Dasar")  # fmt: skip
        rows = [(a.user.full_name, a.kind, ROLE_LABELS.get(a.role, a.role), a.position,
                 format_date_short(a.starts_on), format_date_short(a.ends_on), a.basis or "")
                for a in query]  # fmt: skip
        return headers, iter([rows])
