"""The complaint lists' export: every row the list shows, in one pass from its own query."""

from datetime import datetime, timedelta

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
from admin_views.export import (
    CHUNK,
    FORMULA_STARTS,
    MOMENT_FORMAT,
    ExportMixin,
    neutralise,
    read_ahead,
)
from models import (
    Channel,
    Complaint,
    ComplaintClass,
    Jenis,
    Platform,
    Sop,
    SopStep,
    db,
)
from models.complaint import CLOSURES, STATUSES, follow_up_text
from models.dates import MONTHS_SHORT
from models.deadlines import LABELS, OVERALL_LABELS, deadline_case
from models.documents import (
    MASK,
)
from models.identity import (
    sees_identities,
)
from models.lapor import class_label
from models.types import utcnow

# The CSV's columns; a moment's column is followed by the same moment in ISO 8601 on the office
# clock ("2026-12-02 14:30"), which any program reads whatever its regional settings.
EXPORT_HEADERS = (
    "No. Registrasi", "Diterima (WIB)", "Diterima (ISO)", "Kanal", "Platform", "No. LAPOR!",
    "Klasifikasi LAPOR!", "Kategori LAPOR!", "Jenis", "Kelas", "SOP",
    "Status", "Langkah saat ini", "Batas waktu (WIB)", "Batas waktu (ISO)",
    "Status waktu", "Tanggal selesai (WIB)", "Tanggal selesai (ISO)", "Lama sampai selesai (hari)",
    "Tepat waktu/Terlambat",
    "Diteruskan kepada", "Tindak lanjut", "Nama pengadu", "Kontak", "Alamat",
    "Pokok pengaduan", "Uraian",
)  # fmt: skip
# The XLSX's: the same, its moments real date cells, so without the ISO columns.
XLSX_HEADERS = tuple(h for h in EXPORT_HEADERS if not h.endswith("(ISO)"))
XLSX_MOMENTS = {
    XLSX_HEADERS.index(h): MOMENT_FORMAT
    for h in ("Diterima (WIB)", "Batas waktu (WIB)", "Tanggal selesai (WIB)")
}

_WIB = timedelta(hours=7)  # WIB has kept UTC+7, without daylight saving, since 1964


