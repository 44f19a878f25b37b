"""Exports an operator can use: XLSX with date cells, a frozen bold header and a filter; CSV
with a semicolon for Excel and ISO moments; who it went to, how it was answered, on time."""

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from admin_views.complaint_export import EXPORT_HEADERS, XLSX_HEADERS
from models import Complaint, ComplaintClass, db
from models.dates import to_wib
from models.deadlines import LABELS, OVERALL_LABELS, overall_state
from models.types import utcnow
from tests.workflow_helpers import SOP_50_WALK, act, register_complaint, user

NAME = "Sri Rahayu Wulandari"
BODY = "Dengan hormat, NIB Saudara telah terbit."


def _get(client, url):
    """Download `url` and close the response, as a browser's connection would."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _rows(client, url, delimiter=","):
    response = _get(client, url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=delimiter))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], rows[0]


def _sheet(client, url):
    response = _get(client, url)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).active


def _wib(moment) -> datetime:
    """A moment as the spreadsheet holds it: naive, on the office clock."""
    return to_wib(moment).replace(tzinfo=None)


@pytest.fixture
def walked(app):
    """A SP4N-LAPOR! complaint of class Ringan walked through SOP.50 to the end, and a
    confidential one still at the Kepala Dinas, both named."""
    with app.app_context():
        ringan = db.session.scalar(select(ComplaintClass).where(ComplaintClass.code == "ringan"))
        done = register_complaint("lapor", complainant_name=NAME, class_id=str(ringan.id),
                                  lapor_tracking_no="LPR-2026-777001")  # fmt: skip
        for username, _queue, outcome in SOP_50_WALK:
            act(done, username, outcome, **({"body": BODY} if "jawab" in outcome else {}))
        hidden = register_complaint("media_sosial", complainant_name=NAME, is_confidential="y")
        return done.id, hidden.id


def test_xlsx_has_date_cells_a_bold_frozen_header_widths_and_a_filter(app, client, auth, walked):
    done_id, hidden_id = walked
    auth.login("fo")
    sheet = _sheet(client, "/admin/pengaduan/ekspor/xlsx/")
    assert sheet.freeze_panes == "A2"
    header = [cell for cell in next(sheet.iter_rows(max_row=1))]
    assert [c.value for c in header] == list(XLSX_HEADERS)
    assert all(c.font.bold for c in header)
    rows = {row[0]: dict(zip(XLSX_HEADERS, row, strict=True))
            for row in sheet.iter_rows(min_row=2, values_only=True)}  # fmt: skip
    last = header[-1].column_letter
    assert sheet.auto_filter.ref == f"A1:{last}{len(rows) + 1}"
    assert len(rows) == 2
    with app.app_context():
        done = db.session.get(Complaint, done_id)
        row = rows[done.reg_number]
        assert isinstance(row["Diterima (WIB)"], datetime)
        assert row["Diterima (WIB)"] == _wib(done.received_at).replace(second=0, microsecond=0)
        closed = _wib(done.closed_at)
        assert abs((row["Tanggal selesai (WIB)"] - closed).total_seconds()) < 0.01
        assert row["Batas waktu (WIB)"] is None  # closed: no open step
        days = (done.closed_at - done.received_at).days
    assert row["Lama sampai selesai (hari)"] == days and isinstance(
        row["Lama sampai selesai (hari)"], int
    )
    assert row["Tindak lanjut"].startswith("Jawaban atas pengaduan")
    cells = {c.column_letter: c for c in next(sheet.iter_rows(min_row=2, max_row=2))}
    received = cells[header[XLSX_HEADERS.index("Diterima (WIB)")].column_letter]
    assert received.is_date and received.number_format == "dd-mm-yyyy hh:mm"
    widths = {h: sheet.column_dimensions[c.column_letter].width
              for h, c in zip(XLSX_HEADERS, header, strict=True)}  # fmt: skip
    assert widths["Diteruskan kepada"] > widths["Kanal"] >= len("Kanal")
    assert widths["Uraian"] <= 60


def test_csv_for_excel_is_separated_by_semicolons_with_iso_moments(app, client, auth, walked):
    done_id, _hidden_id = walked
    auth.login("fo")
    raw = _get(client, "/admin/pengaduan/ekspor/csv/?pemisah=titik-koma").data
    assert raw.startswith(b"\xef\xbb\xbf" + b"No. Registrasi;Diterima (WIB);Diterima (ISO);")
    rows, header = _rows(client, "/admin/pengaduan/ekspor/csv/?pemisah=titik-koma", ";")
    assert header == list(EXPORT_HEADERS)
    with app.app_context():
        done = db.session.get(Complaint, done_id)
        row = next(r for r in rows if r["No. Registrasi"] == done.reg_number)
        assert row["Diterima (ISO)"] == f"{_wib(done.received_at):%Y-%m-%d %H:%M}"
        assert row["Tanggal selesai (ISO)"] == f"{_wib(done.closed_at):%Y-%m-%d %H:%M}"
        assert row["Diterima (WIB)"].endswith(" WIB")
    assert (row["Batas waktu (WIB)"], row["Batas waktu (ISO)"]) == ("-", "")
    comma, _header = _rows(client, "/admin/pengaduan/ekspor/csv/")  # the default: a comma
    assert comma == rows
    assert client.get("/admin/pengaduan/ekspor/csv/?pemisah=tab").status_code == 404


def test_the_list_offers_a_csv_for_excel(client, auth):
    auth.login("fo")
    page = client.get("/admin/pengaduan/").get_data(as_text=True)
    assert "ekspor/csv/?pemisah=titik-koma" in page and "pemisah titik koma" in page


def test_the_export_says_where_it_went_how_it_was_answered_and_whether_in_time(
    app, client, auth, walked
):
    done_id, hidden_id = walked
    auth.login("kadis")
    rows, _header = _rows(client, "/admin/pengaduan/ekspor/csv/")
    with app.app_context():
        done, hidden = db.session.get(Complaint, done_id), db.session.get(Complaint, hidden_id)
        kabid, kasi = user("kabid"), user("kasi")
        row = next(r for r in rows if r["No. Registrasi"] == done.reg_number)
        assert row["Diteruskan kepada"] == (f"{kabid.full_name} ({kabid.position}); "
                                            f"{kasi.full_name} ({kasi.position})")  # fmt: skip
        assert row["Tindak lanjut"] == f"Jawaban atas pengaduan: {BODY}"
        assert row["No. LAPOR!"] == "LPR-2026-777001"
        assert row["Kelas"] == done.complaint_class.label == "Ringan (2 hari kerja)"
        state = overall_state(done, utcnow())
        assert row["Tepat waktu/Terlambat"] == OVERALL_LABELS[state]
        assert row["Nama pengadu"] == NAME
        other = next(r for r in rows if r["No. Registrasi"] == hidden.reg_number)
        assert other["Nama pengadu"] == "Dirahasiakan"
        assert other["Diteruskan kepada"] == other["Tindak lanjut"] == ""
        assert other["Tanggal selesai (WIB)"] == other["Tanggal selesai (ISO)"] == ""
        expected = overall_state(hidden, utcnow())
        assert other["Tepat waktu/Terlambat"] == (LABELS[expected] if expected else "")


def test_a_hidden_identity_stays_hidden_in_every_added_column(app, client, auth):
    """Confidential: masked for the front office, and the answer's body (which names its
    addressee) left out; the Tim Teknis sees no identity on any row."""
    with app.app_context():
        secret = register_complaint("media_sosial", complainant_name=NAME, is_confidential="y")
        for username, _queue, outcome in SOP_50_WALK:
            act(secret, username, outcome, **({"body": f"Sdr. {NAME}, {BODY}"}
                                              if "jawab" in outcome else {}))  # fmt: skip
        open_ = register_complaint("media_sosial", complainant_name=NAME)
        for username, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi"),
                                  ("kasi", "rakor")):  # fmt: skip
            act(open_, username, outcome)
    auth.login("fo")
    for url, delimiter in (("/admin/pengaduan/ekspor/csv/", ","),
                           ("/admin/pengaduan/ekspor/csv/?pemisah=titik-koma", ";")):  # fmt: skip
        rows, _header = _rows(client, url, delimiter)
        row = next(r for r in rows if r["Nama pengadu"] == "Dirahasiakan")
        assert row["Tindak lanjut"] == "Jawaban atas pengaduan"
        assert NAME not in ";".join(row.values())
    sheet = _sheet(client, "/admin/pengaduan/ekspor/xlsx/")
    secret_rows = [r for r in sheet.iter_rows(values_only=True) if "Dirahasiakan" in r]
    assert len(secret_rows) == 1 and not any(NAME in str(v) for v in secret_rows[0] if v)
    auth.logout()
    auth.login("teknis1")
    rows, _header = _rows(client, "/admin/antrian/tim-teknis/ekspor/csv/?pemisah=titik-koma", ";")
    assert [r["Nama pengadu"] for r in rows] == ["Dirahasiakan"]
    assert NAME not in ";".join(rows[0].values())
