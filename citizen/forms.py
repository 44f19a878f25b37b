"""The public complaint form: what a citizen fills in at /lapor/, and how a bot is told apart.

A bot is caught two ways that cost a citizen nothing: a field people never see (`website`,
hidden by the stylesheet, labelled for screen readers as one to leave empty) must stay
empty, and the form must not come back sooner than SUBMIT_MIN_SECONDS after it was opened
(the moment rides in the form, signed with the app's key, so it cannot be forged). Either
refusal says so in Indonesian and shows the form again with everything typed.
"""

import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from admin_views.i18n import AppForm
from models import db
from models.contacts import Normalized, normalize_email, normalize_whatsapp
from models.masterdata import Jenis
from models.step_forms import MAX_FILES, AttachmentsField


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="public-form-opened")


def opened_token(now: float | None = None) -> str:
    """The signed moment the form was opened."""
    return _signer().dumps(round(now if now is not None else time.time(), 3))


def seconds_open(token: str, now: float | None = None) -> float | None:
    """How long ago the form of `token` was opened; None when the token is not ours."""
    try:
        opened = float(_signer().loads(token or ""))
    except (BadSignature, TypeError, ValueError):
        return None
    return (now if now is not None else time.time()) - opened


class PublicComplaintForm(AppForm):
    jenis_id = SelectField("Jenis", coerce=int, validators=[InputRequired("Pilih jenis.")])
    subject = StringField("Pokok pengaduan", validators=[
        DataRequired("Pokok pengaduan wajib diisi."), Length(max=300)])  # fmt: skip
    description = TextAreaField("Uraian", validators=[
        DataRequired("Uraian wajib diisi: ceritakan apa, di mana, kapan."),
        Length(max=20000)])  # fmt: skip
    is_anonymous = BooleanField("Anonim: jangan simpan identitas saya")
    is_confidential = BooleanField("Rahasia: isi pengaduan hanya untuk pejabat yang menangani")
    name = StringField("Nama", validators=[Length(max=200)])
    email = StringField("Email", validators=[Normalized(normalize_email)])
    whatsapp = StringField("Nomor WhatsApp", validators=[Normalized(normalize_whatsapp)])
    address = TextAreaField("Alamat", validators=[Length(max=1000)])
    attachments = AttachmentsField(
        f"Lampiran (gambar PNG/JPEG/GIF atau PDF, paling banyak {MAX_FILES} berkas @ 5 MB)"
    )
    consent = BooleanField(
        "Saya telah membaca pemberitahuan privasi dan setuju data saya diolah untuk "
        "menangani pengaduan ini.",
        validators=[DataRequired("Centang persetujuan pemberitahuan privasi.")],
    )
    website = StringField("Kosongkan isian ini")  # the honeypot
    opened = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.jenis_id.choices = [
            SelectChoice(j.id, j.name)
            for j in db.session.scalars(
                select(Jenis).where(Jenis.active.is_(True)).order_by(Jenis.ordering)
            )
        ]

    def validate_name(self, field):
        field.data = (field.data or "").strip()
        if not field.data and not self.is_anonymous.data:
            raise ValidationError("Nama wajib diisi, atau pilih anonim.")

    def fields(self) -> dict:
        """The submission's fields (models/submission.submit), as typed and checked."""
        return {
            "jenis_id": self.jenis_id.data,
            "subject": self.subject.data.strip(),
            "description": self.description.data.strip(),
            "name": self.name.data or "",
            "email": self.email.data or "",
            "whatsapp": self.whatsapp.data or "",
            "address": (self.address.data or "").strip(),
            "is_anonymous": bool(self.is_anonymous.data),
            "is_confidential": bool(self.is_confidential.data),
        }

    def bot_refusal(self) -> str | None:
        """Why this looks like a bot's form, in Indonesian; None when it does not."""
        if (self.website.data or "").strip():  # emptied: a person (whose browser filled
            self.website.data = ""  # it) sends again; a bot fills it again
            return ("Formulir ini tampak diisi oleh program otomatis. Isian Anda masih ada; "
                    "periksa, lalu kirim lagi.")  # fmt: skip
        elapsed = seconds_open(self.opened.data)
        if elapsed is None:
            self.opened.data = opened_token()
            return "Formulir ini tidak dapat dibaca. Periksa isian Anda, lalu kirim lagi."
        if elapsed < float(current_app.config.get("SUBMIT_MIN_SECONDS") or 0):
            return ("Formulir terkirim terlalu cepat setelah dibuka. Periksa isian Anda, lalu "
                    "kirim lagi.")  # fmt: skip
        return None
