"""The complaint lists' export: every row the list shows, in one pass from its own query."""

from flask_login import current_user
from sqlalchemy import (
    String,
    and_,
    case,
    func,
    or_,
    true,
    type_coerce,
)
from sqlalchemy.orm import aliased

from admin_views.complaint_lists import stage_text
from admin_views.export import CHUNK, FORMULA_STARTS, ExportMixin, neutralise
from models import (
    Channel,
    Complaint,
    Jenis,
    Platform,
    Sop,
    SopStep,
    db,
)
from models.complaint import CLOSURES, STATUSES
from models.dates import (
    format_stored_moment,
)
from models.deadlines import deadline_case
from models.documents import (
    MASK,
)
from models.identity import (
    sees_identities,
)
from models.lapor import class_label
from models.types import utcnow

EXPORT_HEADERS = (
    "No. Registrasi", "Diterima (WIB)", "Kanal", "Platform", "No. LAPOR!",
    "Klasifikasi LAPOR!", "Kategori LAPOR!", "Jenis", "SOP",
    "Status", "Langkah saat ini", "Batas waktu (WIB)", "Status waktu", "Nama pengadu",
    "Kontak", "Alamat", "Pokok pengaduan", "Uraian",
)  # fmt: skip


class _Made(dict):
    """A dict that makes a missing value with `make(key)` and keeps it."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


class ComplaintExport(ExportMixin):
    """CSV and XLSX of a complaint list, as filtered, searched and sorted (admin_views/export)."""

    export_name = "pengaduan"
    export_rows_are_safe = True  # export_rows() neutralises every value it writes

    def export_rows(self, query):
        """The list's complaints in chunks of rows; identities masked when anonymous or
        confidential; every value safe from spreadsheet formulas.

        The list's own query (scope, filters, search, order) with only the exported columns:
        masking and the deadline label are worked out by the database, moments are read as
        the driver returns them, and each row is built in one pass (a million rows cost
        about twice a raw dump of the same columns; bench/scale.py).
        """
        platform, open_step = aliased(Platform), aliased(SopStep)
        hidden = or_(Complaint.is_anonymous, Complaint.is_confidential)
        if not sees_identities(current_user):  # the Tim Teknis: no identity on any row
            hidden = true()

        def shown(column):
            return case((hidden, MASK), else_=func.coalesce(column, ""))

        columns = query.with_entities(
            Complaint.reg_number, type_coerce(Complaint.received_at, String), Channel.name,
            func.coalesce(platform.name, ""), func.coalesce(Complaint.lapor_tracking_no, ""),
            func.coalesce(Complaint.lapor_classification, ""),
            func.coalesce(Complaint.lapor_category, ""), Jenis.name, Sop.code, Sop.revision,
            Complaint.status, Complaint.closed_as, open_step.no,
            open_step.short_name, type_coerce(Complaint.due_at, String),
            deadline_case(utcnow()), shown(Complaint.complainant_name),
            shown(Complaint.complainant_contact), shown(Complaint.complainant_address),
            Complaint.subject, Complaint.description,
        ).join(Channel, Channel.id == Complaint.channel_id).join(
            Jenis, Jenis.id == Complaint.jenis_id).join(Sop, Sop.id == Complaint.sop_id
        ).outerjoin(platform, platform.id == Complaint.platform_id).outerjoin(
            open_step, and_(open_step.sop_id == Complaint.sop_id,
                            open_step.no == Complaint.current_step_no))  # fmt: skip
        result = db.session.connection().execute(
            columns.statement.execution_options(yield_per=CHUNK)
        )
        moment, starts = format_stored_moment, FORMULA_STARTS
        # Master data, SOP and stage labels take few values: each is made once, then looked up.
        label = _Made(neutralise)
        sop = _Made(lambda key: neutralise(f"{key[0]} rev. {key[1]}"))
        stage = _Made(lambda key: neutralise(stage_text(*key)))
        status_label = _Made(lambda key: CLOSURES[key[1]] if key[1] else STATUSES[key[0]])
        klass = _Made(lambda key: neutralise(class_label(key)))

        def chunks():
            for part in result.partitions():
                yield [(
                    "'" + number if number[:1] in starts else number, moment(received),
                    label[channel], label[platform_name],
                    "'" + lapor if lapor[:1] in starts else lapor, klass[lapor_class],
                    label[category], label[jenis],
                    sop[code, revision], status_label[status, closed_as],
                    stage[code, status_label[status, closed_as], step_no, step_name],
                    moment(due) if due else "-", state,
                    "'" + name if name[:1] in starts else name,
                    "'" + contact if contact[:1] in starts else contact,
                    "'" + address if address[:1] in starts else address,
                    "'" + subject if subject[:1] in starts else subject,
                    "'" + text if text[:1] in starts else text,
                ) for (number, received, channel, platform_name, lapor, lapor_class, category,
                       jenis, code, revision,
                       status, closed_as, step_no, step_name, due, state, name, contact, address,
                       subject,
                       text) in part]  # fmt: skip

        return EXPORT_HEADERS, chunks()
