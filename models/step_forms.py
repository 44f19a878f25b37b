"""The small form of every kind of step outcome (SopOutcome.form; the kinds: models/kinds.py),
and attachment checks.

Each form knows which complaint it is for; `record_data()` is what the history keeps.
"""

import hashlib
from datetime import datetime

from sqlalchemy import select
from werkzeug.utils import secure_filename
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Form,
    MultipleFileField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from models import db
from models.accounts import Role, User, users_holding
from models.actors import invitees
from models.complaint import MeetingInvitee, StepRecord
from models.dates import WIB, format_date, to_wib
from models.kinds import FORM_KINDS
from models.masterdata import (
    Channel,
    ComplaintClass,
    DispositionMark,
    Jenis,
    Platform,
    offered,
)
from models.types import utcnow
from models.words import bind_clean_text_field, wtforms_translations

SIFAT = ("Biasa", "Segera", "Sangat Segera", "Rahasia")
MEDIA = ("Surat melalui pos", "Diserahkan langsung", "Surat elektronik (email)", "WhatsApp",
         "Balasan di media sosial", "Aplikasi LAPOR!")  # fmt: skip
MAX_FILES = 5
MAX_FILE_BYTES = 5 * 1024 * 1024
SIGNATURES = (  # what a file's first bytes must be, by the type it claims
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)


def _required(label: str):
    return DataRequired(f"{label} wajib diisi.")