def wib_naive(value: str | datetime | None) -> datetime | None:
    """A moment as the driver returns it (SQLite's naive UTC text, PostgreSQL's aware
    datetime) as a naive datetime on the office clock, the way a spreadsheet holds it."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value) + _WIB
    return value.replace(tzinfo=None) - value.utcoffset() + _WIB


def utc_text(column):
    """A moment column as its UTC text, "2026-12-02 07:30:00…", whichever the database:
    SQLite keeps it so; PostgreSQL writes it (on the server, beside the Python that turns it
    into the office's clock once per hour of it: texts() in export_table)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI:SS.US")
    return type_coerce(column, String)


def overall_case(now: datetime):
    """`models.deadlines.overall_state` as SQL, giving its label: a closed complaint against its
    class's limit (OVERALL_LABELS), an open one as `deadline_of` its class's due moment
    (LABELS); "" without a class. tests/test_export_formats.py holds the two together."""
    return case(
        (Complaint.class_due_at.is_(None), ""),
        (Complaint.status == "closed", case(
            (Complaint.closed_at <= Complaint.class_due_at, OVERALL_LABELS["met"]),
            else_=OVERALL_LABELS["missed"])),
        (Complaint.class_due_at < now, LABELS["overdue"]),
        (Complaint.class_due_soon_at <= now, LABELS["due_soon"]),
        else_=LABELS["on_time"],
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
        """The CSV's headers and chunks of rows (export_table)."""
        headers, chunks, _formats = self.export_table(query, "csv")
        return headers, chunks

    def export_table(self, query, fmt):
        """The list's complaints in chunks of rows; identities masked when anonymous or
        confidential; every text safe from spreadsheet formulas. CSV: every moment as the list
        shows it and in ISO; XLSX: as a date cell.

        The list's own query (scope, filters, search, order) with only the exported columns:
        masking and the deadline labels are worked out by the database, moments are read as
        the driver returns them, and each row is built in one pass.

        Diteruskan kepada and Tindak lanjut: what the engine keeps on the complaint's row
        (workflow.summarise), the answer's opening only where the identity is shown.
        Tepat waktu/Terlambat: the complaint against its class's overall
        limit from receipt (overall_state, as its page says it), not a single step's standard.
        Lama sampai selesai: whole calendar days from receipt to closing (a number).
        """
        platform, open_step = aliased(Platform), aliased(SopStep)
        hidden = or_(Complaint.is_anonymous, Complaint.is_confidential)
        if not sees_identities(current_user):  # the Tim Teknis: no identity on any row
            hidden = true()

        def shown(column):
            return case((hidden, MASK), else_=func.coalesce(column, ""))

        now = utcnow()
        columns = query.with_entities(
            Complaint.id, case((hidden, True), else_=False),
            Complaint.reg_number, utc_text(Complaint.received_at), Channel.name,
            func.coalesce(platform.name, ""), func.coalesce(Complaint.lapor_tracking_no, ""),
            func.coalesce(Complaint.lapor_classification, ""),
            func.coalesce(Complaint.lapor_category, ""), Jenis.name, ComplaintClass.name,
            ComplaintClass.limit_days, Sop.code, Sop.revision,
            Complaint.status, Complaint.closed_as, open_step.no,
            open_step.short_name, utc_text(Complaint.due_at),
            deadline_case(now), utc_text(Complaint.closed_at), overall_case(now),
            shown(Complaint.complainant_name),
            shown(Complaint.complainant_contact), shown(Complaint.complainant_address),
            Complaint.subject, Complaint.description, Complaint.addressed_to,
            Complaint.answer_subject, Complaint.answer_opening,
        ).join(Channel, Channel.id == Complaint.channel_id).join(
            Jenis, Jenis.id == Complaint.jenis_id).join(Sop, Sop.id == Complaint.sop_id
        ).outerjoin(platform, platform.id == Complaint.platform_id).outerjoin(
            ComplaintClass, ComplaintClass.id == Complaint.class_id
        ).outerjoin(
            open_step, and_(open_step.sop_id == Complaint.sop_id,
                            open_step.no == Complaint.current_step_no))  # fmt: skip
        statement = columns.statement.execution_options(yield_per=CHUNK)
        result = db.session.connection().execute(statement)
        starts = FORMULA_STARTS
        # Master data, SOP and stage labels take few values: each is made once, then looked up.
        label = _Made(neutralise)
        sop = _Made(lambda key: neutralise(f"{key[0]} rev. {key[1]}"))
        stage = _Made(lambda key: neutralise(stage_text(*key)))
        status_label = _Made(lambda key: CLOSURES[key[1]] if key[1] else STATUSES[key[0]])
        klass = _Made(lambda key: neutralise(class_label(key)))
        weight = _Made(lambda key: neutralise(f"{key[0]} ({key[1]} hari kerja)") if key[0] else "")
        xlsx = fmt == "xlsx"

        # A moment's two texts ("2 Des 2026 14.30 WIB", "2026-12-02 14:30") are made once per
        # hour of the office clock and completed with the minutes.
        hours = {}

        def texts(value):
            pair = hours.get(value[:13])  # "2026-12-02 07:30:00…", in UTC (utc_text)
            if pair is None:
                m = wib_naive(value[:13] + ":00")
                pair = hours[value[:13]] = (
                    f"{m.day} {MONTHS_SHORT[m.month - 1]} {m.year} {m.hour:02d}.",
                    f"{m.year}-{m.month:02d}-{m.day:02d} {m.hour:02d}:")  # fmt: skip
            minute = value[14:16]
            return pair[0] + minute + " WIB", pair[1] + minute

        def built():
            for part in result.partitions():
                rows = []
                for (_cid, hidden_row, number, received, channel, platform_name, lapor, lapor_class,
                     category, jenis, class_name, class_days, code, revision, status, closed_as,
                     step_no, step_name, due, state, closed, overall, name, contact, address,
                     subject, uraian, to, answer_subject, opening) in part:  # fmt: skip
                    status_text = status_label[status, closed_as]
                    answer = follow_up_text(answer_subject, opening, not hidden_row)
                    middle = (
                        label[channel], label[platform_name],
                        "'" + lapor if lapor[:1] in starts else lapor, klass[lapor_class],
                        label[category], label[jenis], weight[class_name, class_days],
                        sop[code, revision], status_text,
                        stage[code, status_text, step_no, step_name])  # fmt: skip
                    tail = (
                        (wib_naive(closed) - wib_naive(received)).days if closed else None,
                        overall,
                        "'" + to if to[:1] in starts else to,
                        "'" + answer if answer[:1] in starts else answer,
                        "'" + name if name[:1] in starts else name,
                        "'" + contact if contact[:1] in starts else contact,
                        "'" + address if address[:1] in starts else address,
                        "'" + subject if subject[:1] in starts else subject,
                        "'" + uraian if uraian[:1] in starts else uraian)  # fmt: skip
                    number = "'" + number if number[:1] in starts else number
                    if xlsx:
                        rows.append((number, wib_naive(received), *middle, wib_naive(due), state,
                                     wib_naive(closed), *tail))  # fmt: skip
                    else:
                        rows.append((number, *texts(received), *middle,
                                     *(texts(due) if due else ("-", "")), state,
                                     *(texts(closed) if closed else ("", "")), *tail))  # fmt: skip
                yield rows

        def chunks():
            with result:  # its cursor closed when the writer stops early too (a job cancelled)
                yield from built()

        # built() reads only its cursor and the values above: it runs ahead in its own thread.
        chunks = read_ahead(chunks())

        if xlsx:
            return XLSX_HEADERS, chunks, XLSX_MOMENTS
        return EXPORT_HEADERS, chunks, {}
