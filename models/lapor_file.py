"""Reading a report file as SP4N-LAPOR!'s admin export gives it (CSV or XLSX): one report per
row, found by its column names, checked whole before anything is taken.

The export's columns are known by several names (the admin export, its Excel variant, what an
operator types when keying one in): `COLUMNS` maps each to the field it fills. A file whose
header lacks a required column, or any of whose rows cannot be read, is refused with the
line numbers and why; nothing of it is taken.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from models.dates import WIB

MAX_ROWS = 5000
MAX_TEXT = 20000
CLASSES = {  # LAPOR!'s classification, as written in its export → the stored value
    "aspirasi": "aspirasi",
    "pengaduan": "pengaduan",
    "permintaan informasi": "permintaan_informasi",
    "informasi": "permintaan_informasi",
    "whistleblowing": "whistleblowing",
    "whistle blowing": "whistleblowing",
}
CLASS_LABELS = {"aspirasi": "Aspirasi", "pengaduan": "Pengaduan",
                "permintaan_informasi": "Permintaan informasi",
                "whistleblowing": "Whistleblowing"}  # fmt: skip
# Column names (lower case, spaces collapsed) → field.
COLUMNS = {
    "tracking id": "tracking_id", "id tracking": "tracking_id", "no tracking": "tracking_id",
    "no. tracking": "tracking_id", "nomor tracking": "tracking_id",
    "id transaksi": "transaction_id", "transaction id": "transaction_id",
    "tanggal": "reported_at", "tanggal laporan": "reported_at", "waktu laporan": "reported_at",
    "judul": "title", "judul laporan": "title",
    "isi": "text", "isi laporan": "text", "laporan": "text",
    "kategori": "category",
    "klasifikasi": "classification",
    "anonim": "anonymous", "rahasia": "confidential",
    "status": "status",
    "tanggal disposisi": "forwarded_at", "diteruskan": "forwarded_at",
    "tanggal diteruskan": "forwarded_at",
}  # fmt: skip
REQUIRED = ("tracking_id", "reported_at", "title", "text")
FIELD_LABELS = {"tracking_id": "Tracking ID", "reported_at": "Tanggal", "title": "Judul",
                "text": "Isi laporan"}  # fmt: skip
TRACKING_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,39}")
YES = {"ya", "y", "yes", "1", "true", "benar"}
NO = {"tidak", "t", "no", "0", "false", "", "salah"}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d-%m-%Y %H:%M:%S",
                "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                "%d/%m/%Y")  # fmt: skip


class FileRefused(ValueError):
    """The file cannot be taken; `problems` lists why, by line, in Indonesian."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Report:
    """One LAPOR! report as read from a line of the file."""

    line: int
    tracking_id: str
    reported_at: datetime
    title: str
    text: str
    transaction_id: str = ""
    category: str = ""
    classification: str = ""
    anonymous: bool = False
    confidential: bool = False
    status: str = ""
    forwarded_at: datetime | None = None
    extra: dict = field(default_factory=dict)

    def fingerprint(self) -> tuple:
        """What a second import compares: the report's content as LAPOR! gave it."""
        return (self.reported_at.isoformat(), self.title, self.text, self.category,
                self.classification, self.anonymous, self.confidential)  # fmt: skip


def _name(header) -> str:
    return " ".join(str(header or "").strip().lower().split())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value).strip()


def _moment(text: str) -> datetime | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=WIB)
        except ValueError:
            continue
    return None


def _flag(text: str) -> bool | None:
    lowered = text.strip().lower()
    return True if lowered in YES else False if lowered in NO else None


def rows_of(content: bytes, filename: str) -> list[list[str]]:
    """The file's rows as text cells, the header first.

    :raise FileRefused: neither a readable CSV (UTF-8, comma or semicolon) nor an XLSX.
    """
    if content[:2] == b"PK":  # a zip: an XLSX workbook
        try:
            from openpyxl import load_workbook  # (13 MB: imported by an import, not every process)

            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
            raise FileRefused(
                [f"Berkas {filename} bukan buku kerja Excel yang dapat dibaca."]
            ) from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused([f"Berkas {filename} bukan CSV UTF-8 atau XLSX."]) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def read_reports(content: bytes, filename: str) -> list[Report]:
    """Every report of the file, checked.

    :raise FileRefused: a required column is missing, or a row cannot be read (each such
        line named with why); the file is then taken not at all.
    """
    rows = [r for r in rows_of(content, filename) if any(c for c in r)]
    if not rows:
        raise FileRefused(["Berkas kosong."])
    header = [COLUMNS.get(_name(h)) for h in rows[0]]
    missing = [FIELD_LABELS[f] for f in REQUIRED if f not in header]
    if missing:
        raise FileRefused([f"Kolom wajib tidak ada: {', '.join(missing)}. Baris 1 harus "
                           "berisi nama kolom ekspor LAPOR!."])  # fmt: skip
    if len(rows) - 1 > MAX_ROWS:
        raise FileRefused([f"Paling banyak {MAX_ROWS} laporan dalam satu berkas."])
    reports, problems, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        values = {f: (row[i] if i < len(row) else "") for i, f in enumerate(header) if f}
        report, why = report_of(number, values)
        if why:
            problems.append(f"Baris {number}: {why}")
            continue
        if report.tracking_id in seen:
            problems.append(f"Baris {number}: Tracking ID {report.tracking_id} sudah ada di "
                            f"baris {seen[report.tracking_id]}.")  # fmt: skip
            continue
        seen[report.tracking_id] = number
        reports.append(report)
    if problems:
        raise FileRefused(problems)
    return reports


def report_of(line: int, values: dict) -> tuple[Report | None, str]:
    """A line's report, or why it cannot be read."""
    why = []
    tracking_id = values.get("tracking_id", "")
    if not TRACKING_ID.fullmatch(tracking_id):
        why.append("Tracking ID kosong atau tidak sah")
    reported = _moment(values.get("reported_at", ""))
    if reported is None:
        why.append("tanggal tidak terbaca (mis. 2026-11-30 08:15 atau 30-11-2026)")
    forwarded = None
    if values.get("forwarded_at"):
        forwarded = _moment(values["forwarded_at"])
        if forwarded is None:
            why.append("tanggal disposisi tidak terbaca")
    title, text = values.get("title", ""), values.get("text", "")
    if not title:
        why.append("judul kosong")
    elif len(title) > 300:
        why.append("judul lebih dari 300 karakter")
    if not text:
        why.append("isi laporan kosong")
    elif len(text) > MAX_TEXT:
        why.append(f"isi laporan lebih dari {MAX_TEXT} karakter")
    raw_class = _name(values.get("classification", ""))
    classification = CLASSES.get(raw_class, "") if raw_class else ""
    if raw_class and not classification:
        why.append("klasifikasi bukan aspirasi, pengaduan, permintaan informasi atau "
                   "whistleblowing")  # fmt: skip
    flags = {}
    for name, label in (("anonymous", "anonim"), ("confidential", "rahasia")):
        flags[name] = _flag(values.get(name, ""))
        if flags[name] is None:
            why.append(f"kolom {label} harus Ya atau Tidak")
    if why:
        return None, "; ".join(why) + "."
    return Report(
        line=line, tracking_id=tracking_id.upper(), reported_at=reported, title=title,
        text=text, transaction_id=values.get("transaction_id", "")[:60],
        category=values.get("category", "")[:120], classification=classification,
        anonymous=flags["anonymous"], confidential=flags["confidential"],
        status=values.get("status", "")[:40], forwarded_at=forwarded,
    ), ""  # fmt: skip
