"""The agency's letterhead (kop), logo, paper size and numbering patterns: the admin's page."""

from flask import flash, redirect, request, url_for
from flask_admin import expose
from wtforms import BooleanField, FileField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from admin_views.base import SecureView
from admin_views.i18n import AppForm
from models import db
from models.settings import INVITATION_SIGNERS, agency_settings

MAX_LOGO_BYTES = 1024 * 1024
LOGO_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
TEXT_FIELDS = ("government", "agency", "agency_short", "division", "address", "phone", "fax",
               "website", "email", "city", "place", "postcode", "head_position", "unit_code",
               "registration_number_pattern", "letter_number_pattern")  # fmt: skip


def _required(label):
    return [InputRequired(f"{label} wajib diisi."), Length(max=300)]


def _pattern_check(field):
    value = field.data or ""
    if "{seq" not in value:
        raise ValidationError("Pola nomor harus memuat {seq} (nomor urut).")
    try:
        value.format(seq=1, year=2026, unit_code="417.514.3")
    except (KeyError, ValueError, IndexError):
        raise ValidationError(
            "Pola nomor hanya boleh memakai {seq}, {year} dan {unit_code}, mis. "
            "065/{seq}/{unit_code}/{year}."
        ) from None


class SettingsForm(AppForm):
    government = StringField("Pemerintah", validators=_required("Nama pemerintah daerah"))
    agency = TextAreaField(
        "Nama dinas",
        validators=_required("Nama dinas"),
        description="Pada kop: tiap baris di sini menjadi satu baris kop.",
    )
    agency_short = StringField("Singkatan dinas", validators=_required("Singkatan dinas"))
    division = StringField("Bidang pemilik SOP", validators=_required("Nama bidang"))
    address = TextAreaField("Alamat", validators=_required("Alamat"))
    phone = StringField("Telepon", validators=[Length(max=60)])
    fax = StringField("Faksimile", validators=[Length(max=60)])
    website = StringField("Situs web", validators=[Length(max=120)])
    email = StringField("Email", validators=[Length(max=120)])
    city = StringField("Kota (di bawah kop)", validators=_required("Kota"))
    place = StringField("Tempat pada tanggal surat", validators=_required("Tempat"))
    postcode = StringField("Kode pos", validators=[Length(max=10)])
    head_position = TextAreaField("Jabatan Kepala Dinas", validators=_required("Jabatan"))
    paper_size = SelectField(
        "Ukuran kertas",
        choices=[
            SelectChoice("F4", "F4 / Folio (215 × 330 mm)"),
            SelectChoice("A4", "A4 (210 × 297 mm)"),
        ],
    )
    invitation_signer = SelectField(
        "Penanda tangan undangan rapat koordinasi",
        choices=[SelectChoice(code, label) for code, label in INVITATION_SIGNERS.items()],
        default="kadis",
    )
    unit_code = StringField("Kode unit pada nomor", validators=_required("Kode unit"))
    registration_number_pattern = StringField(
        "Pola nomor registrasi", validators=_required("Pola nomor registrasi")
    )
    letter_number_pattern = StringField(
        "Pola nomor surat keluar", validators=_required("Pola nomor surat")
    )
    logo = FileField("Logo (PNG/JPEG, maks. 1 MB)")
    remove_logo = BooleanField("Hapus logo")  # fmt: skip
    logo_content: bytes | None = None
    logo_mime: str | None = None

    def validate_registration_number_pattern(self, field):
        _pattern_check(field)

    def validate_letter_number_pattern(self, field):
        _pattern_check(field)

    def validate_logo(self, field):
        storage = request.files.get("logo")
        self.logo_content = self.logo_mime = None
        if not storage or not storage.filename:
            return
        content = storage.read(MAX_LOGO_BYTES + 1)
        storage.close()
        if len(content) > MAX_LOGO_BYTES:
            raise ValidationError("Logo melebihi 1 MB.")
        mime = next((m for magic, m in LOGO_TYPES if content.startswith(magic)), None)
        if mime is None:
            raise ValidationError("Logo harus berkas PNG atau JPEG.")
        self.logo_content, self.logo_mime = content, mime


class SettingsView(SecureView):
    """Edit the single settings row; documents print with it from the next render on."""

    roles = ("admin",)

    @expose("/", methods=("GET", "POST"))
    def index(self):
        settings = agency_settings()
        form = SettingsForm(obj=settings) if request.method == "GET" else SettingsForm()
        if request.method == "POST" and form.validate():
            for name in TEXT_FIELDS:
                setattr(settings, name, (getattr(form, name).data or "").strip())
            settings.paper_size = form.paper_size.data
            settings.invitation_signer = form.invitation_signer.data
            if form.remove_logo.data:
                settings.logo = settings.logo_mime = None
            elif form.logo_content:
                settings.logo, settings.logo_mime = form.logo_content, form.logo_mime
            db.session.commit()
            flash("Pengaturan kop surat disimpan.", "success")
            return redirect(url_for(".index"))
        status = 400 if request.method == "POST" else 200
        has_logo = bool(settings.logo_mime)
        return self.render("admin/settings.html", form=form, has_logo=has_logo), status