class AtLeastOne:
    """A list of boxes of which at least one must be ticked: flagged required, so that the
    form marks it before it is sent."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            raise StopValidation(self.message)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AttachmentsField(MultipleFileField):
    """The files of a registration or a citizen's complaint. A form shown again with errors
    lists the files already kept for it (`held`, models/held_uploads.py: sent back with the
    form, each may be removed) and names those to be chosen again (`lost`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held, self.lost = [], []


class StepForm(Form):
    """Base of the step forms: Indonesian messages, the complaint, the outcome's addressee."""

    class Meta:
        def get_translations(self, form):
            return wtforms_translations()

        def bind_field(self, form, unbound_field, options):
            return bind_clean_text_field(unbound_field, form, options)

    def __init__(self, formdata=None, complaint=None, to_role: str | None = None,
                 who: dict | None = None, now: datetime | None = None, **kwargs):  # fmt: skip
        self.complaint = complaint
        self.to_role = to_role
        # The moment of the action: dates are judged against it (a meeting not before its
        # day, a letter not sent in the future), so that a step recorded for the past is too.
        self.now = now or utcnow()
        self.today = to_wib(self.now).date()
        # The complainant as the reader's page shows them (documents.complainant): what a
        # form may prefill; None or masked: nothing of the identity.
        self.who = who
        # A form opened, not sent back: what an earlier step wrote may be carried into it.
        self.fresh = formdata is None
        super().__init__(formdata=formdata, **kwargs)
        self.setup()

    def setup(self) -> None:
        """Fill choices from the database."""

    def record_data(self) -> dict:
        return {}

    def note_text(self) -> str:
        return ""

    def after_record(self, record: StepRecord) -> None:
        """Write rows that belong to the record (e.g. meeting invitations)."""


def _user_choices(role: str, on) -> list[SelectChoice]:
    return [SelectChoice(u.id, f"{u.full_name} — {u.position}") for u in users_holding(role, on)]


def _user_snapshot(user_id: int) -> dict:
    user = db.session.get(User, user_id)
    return {"id": user.id, "name": user.full_name, "position": user.position,
            "rank": user.rank, "nip": user.nip}  # fmt: skip


class AddresseeMixin:
    """A "to" field listing whoever holds the role of the stage the outcome leads to."""

    def _setup_addressee(self):
        role = self.to_role or Role.KABID
        self.to_user.choices = _user_choices(role, self.today)
        if self.to_user.data is None and self.to_user.choices:
            self.to_user.data = self.to_user.choices[0].value

    def validate_to_user(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("Pilih pejabat tujuan dari daftar.")


class SubmitForm(StepForm):
    """Step 1: the complainant's submission; nothing to fill in."""


class RegisterForm(StepForm):
    """Step 2: the front office registers what came in."""

    channel_id = SelectField("Kanal", coerce=int, validators=[InputRequired("Pilih kanal.")])
    platform_id = SelectField("Platform media sosial", coerce=int, validate_choice=False)
    lapor_tracking_no = StringField("Nomor pelacakan LAPOR!", validators=[Length(max=40)])
    jenis_id = SelectField("Jenis", coerce=int, validators=[InputRequired("Pilih jenis.")])
    received_at = DateTimeLocalField(
        "Diterima pada (WIB)", format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Waktu diterima wajib diisi (tanggal dan jam).")],
    )  # fmt: skip
    complainant_name = StringField("Nama pengadu", validators=[Length(max=200)])
    complainant_contact = StringField("Kontak (telepon/email/akun)", validators=[Length(max=200)])
    complainant_address = TextAreaField("Alamat", validators=[Length(max=1000)])
    is_anonymous = BooleanField("Anonim (identitas pengadu dirahasiakan)")
    is_confidential = BooleanField("Rahasia (seluruh laporan terbatas)")
    subject = StringField("Pokok pengaduan", validators=[_required("Pokok pengaduan"),
                                                         Length(max=300)])  # fmt: skip
    description = TextAreaField(
        "Uraian", validators=[_required("Uraian pengaduan"), Length(max=20000)]
    )
    attachments = AttachmentsField("Lampiran (gambar atau PDF, maks. 5 berkas @ 5 MB)")
    class_id = SelectField(
        "Kelas pengaduan", coerce=int, validate_choice=False,
        description="Menentukan batas waktu penyelesaian sejak diterima; dapat ditentukan "
                    "atau diubah kemudian oleh Kabid.",
    )  # fmt: skip

    def setup(self):
        self.channel_id.choices = [SelectChoice(c.id, c.name) for c in offered(Channel)]
        self.platform_id.choices = [SelectChoice(0, "—")] + [
            SelectChoice(p.id, p.name) for p in offered(Platform)
        ]
        self.jenis_id.choices = [SelectChoice(j.id, j.name) for j in offered(Jenis)]
        self.class_id.choices = [SelectChoice(0, "— belum ditentukan —")] + [
            SelectChoice(c.id, c.label) for c in offered(ComplaintClass)
        ]
        if self.received_at.data is None and not self.received_at.raw_data:
            self.received_at.data = to_wib(self.now).replace(second=0, microsecond=0, tzinfo=None)

    def _channel(self) -> Channel | None:
        return db.session.get(Channel, self.channel_id.data) if self.channel_id.data else None

    def validate_platform_id(self, field):
        channel = self._channel()
        if channel is not None and channel.needs_platform and not field.data:
            raise ValidationError(f"Pilih platform untuk kanal {channel.name}.")
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError("Platform tidak dikenal.")

    def validate_lapor_tracking_no(self, field):
        field.data = (field.data or "").strip()
        channel = self._channel()
        if channel is not None and channel.needs_tracking_number and not field.data:
            raise ValidationError("Nomor pelacakan LAPOR! wajib diisi untuk kanal ini.")

    def validate_class_id(self, field):
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError("Kelas pengaduan tidak dikenal.")

    def validate_received_at(self, field):
        if field.data is None:
            return
        moment = field.data.replace(tzinfo=WIB)
        if moment > self.now.astimezone(WIB):
            raise ValidationError("Waktu diterima tidak boleh di masa depan.")
        if moment.year < 2000:
            raise ValidationError("Waktu diterima tidak masuk akal.")

    def validate_complainant_name(self, field):
        field.data = (field.data or "").strip()
        if not field.data and not self.is_anonymous.data:
            raise ValidationError("Nama pengadu wajib diisi, atau tandai sebagai anonim.")

    def received_at_utc(self) -> datetime:
        return self.received_at.data.replace(tzinfo=WIB)

    def complaint_fields(self) -> dict:
        return {
            "channel_id": self.channel_id.data,
            "platform_id": self.platform_id.data or None,
            "jenis_id": self.jenis_id.data,
            "lapor_tracking_no": self.lapor_tracking_no.data or None,
            "received_at": self.received_at_utc(),
            "complainant_name": self.complainant_name.data or "Anonim",
            "complainant_contact": (self.complainant_contact.data or "").strip(),
            "complainant_address": (self.complainant_address.data or "").strip(),
            "is_anonymous": self.is_anonymous.data,
            "is_confidential": self.is_confidential.data,
            "subject": self.subject.data.strip(),
            "description": self.description.data.strip(),
            "class_id": self.class_id.data or None,
        }


class DispositionForm(AddresseeMixin, StepForm):
    """The Kepala Dinas's lembar disposisi: marks, instruction, to the Kabid."""

    sifat = SelectField("Sifat", choices=[SelectChoice(s, s) for s in SIFAT])
    marks = MultiCheckboxField(
        "Dengan hormat harap",
        validate_choice=False,
        description="Centang sedikitnya satu.",
        validators=[AtLeastOne("Centang sedikitnya satu isian 'Dengan hormat harap'.")],
    )
    to_user = SelectField("Diteruskan kepada", coerce=int, validate_choice=False)
    instruction = TextAreaField(
        "Catatan / arahan", validators=[_required("Catatan disposisi"), Length(max=5000)]
    )

    def setup(self):
        self._setup_addressee()
        self.marks.choices = [SelectChoice(m.code, m.name) for m in offered(DispositionMark)]

    def validate_marks(self, field):  # none ticked: AtLeastOne
        known = {c.value for c in field.choices}
        if set(field.data) - known:
            raise ValidationError("Ada isian disposisi yang tidak dikenal.")

    def record_data(self):
        labels = {c.value: c.label for c in self.marks.choices}
        return {"sifat": self.sifat.data, "marks": [labels[m] for m in self.marks.data],
                "to": _user_snapshot(self.to_user.data),
                "instruction": self.instruction.data.strip()}  # fmt: skip

    def note_text(self):
        return self.instruction.data.strip()


class OrderForm(AddresseeMixin, StepForm):
    """The Kabid's order (disposisi penyelesaian) to the Kasi."""

    sifat = SelectField("Sifat", choices=[SelectChoice(s, s) for s in SIFAT])
    to_user = SelectField("Kepada", coerce=int, validate_choice=False)
    instruction = TextAreaField(
        "Perintah / arahan", validators=[_required("Perintah"), Length(max=5000)]
    )

    def setup(self):
        self._setup_addressee()

    def record_data(self):
        return {"sifat": self.sifat.data, "to": _user_snapshot(self.to_user.data),
                "instruction": self.instruction.data.strip()}  # fmt: skip

    def note_text(self):
        return self.instruction.data.strip()


class ResumeForm(StepForm):
    """The Kabid's resume to the Kepala Dinas (telaahan staf, short form)."""

    matter = TextAreaField(
        "Pokok persoalan", validators=[_required("Pokok persoalan"), Length(max=5000)]
    )
    facts = TextAreaField("Fakta dan data", validators=[Length(max=10000)])
    analysis = TextAreaField("Analisis", validators=[Length(max=10000)])
    conclusion = TextAreaField("Kesimpulan", validators=[_required("Kesimpulan"), Length(max=5000)])
    recommendation = TextAreaField(
        "Saran tindak", validators=[_required("Saran tindak"), Length(max=5000)]
    )

    def setup(self):
        """After a coordination meeting the resume starts from its Berita Acara: the matter
        is the complaint's, the facts the meeting's discussion, the analysis its
        considerations, the conclusion its conclusion — for the Kabid to edit."""
        minutes = latest_minutes(self.complaint) if self.fresh and self.complaint else None
        if minutes is None:
            return
        self.matter.data = self.complaint.subject
        self.facts.data = minutes.data.get("discussion", "")
        self.analysis.data = minutes.data.get("considerations", "")
        self.conclusion.data = minutes.data.get("conclusion", "")
        self.conclusion.description = (
            f"Dari Berita Acara {minutes.document_number or ''} rapat koordinasi; sesuaikan "
            "bila perlu.")  # fmt: skip

    def record_data(self):
        keys = ("matter", "facts", "analysis", "conclusion", "recommendation")
        return {k: (getattr(self, k).data or "").strip() for k in keys}

    def note_text(self):
        return self.conclusion.data.strip()


def latest_minutes(complaint) -> StepRecord | None:
    """The complaint's latest Berita Acara of a coordination meeting, if it had one."""
    return db.session.scalar(
        select(StepRecord)
        .where(StepRecord.complaint_id == complaint.id, StepRecord.document == "berita_acara")
        .order_by(StepRecord.seq.desc())
        .limit(1)
    )


class StudyForm(StepForm):
    """The Kepala Dinas studies the resume (SOP.50 step 8)."""

    note = TextAreaField(
        "Catatan Kepala Dinas", validators=[_required("Catatan"), Length(max=5000)]
    )

    def record_data(self):
        return {"note": self.note.data.strip()}

    def note_text(self):
        return self.note.data.strip()


class AnswerForm(StepForm):
    """The written answer to the complainant: the content of the Surat Dinas."""

    sifat = SelectField("Sifat", choices=[SelectChoice(s, s) for s in SIFAT])
    enclosure = StringField("Lampiran", default="-", validators=[Length(max=100)])
    subject = StringField("Hal", validators=[_required("Hal"), Length(max=300)])
    addressee = StringField("Kepada Yth.", validators=[_required("Penerima"), Length(max=200)])
    addressee_place = StringField("di", default="Tempat", validators=[Length(max=200)])
    body = TextAreaField(
        "Isi jawaban",
        validators=[_required("Isi jawaban"), Length(max=20000)],
        render_kw={"rows": 12},
    )  # a letter: room to read it whole
    signatory = SelectField("Penandatangan", coerce=int, validate_choice=False)
    copies = TextAreaField("Tembusan (satu per baris)", validators=[Length(max=2000)])

    def setup(self):
        self.signatory.choices = (_user_choices(Role.KADIS, self.today)
                                  + _user_choices(Role.KABID, self.today))  # fmt: skip
        if self.signatory.data is None and self.signatory.choices:
            self.signatory.data = self.signatory.choices[0].value
        c = self.complaint
        if c is not None and not self.subject.data:
            self.subject.data = f"Jawaban atas pengaduan nomor {c.reg_number}"
        shown = self.who is not None and not self.who["masked"]
        if c is not None and not self.addressee.data and shown:
            self.addressee.data = f"Sdr. {self.who['name']}"
        if self.who is not None and self.who["masked"]:
            self.addressee.description = (
                "Identitas pengadu dirahasiakan. Buka identitas (tercatat) untuk mengisi nama "
                "penerima, atau tulis sapaan umum, mis. Sdr. Pengadu.")  # fmt: skip

    def validate_signatory(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("Pilih penandatangan dari daftar.")

    def record_data(self):
        return {
            "sifat": self.sifat.data,
            "enclosure": (self.enclosure.data or "-").strip(),
            "subject": self.subject.data.strip(),
            "addressee": self.addressee.data.strip(),
            "addressee_place": (self.addressee_place.data or "").strip(),
            "body": self.body.data.strip(),
            "signatory": _user_snapshot(self.signatory.data),
            "copies": [x.strip() for x in (self.copies.data or "").splitlines() if x.strip()],
        }

    def note_text(self):
        return self.subject.data.strip()


class MeetingWhen(StepForm):
    """When and where a coordination meeting takes place (called or moved)."""

    day = DateField("Hari/tanggal", validators=[InputRequired("Tanggal rapat wajib diisi.")])
    start = TimeField("Pukul (WIB)", validators=[InputRequired("Jam rapat wajib diisi.")])
    place = StringField("Tempat", validators=[_required("Tempat rapat"), Length(max=200)])

    def validate_day(self, field):
        if field.data and field.data < self.today:
            raise ValidationError("Tanggal rapat tidak boleh sebelum hari ini.")

    def when_data(self) -> dict:
        return {"day": self.day.data.isoformat(), "start": self.start.data.strftime("%H:%M"),
                "place": self.place.data.strip()}  # fmt: skip


class MeetingForm(MeetingWhen):
    """The Kasi calls a coordination meeting (rakor) of the Tim Teknis."""

    agenda = TextAreaField("Acara", validators=[_required("Acara rapat"), Length(max=2000)])
    invitees = MultiCheckboxField("Anggota Tim Teknis yang diundang", coerce=int,
                                  validate_choice=False)  # fmt: skip

    def setup(self):
        self.invitees.choices = _user_choices(Role.TIM_TEKNIS, self.today)

    def validate_invitees(self, field):
        if not field.data:
            raise ValidationError("Undang sedikitnya satu anggota Tim Teknis.")
        if set(field.data) - {c.value for c in field.choices}:
            raise ValidationError("Yang diundang harus anggota Tim Teknis.")

    def record_data(self):
        return {**self.when_data(), "agenda": self.agenda.data.strip(),
                "invitees": [_user_snapshot(i) for i in self.invitees.data]}  # fmt: skip

    def note_text(self):
        return self.agenda.data.strip()

    def after_record(self, record):
        for user_id in self.invitees.data:
            db.session.add(MeetingInvitee(complaint_id=record.complaint_id, record_id=record.id,
                                          user_id=user_id))  # fmt: skip


class MoveMeetingForm(MeetingWhen):
    """A meeting already called moves (a new day, time or place, and why); opened with the
    invitation in force (`current`: its record's data)."""

    reason = TextAreaField("Alasan perubahan (dimuat dalam undangan perubahan)",
                           validators=[_required("Alasan perubahan"),
                                       Length(max=1000)])  # fmt: skip

    def __init__(self, formdata=None, current: dict | None = None, **kwargs):
        self.current = current or {}
        super().__init__(formdata, **kwargs)

    def setup(self):
        if self.fresh and self.current.get("day"):
            self.day.data = datetime.fromisoformat(self.current["day"]).date()
            self.start.data = datetime.strptime(self.current.get("start", "09:00"), "%H:%M").time()
            self.place.data = self.current.get("place", "")

    def validate_place(self, field):
        if self.day.data and self.start.data and self.current:
            unchanged = {k: self.current.get(k) for k in ("day", "start", "place")}
            if self.when_data() == unchanged:
                raise ValidationError("Hari, jam atau tempat rapat belum diubah.")


class MinutesForm(StepForm):
    """The Berita Acara of the coordination meeting."""

    attendees = MultiCheckboxField("Yang hadir", coerce=int, validate_choice=False)
    discussion = TextAreaField(
        "Pembahasan", validators=[_required("Pembahasan"), Length(max=20000)]
    )
    considerations = TextAreaField(
        "Pertimbangan pemecahan masalah", validators=[_required("Pertimbangan"), Length(max=20000)]
    )
    conclusion = TextAreaField("Kesimpulan", validators=[_required("Kesimpulan"),
                                                         Length(max=10000)])  # fmt: skip

    def setup(self):
        people = invitees(self.complaint.id) if self.complaint is not None else []
        for role in (Role.KABID, Role.KASI):
            people += users_holding(role, self.today)
        unique = list(dict.fromkeys(people))
        self.attendees.choices = [SelectChoice(u.id, f"{u.full_name} — {u.position}")
                                  for u in unique]  # fmt: skip
        if self.fresh and self.complaint is not None:  # those invited came, unless unticked
            self.attendees.data = [u.id for u in invitees(self.complaint.id)]

    def validate_attendees(self, field):
        if not field.data:
            raise ValidationError("Centang sedikitnya satu peserta yang hadir.")
        if set(field.data) - {c.value for c in field.choices}:
            raise ValidationError("Peserta harus dari daftar undangan rapat.")

    def record_data(self):
        return {"attendees": [_user_snapshot(i) for i in self.attendees.data],
                "discussion": self.discussion.data.strip(),
                "considerations": self.considerations.data.strip(),
                "conclusion": self.conclusion.data.strip()}  # fmt: skip

    def note_text(self):
        return self.conclusion.data.strip()


class DispatchForm(StepForm):
    """The front office records that the answer letter was sent."""

    sent_on = DateField("Tanggal kirim", validators=[InputRequired("Tanggal kirim wajib diisi.")])
    medium = SelectField("Dikirim melalui", choices=[SelectChoice(m, m) for m in MEDIA])
    note = TextAreaField("Keterangan (mis. nomor resi)", validators=[Optional(), Length(max=1000)])

    def setup(self):
        if self.sent_on.data is None and not self.sent_on.raw_data:
            self.sent_on.data = self.today

    def validate_sent_on(self, field):
        if field.data and field.data > self.today:
            raise ValidationError("Tanggal kirim tidak boleh di masa depan.")
        if field.data and self.complaint is not None and self.complaint.step_started_at:
            if field.data < to_wib(self.complaint.step_started_at).date():
                raise ValidationError("Tanggal kirim tidak boleh sebelum jawaban dibuat.")

    def record_data(self):
        return {"sent_on": self.sent_on.data.isoformat(), "medium": self.medium.data,
                "note": (self.note.data or "").strip()}  # fmt: skip

    def note_text(self):
        return f"{self.medium.data}, {format_date(self.sent_on.data)}"


# Each form kind's class, as the registry names it (models/kinds.py).
FORM_CLASSES = {kind.code: globals()[kind.form_class] for kind in FORM_KINDS}


def read_upload(storage) -> dict | str:
    """Read an uploaded file; return its attachment fields, or why it is refused."""
    name = storage.filename or "lampiran"
    content = storage.read(MAX_FILE_BYTES + 1)
    storage.close()
    if len(content) > MAX_FILE_BYTES:
        return f"Berkas '{name}' melebihi 5 MB."
    if not content:
        return f"Berkas '{name}' kosong."
    found = next(((m, e) for magic, m, e in SIGNATURES if content.startswith(magic)), None)
    if found is None:
        return f"Berkas '{name}' bukan gambar (PNG/JPEG/GIF) atau PDF."
    mime, ext = found
    safe = secure_filename(name)[:200] or "lampiran"
    if not safe.lower().endswith(ext) and not (ext == ".jpg" and safe.lower().endswith(".jpeg")):
        safe = safe.rsplit(".", 1)[0] + ext
    return {"filename": safe, "mime_type": mime, "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(), "content": content}  # fmt: skip


def read_uploads(storages, already: int = 0) -> tuple[list[dict], list[str]]:
    """Read every non-empty upload, beside `already` files kept from an earlier try; return the
    files and the problems found."""
    files, problems = [], []
    storages = [s for s in storages if s and s.filename]
    if len(storages) + already > MAX_FILES:
        kept = f" ({already} sudah terlampir)" if already else ""
        return [], [f"Paling banyak {MAX_FILES} berkas lampiran{kept}."]
    for storage in storages:
        result = read_upload(storage)
        (problems.append if isinstance(result, str) else files.append)(result)
    return files, problems


def attachment_problems(files) -> list[str]:
    """Problems of already-read files (given as dicts, e.g. by tests and seeds)."""
    problems = []
    if len(files) > MAX_FILES:
        problems.append(f"Paling banyak {MAX_FILES} berkas lampiran.")
    for f in files:
        if f["size"] > MAX_FILE_BYTES:
            problems.append(f"Berkas '{f['filename']}' melebihi 5 MB.")
    return problems


def format_size(size: int) -> str:
    """``120 KB``, ``1,5 MB``: a file's size as a page shows it."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
