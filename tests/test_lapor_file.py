"""LAPOR!'s admin export read back: CSV (comma or semicolon) and XLSX, columns by their names,
every bad line named with why, and nothing taken from a file with one."""

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from models.dates import WIB
from models.lapor_file import FileRefused, read_reports

HEADER = ["Tracking ID", "ID Transaksi", "Tanggal", "Judul", "Isi Laporan", "Kategori",
          "Klasifikasi", "Anonim", "Rahasia"]  # fmt: skip
ROWS = [
    ["LPR-3101", "TX-1", "2026-11-30 08:15", "Izin reklame lama", "Sudah sebulan.",
     "Perizinan", "Pengaduan", "Tidak", "Tidak"],
    ["LPR-3102", "TX-2", "01-12-2026 10:00", "Saran loket", "Tambah kursi.", "Pelayanan",
     "Aspirasi", "Ya", "Tidak"],
]  # fmt: skip


def _csv(rows, delimiter=",") -> bytes:
    lines = [delimiter.join(f'"{c}"' for c in row) for row in rows]
    return ("\ufeff" + "\n".join(lines)).encode()


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("make", [_csv, lambda r: _csv(r, ";"), _xlsx])
def test_a_good_export_reads_every_report(make):
    reports = read_reports(make([HEADER, *ROWS]), "ekspor")
    assert [r.tracking_id for r in reports] == ["LPR-3101", "LPR-3102"]
    first, second = reports
    assert first.reported_at == datetime(2026, 11, 30, 8, 15, tzinfo=WIB)
    assert (first.classification, first.anonymous) == ("pengaduan", False)
    assert (second.classification, second.anonymous) == ("aspirasi", True)
    assert second.reported_at == datetime(2026, 12, 1, 10, 0, tzinfo=WIB)
    assert first.line == 2 and second.line == 3


def test_every_bad_line_is_named_and_nothing_is_taken():
    bad = [
        ["", "TX-3", "2026-11-30", "Judul", "Isi", "", "", "", ""],
        ["LPR-3104", "TX-4", "kemarin", "Judul", "Isi", "", "Keluhan", "Mungkin", ""],
        ["LPR-3101", "TX-5", "2026-11-30", "Judul", "Isi", "", "", "", ""],
    ]
    with pytest.raises(FileRefused) as refused:
        read_reports(_csv([HEADER, *ROWS, *bad]), "ekspor.csv")
    problems = refused.value.problems
    assert [p.split(":")[0] for p in problems] == ["Baris 4", "Baris 5", "Baris 6"]
    assert "Tracking ID" in problems[0]
    assert "tanggal" in problems[1] and "klasifikasi" in problems[1] and "anonim" in problems[1]
    assert "baris 2" in problems[2]


@pytest.mark.parametrize(("content", "why"), [
    (b"", "kosong"),
    (_csv([["Judul", "Isi"], ["a", "b"]]), "Kolom wajib tidak ada: Tracking ID, Tanggal"),
    (b"\xff\xfe\x00bukan", "bukan CSV"),
    (b"PK\x03\x04rusak", "bukan buku kerja"),
])  # fmt: skip
def test_a_file_that_is_no_export_is_refused_with_why(content, why):
    with pytest.raises(FileRefused) as refused:
        read_reports(content, "berkas")
    assert why in " ".join(refused.value.problems)
