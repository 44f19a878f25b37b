"""Riwayat administrasi: the admin's read-only list of changes to the configuration."""

from flask_admin.contrib.sqla import filters
from markupsafe import Markup, escape

from admin_views.base import SecureModelView
from admin_views.export import ExportMixin
from models.audit import ACTIONS
from models.dates import DAYS, format_moment, format_value

TABLE_LABELS = {
    "user": "Pengguna", "acting_appointment": "Plt./Plh.", "calendar_day": "Kalender kerja",
    "office_hours": "Jam kantor", "agency_settings": "Kop surat dan penomoran",
    "channel": "Kanal", "platform": "Platform media sosial", "jenis": "Jenis pengaduan",
    "disposition_mark": "Tanda disposisi", "sop": "SOP", "sop_step": "Langkah SOP",
    "sop_outcome": "Hasil langkah SOP", "complaint_class": "Kelas pengaduan",
    "other_agency": "Instansi tujuan pelimpahan",
    "answer_template": "Templat jawaban",
}  # fmt: skip


# The columns' names as the admin pages call them; any other column shows its own name.
FIELD_LABELS = {
    "code": "Kode", "name": "Nama", "ordering": "Urutan", "active": "Aktif",
    "sop_code": "SOP", "needs_platform": "Perlu platform",
    "needs_tracking_number": "Perlu no. LAPOR!", "username": "Nama pengguna",
    "full_name": "Nama lengkap", "position": "Jabatan", "rank": "Pangkat/golongan",
    "role": "Peran", "password_hash": "Kata sandi", "kind": "Jenis", "starts_on": "Mulai",
    "ends_on": "Sampai", "basis": "Dasar", "number": "Nomor SOP", "revision": "Revisi",
    "effective_on": "Tgl Efektif", "revised_on": "Tgl Revisi", "draft": "Draf",
    "no": "Nomor langkah", "actor": "Pelaksana", "co_actor": "Dipimpin oleh",
    "activity": "Kegiatan", "short_name": "Nama singkat", "input_doc": "Kelengkapan",
    "time_minutes": "Waktu (menit)", "time_working_days": "Waktu (hari kerja)",
    "output": "Output", "label": "Nama hasil", "form": "Formulir",
    "next_step_no": "Lanjut ke langkah", "ends": "Berakhir di", "document": "Dokumen",
    "only_after": "Hanya setelah", "limit_days": "Batas waktu (hari kerja)", "address": "Alamat",
    "weekday": "Hari", "is_open": "Buka", "opens": "Jam buka", "closes": "Jam tutup",
    "nip": "NIP", "email": "Email", "whatsapp": "WhatsApp", "password_changed_at":
    "Kata sandi diganti", "notify_email": "Notifikasi email", "notify_whatsapp":
    "Notifikasi WhatsApp", "subject": "Hal", "body": "Isi surat",
}  # fmt: skip


# A column whose stored value is a code or another row's id: what the admin pages show
# instead (a kind's label, a role's name, the row's own name).
def _code_labels():
    from models.accounts import ROLE_LABELS
    from models.kinds import DOCUMENT_TITLES, FORM_LABELS
    from models.sop import ACTOR_LABELS, ENDS_LABELS

    return {"form": FORM_LABELS, "document": DOCUMENT_TITLES, "actor": ACTOR_LABELS,
            "co_actor": ACTOR_LABELS, "ends": ENDS_LABELS, "weekday": dict(enumerate(DAYS)),
            "role": {str(k): v for k, v in ROLE_LABELS.items()}}  # fmt: skip


def _referenced(field: str, value):
    """The name of the row an id column points to (None: not such a column, or gone)."""
    from models import Jenis, Sop, SopStep, User, db

    rows = {"step_id": (SopStep, lambda r: f"{r.sop.code} rev. {r.sop.revision} langkah {r.no}"),
            "sop_id": (Sop, lambda r: f"{r.code} rev. {r.revision}"),
            "user_id": (User, lambda r: r.full_name),
            "jenis_id": (Jenis, lambda r: r.name)}  # fmt: skip
    if field not in rows or not isinstance(value, int):
        return None
    model, name = rows[field]
    row = db.session.get(model, value)
    return name(row) if row is not None else None


# The same column name meaning another thing in one table.
TABLE_FIELD_LABELS = {("sop_outcome", "position"): "Urutan",
                      ("sop_outcome", "code"): "Kode (untuk sistem)",
                      ("sop_outcome", "only_after"): "Hanya ditawarkan setelah",
                      ("sop", "code"): "Kode SOP", ("sop", "draft"): "Status",
                      ("sop_step", "closing"): "Tahap penutup"}  # fmt: skip
ID_LABELS = {"step_id": "Langkah SOP", "sop_id": "SOP", "user_id": "Pegawai", "jenis_id": "Jenis"}


def _field_label(table: str, field: str) -> str:
    from models.sop_revision import HEADER_LABELS

    if table == "sop" and field in HEADER_LABELS:
        return TABLE_FIELD_LABELS.get((table, field)) or HEADER_LABELS[field]
    return (TABLE_FIELD_LABELS.get((table, field)) or FIELD_LABELS.get(field)
            or ID_LABELS.get(field, field))  # fmt: skip


def _table_value_labels(table: str) -> dict:
    """Values a column of this table holds that mean more than their words: a revision's
    draft flag is its status, a step's closing kind its stage."""
    from models.sop_revision import CLOSING_LABELS

    return {"sop": {"draft": {True: "draf (belum berlaku)", False: "diterbitkan"}},
            "sop_step": {"closing": CLOSING_LABELS}}.get(table, {})  # fmt: skip


