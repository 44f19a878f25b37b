"""Riwayat administrasi: the admin's read-only list of changes to the configuration."""

from flask_admin.contrib.sqla import filters
from markupsafe import Markup, escape

from admin_views.base import SecureModelView
from admin_views.export import ExportMixin
from models.audit import ACTIONS
from models.dates import format_moment

TABLE_LABELS = {
    "user": "Pengguna", "acting_appointment": "Plt./Plh.", "calendar_day": "Kalender kerja",
    "office_hours": "Jam kantor", "agency_settings": "Kop surat dan penomoran",
    "channel": "Kanal", "platform": "Platform media sosial", "jenis": "Jenis pengaduan",
    "disposition_mark": "Tanda disposisi", "sop": "SOP", "sop_step": "Langkah SOP",
    "sop_outcome": "Hasil langkah SOP", "complaint_class": "Kelas pengaduan",
    "other_agency": "Instansi tujuan pelimpahan",
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
}  # fmt: skip


def _change_lines(changes: dict) -> list[tuple[str, str, str]]:
    """(field, old, new) of a recorded change: the field by its page name, yes/no in words,
    an empty value shown as a dash."""

    def shown(value):
        if isinstance(value, bool):
            return "Ya" if value else "Tidak"
        return "—" if value in (None, "") else value

    return [(FIELD_LABELS.get(field, field), shown(old), shown(new))
            for field, (old, new) in (changes or {}).items()]  # fmt: skip


def _changes_text(changes: dict) -> str:
    return "; ".join(f"{field}: {old} → {new}" for field, old, new in _change_lines(changes))


def _changes_cell(_view, _context, model, _name):
    lines = [Markup("{}: {} → {}").format(*line) for line in _change_lines(model.changes)]
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
                             _changes_text(change.changes)))  # fmt: skip
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
