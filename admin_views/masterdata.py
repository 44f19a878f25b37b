"""Master data as the admin's lists: channels, platforms, jenis, disposition marks, complaint
classes, agencies to forward to and the answer letters' templates.

A row is never deleted: complaints and printed dispositions refer to it. Deactivating it
("Nonaktifkan") takes it off the forms (they offer only `active` rows) while every complaint
and document that used it keeps showing it. Its `code` is fixed once saved. Every change is
written to the Riwayat administrasi by the session hook of models/audit.py.
"""

import re

from flask import abort, flash, has_app_context
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import filters
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from admin_views.base import SecureModelView
from admin_views.export import ExportMixin
from admin_views.i18n import AdminBaseForm
from models import db
from models.params import parse_id
from models.sop import sop_codes

CODE_RE = re.compile(r"^[a-z0-9_]{1,40}$")
YES_NO = {True: "Ya", False: "Tidak"}
CONFIRM_DEACTIVATE = ("Nonaktifkan baris terpilih? Baris itu tidak lagi ditawarkan pada "
                      "formulir; pengaduan dan dokumen yang sudah memakainya tetap "
                      "menampilkannya.")  # fmt: skip
CONFIRM_ACTIVATE = "Aktifkan kembali baris terpilih? Baris itu akan ditawarkan lagi pada formulir."


def active_left(model, leaving: list[int]) -> int:
    """How many rows of `model` stay active when the rows `leaving` are deactivated."""
    query = select(func.count(model.id)).where(model.active.is_(True))
    if leaving:
        query = query.where(model.id.not_in(leaving))
    return db.session.scalar(query)


def _sop_filter_options():
    if not has_app_context():  # Flask-Admin builds its filter cache at start-up
        return []
    return [(code, code) for code in sop_codes()]