def _outcome_names(changes: dict) -> dict[str, str]:
    """The names of the outcomes a recorded `only_after` lists: those of the outcome's own SOP
    where its step is known (a created or deleted outcome records it), else of any SOP."""
    from sqlalchemy import select

    from models import SopOutcome, SopStep, db

    codes = {code for value in changes.get("only_after") or () if isinstance(value, str)
             for code in value.split(",") if code}  # fmt: skip
    if not codes:
        return {}
    steps = [v for v in changes.get("step_id") or () if isinstance(v, int)]
    own = set(db.session.scalars(select(SopStep.sop_id).where(SopStep.id.in_(steps))))
    names = {}
    for code, label, sop_id in db.session.execute(
        select(SopOutcome.code, SopOutcome.label, SopStep.sop_id).join(SopStep)
        .where(SopOutcome.code.in_(codes)).order_by(SopOutcome.id)):  # fmt: skip
        if code not in names or sop_id in own:
            names[code] = label
    return names


def _change_lines(changes: dict, table: str = "") -> list[tuple[str, str, str]]:
    """(field, old, new) of a recorded change, as the admin pages say it: the field by its page
    name, codes by their labels, ids by the name of their row, yes/no in words, an empty value
    as a dash — never a bare id or code."""
    labels, own = _code_labels(), _table_value_labels(table)
    outcomes = _outcome_names(changes or {})

    def shown(field, value):
        if value in own.get(field, {}):
            return own[field][value]
        if isinstance(value, bool):
            return "Ya" if value else "Tidak"
        if value in (None, ""):
            return "—"
        if field == "only_after" and isinstance(value, str):
            return ", ".join(outcomes.get(code, code) for code in value.split(","))
        if field in labels:
            return labels[field].get(value, value)
        return _referenced(field, value) or format_value(value)

    return [(_field_label(table, field), shown(field, old), shown(field, new))
            for field, (old, new) in (changes or {}).items()
            if field != "id"]  # the row's own id: the Baris column names the row  # fmt: skip


def _changes_text(changes: dict, table: str = "") -> str:
    return "; ".join(f"{field}: {old} → {new}"
                     for field, old, new in _change_lines(changes, table))  # fmt: skip


def _changes_cell(_view, _context, model, _name):
    lines = [Markup("{}: {} → {}").format(*line)
             for line in _change_lines(model.changes, model.table)]  # fmt: skip
    return Markup("<br>").join(lines) if lines else escape("")


class AdminChangeView(ExportMixin, SecureModelView):
    """Who changed what in the administration, when, from what to what."""

    roles = ("admin",)
    export_name = "riwayat-administrasi"
    can_create = can_edit = can_delete = False
    column_list = ("at", "actor_name", "action", "table", "summary", "changes")
    column_labels = {"at": "Waktu", "actor_name": "Oleh", "action": "Tindakan", "table": "Data",
                     "summary": "Baris", "changes": "Perubahan (lama → baru)"}  # fmt: skip
    column_default_sort = [("at", True), ("id", True)]
    column_sortable_list = ("at",)
    column_searchable_list = ("actor_name", "summary")
    column_formatters = {
        "at": lambda v, c, m, n: format_moment(m.at),
        "action": lambda v, c, m, n: m.action_label,
        "table": lambda v, c, m, n: TABLE_LABELS.get(m.table, m.table),
        "changes": _changes_cell,
    }

    def __init__(self, model, *args, **kwargs):
        self.column_filters = [
            filters.FilterEqual(model.table, "Data", options=list(TABLE_LABELS.items())),
            filters.FilterEqual(model.action, "Tindakan", options=list(ACTIONS.items())),
        ]
        super().__init__(model, *args, **kwargs)

    def export_rows(self, query):
        headers = ("Waktu (WIB)", "Oleh", "Tindakan", "Data", "Baris", "Perubahan")

        def chunks():
            rows = []
            for change in query.yield_per(1000):
                rows.append((format_moment(change.at), change.actor_name, change.action_label,
                             TABLE_LABELS.get(change.table, change.table), change.summary,
                             _changes_text(change.changes, change.table)))  # fmt: skip
                if len(rows) == 1000:
                    yield rows
                    rows = []
            yield rows

        return headers, chunks()


class IdentityRevealView(ExportMixin, SecureModelView):
    """Every time an official opened a hidden complainant's identity: who, when, why."""

    roles = ("admin",)
    export_name = "pembukaan-identitas"
    can_create = can_edit = can_delete = False
    column_list = ("at", "user", "complaint", "reason")
    column_labels = {"at": "Waktu", "user": "Pejabat", "complaint": "Pengaduan",
                     "reason": "Alasan"}  # fmt: skip
    column_default_sort = [("at", True), ("id", True)]
    column_sortable_list = ("at",)
    column_formatters = {"at": lambda v, c, m, n: format_moment(m.at)}

    def get_query(self):
        from sqlalchemy.orm import joinedload

        return super().get_query().options(joinedload(self.model.user),
                                           joinedload(self.model.complaint))  # fmt: skip

    def export_rows(self, query):
        headers = ("Waktu (WIB)", "Pejabat", "Pengaduan", "Alasan")

        def chunks():
            yield [(format_moment(r.at), r.user.full_name, r.complaint.reg_number, r.reason)
                   for r in query]  # fmt: skip

        return headers, chunks()