class LookupForm(AdminBaseForm):
    """Code, name, place in the pick list and whether it is offered; the code only on create."""

    code = StringField(
        "Kode",
        validators=[InputRequired("Kode wajib diisi.")],
        description="Huruf kecil, angka dan garis bawah, tanpa spasi (maks. 40 karakter). "
        "Tidak dapat diubah setelah disimpan.",
    )
    name = StringField(
        "Nama",
        validators=[InputRequired("Nama wajib diisi."),
                    Length(max=120, message="Nama paling banyak 120 karakter.")],
    )  # fmt: skip
    ordering = IntegerField(
        "Urutan",
        validators=[InputRequired("Urutan wajib diisi (bilangan bulat)."),
                    NumberRange(0, 9999, "Urutan harus bilangan bulat 0–9999.")],
        description="Urutan pada daftar pilihan; angka kecil tampil lebih dulu.",
    )  # fmt: skip
    active = BooleanField(
        "Aktif",
        default=True,
        description="Hanya baris aktif yang ditawarkan pada formulir. Pengaduan dan dokumen "
        "yang sudah memakainya tetap menampilkannya.",
    )

    model = None  # set per view by LookupView.form
    noun = "baris"

    def __init__(self, formdata=None, obj=None, **kwargs):
        super().__init__(formdata, obj, **kwargs)
        if obj is not None:  # the code is fixed once saved
            self.code.render_kw = {"readonly": True}
            self.code.description = "Kode tidak dapat diubah setelah disimpan."
        elif formdata is None and self.ordering.data is None:
            last = db.session.scalar(select(func.max(self.model.ordering)))
            self.ordering.data = 0 if last is None else last + 1

    def populate_obj(self, obj):
        for name, field in self._fields.items():
            if name != "code" or self._obj is None:
                field.populate_obj(obj, name)

    def validate_code(self, field):
        if self._obj is not None:
            field.data = self._obj.code  # whatever was posted: the code stays
            return
        field.data = (field.data or "").strip().lower()
        if not CODE_RE.match(field.data):
            raise ValidationError("Kode hanya boleh huruf kecil, angka dan garis bawah, tanpa "
                                  "spasi, paling banyak 40 karakter.")  # fmt: skip
        if db.session.scalar(select(self.model.id).where(self.model.code == field.data)):
            raise ValidationError(f"Kode {field.data} sudah dipakai oleh {self.noun} lain.")

    def validate_name(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("Nama wajib diisi.")

    def validate_active(self, field):
        if field.data or self._obj is None or not self._obj.active:
            return
        if active_left(self.model, [self._obj.id]) == 0:
            raise ValidationError(f"Sedikitnya satu {self.noun} harus tetap aktif.")


class ChannelForm(LookupForm):
    """A channel also names its SOP and what the front office must fill in for it."""

    sop_code = SelectField("SOP", validate_choice=False)
    needs_platform = BooleanField(
        "Perlu platform", description="Petugas FO wajib memilih platform media sosial."
    )
    needs_tracking_number = BooleanField(
        "Perlu no. LAPOR!", description="Petugas FO wajib mengisi nomor pelacakan LAPOR!."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sop_code.choices = [SelectChoice("", "— pilih SOP —")] + [
            SelectChoice(code, code) for code in sop_codes(published_only=True)
        ]

    def validate_sop_code(self, field):
        known = [c.value for c in field.choices if c.value]
        if field.data not in known:
            raise ValidationError(f"Pilih SOP yang terdaftar: {', '.join(known)}.")


class ComplaintClassForm(LookupForm):
    """A class also sets the overall limit of its complaints, in working days from receipt."""

    limit_days = IntegerField(
        "Batas waktu (hari kerja)",
        validators=[InputRequired("Batas waktu wajib diisi (bilangan bulat)."),
                    NumberRange(1, 60, "Batas waktu 1–60 hari kerja (Perpres 76/2013: paling "
                                       "lama 60 hari).")],
        description="Sejak pengaduan diterima. Mengubahnya berlaku bagi pengaduan yang "
                    "kelasnya ditetapkan sesudahnya.",
    )  # fmt: skip


class OtherAgencyForm(LookupForm):
    """An agency complaints are forwarded to, with the address its letter carries."""

    address = TextAreaField(
        "Alamat",
        validators=[InputRequired("Alamat wajib diisi."),
                    Length(max=500, message="Alamat paling banyak 500 karakter.")],
        description="Dicetak pada Surat Pelimpahan (di …).",
    )  # fmt: skip


class AnswerTemplateForm(LookupForm):
    """A template of the answer letter: for a jenis (or every jenis), its Hal and its body,
    with placeholders filled from the complaint when the Kasi picks it."""

    jenis_id = SelectField("Jenis", coerce=str, validate_choice=False,
                           description="Ditawarkan untuk pengaduan jenis ini; kosong: semua "
                                       "jenis.")  # fmt: skip
    subject = StringField(
        "Hal",
        validators=[InputRequired("Hal wajib diisi."),
                    Length(max=300, message="Hal paling banyak 300 karakter.")],
    )  # fmt: skip
    body = TextAreaField(
        "Isi surat",
        validators=[InputRequired("Isi surat wajib diisi."),
                    Length(max=20000, message="Isi surat paling banyak 20.000 karakter.")],
        render_kw={"rows": 12},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        from models.answer_templates import PLACEHOLDERS
        from models.masterdata import Jenis, offered

        super().__init__(*args, **kwargs)
        self.jenis_id.choices = [SelectChoice("", "— semua jenis —")] + [
            SelectChoice(str(j.id), j.name) for j in offered(Jenis)
        ]
        if self.jenis_id.data in (None, "None"):
            self.jenis_id.data = ""
        self.body.description = (
            "Penanda yang diisi otomatis: "
            + "; ".join(f"{{{name}}} = {meaning}" for name, meaning in PLACEHOLDERS.items())
            + ". Penutup surat (Demikian …) ditambahkan pada Surat Dinas bila isi tidak memuatnya."
        )

    def validate_jenis_id(self, field):
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError("Pilih jenis dari daftar.")

    def _placeholders_known(self, field):
        from models.answer_templates import PLACEHOLDERS, unknown_placeholders

        unknown = unknown_placeholders(field.data)
        if unknown:
            raise ValidationError(
                f"Penanda tidak dikenal: {', '.join('{' + u + '}' for u in unknown)}. Yang "
                f"tersedia: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}.")  # fmt: skip

    validate_subject = _placeholders_known
    validate_body = _placeholders_known

    def populate_obj(self, obj):
        super().populate_obj(obj)
        obj.jenis_id = parse_id(self.jenis_id.data)


class LookupView(ExportMixin, SecureModelView):
    """One list of master data: create, edit, (de)activate, filter, export; never delete."""

    roles = ("admin",)
    can_delete = False  # rows are deactivated; see delete_view
    can_export = True  # Flask-Admin's Ekspor menu, answered by ExportMixin
    form_class = LookupForm
    noun = "baris"
    column_list = ("code", "name", "ordering", "active")
    column_labels = {"code": "Kode", "name": "Nama", "ordering": "Urutan", "active": "Aktif",
                     "sop_code": "SOP", "needs_platform": "Perlu platform",
                     "needs_tracking_number": "Perlu no. LAPOR!",
                     "limit_days": "Batas (hari kerja)", "address": "Alamat"}  # fmt: skip
    column_sortable_list = ("code", "name", "ordering", "active")
    column_searchable_list = ("code", "name")
    column_filters = ("active",)
    column_default_sort = [("ordering", False), ("name", False), ("id", False)]
    form_rules = ("code", "name", "ordering", "active")
    live_filter_choices = True  # the channels' SOP filter reads the sop table

    def __init__(self, model, *args, **kwargs):
        self.form = type(self.form_class.__name__, (self.form_class,),
                         {"model": model, "noun": self.noun})  # fmt: skip
        self.export_name = kwargs.get("url") or model.__tablename__
        super().__init__(model, *args, **kwargs)

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        """Refuse: master data is deactivated, never deleted (Flask-Admin would only redirect).

        :raise 404: always
        """
        abort(404)

    def export_columns(self) -> list[tuple[str, object]]:
        """(header, value of a row) for each exported column, in the list's order."""

        def shown(name):
            def value(row):
                data = getattr(row, name)
                return YES_NO[data] if isinstance(data, bool) else str(data)

            return value

        return [(str(self.column_labels[name]), shown(name)) for name in self.column_list]

    def export_rows(self, query):
        columns = self.export_columns()

        def chunks():
            rows = []
            for row in query.yield_per(1000):
                rows.append([value(row) for _header, value in columns])
                if len(rows) == 1000:
                    yield rows
                    rows = []
            yield rows

        return [header for header, _value in columns], chunks()

    # -- deactivate / reactivate -----------------------------------------------------------
    def _set_active(self, ids, active: bool, done: str):
        wanted = {parse_id(x) for x in ids} - {None}
        query = self.get_query().filter(self.model.id.in_(wanted),
                                        self.model.active.is_(not active))  # fmt: skip
        rows = query.order_by(self.model.ordering, self.model.name).all() if wanted else []
        if not rows:
            flash(f"Tidak ada {self.noun} terpilih yang perlu di{done}.", "warning")
            return
        if not active and active_left(self.model, [r.id for r in rows]) == 0:
            flash(f"Tidak dapat dinonaktifkan: sedikitnya satu {self.noun} harus tetap aktif.",
                  "error")  # fmt: skip
            return
        for row in rows:
            row.active = active
        db.session.commit()
        names = ", ".join(row.name for row in rows)
        flash(f"{len(rows)} {self.noun} di{done}: {names}.", "success")

    @action("nonaktifkan", "Nonaktifkan", CONFIRM_DEACTIVATE)
    def action_deactivate(self, ids):
        """Take the selected rows off the forms."""
        self._set_active(ids, False, "nonaktifkan")

    @action("aktifkan", "Aktifkan", CONFIRM_ACTIVATE)
    def action_activate(self, ids):
        """Offer the selected rows on the forms again."""
        self._set_active(ids, True, "aktifkan")


class ChannelView(LookupView):
    """Kanal pengaduan: where complaints come in, and the SOP that handles them."""

    form_class = ChannelForm
    noun = "kanal"
    column_list = ("code", "name", "sop_code", "needs_platform", "needs_tracking_number",
                   "ordering", "active")  # fmt: skip
    column_sortable_list = ("code", "name", "sop_code", "ordering", "active")
    form_rules = ("code", "name", "sop_code", "needs_platform", "needs_tracking_number",
                  "ordering", "active")  # fmt: skip

    def __init__(self, model, *args, **kwargs):
        self.column_filters = [
            filters.BooleanEqualFilter(model.active, "Aktif"),
            filters.FilterEqual(model.sop_code, "SOP", options=_sop_filter_options),
        ]
        super().__init__(model, *args, **kwargs)


class PlatformView(LookupView):
    """Platform media sosial: the platforms of the social-media channel."""

    noun = "platform"


class JenisView(LookupView):
    """Jenis pengaduan: pengaduan, keluhan, masalah, saran, pertanyaan, informasi."""

    noun = "jenis"


class DispositionMarkView(LookupView):
    """Tanda disposisi: the tick boxes offered on the Kepala Dinas's lembar disposisi."""

    noun = "tanda disposisi"


class ComplaintClassView(LookupView):
    """Kelas pengaduan: ringan, normatif, …, each with its overall limit in working days."""

    form_class = ComplaintClassForm
    noun = "kelas pengaduan"
    column_list = ("code", "name", "limit_days", "ordering", "active")
    form_rules = ("code", "name", "limit_days", "ordering", "active")


class OtherAgencyView(LookupView):
    """Instansi tujuan pelimpahan: where complaints that are not ours are forwarded."""

    form_class = OtherAgencyForm
    noun = "instansi"
    column_list = ("code", "name", "address", "ordering", "active")
    form_rules = ("code", "name", "address", "ordering", "active")


class AnswerTemplateView(LookupView):
    """Templat jawaban: what the answer letter starts from, by jenis."""

    form_class = AnswerTemplateForm
    noun = "templat"
    column_list = ("code", "name", "jenis", "subject", "ordering", "active")
    column_labels = {**LookupView.column_labels, "jenis": "Jenis", "subject": "Hal"}
    column_formatters = {"jenis": lambda _v, _c, row, _n: row.jenis.name if row.jenis
                         else "Semua jenis"}  # fmt: skip
    form_rules = ("code", "name", "jenis_id", "subject", "body", "ordering", "active")
