"""Exports of the lists: as filtered and scoped, every row, BOM, formulas neutralised."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from admin_views.complaint_export import EXPORT_HEADERS, XLSX_HEADERS
from models import Complaint, db
from tests.workflow_helpers import act, register_complaint

FORMULA = '=HYPERLINK("http://evil.example","klik")'
SUBJECT = EXPORT_HEADERS.index("Pokok pengaduan")


@pytest.fixture
def complaints(app):
    with app.app_context():
        made = [register_complaint("media_sosial", subject=f"Pokok nomor {i}") for i in range(30)]
        hostile = register_complaint(
            "curhat_ning_ita", subject=FORMULA, complainant_name="+62 812 Rahasia",
            is_confidential="y",
        )  # fmt: skip
        act(made[0], "kadis", "arahan")  # now in the Kabid's queue
        return {c.reg_number for c in made}, hostile.reg_number, made[0].reg_number


def _get(client, url):
    """Download `url` and close the response, as a browser's connection would."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _csv(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export_has_every_row_indonesian_headers_and_no_formulas(client, auth, complaints):
    numbers, hostile, _moved = complaints
    auth.login("fo")
    rows = _csv(_get(client, "/admin/pengaduan/ekspor/csv/"))
    assert rows[0][:4] == ["No. Registrasi", "Diterima (WIB)", "Diterima (ISO)", "Kanal"]
    assert {r[0] for r in rows[1:]} == numbers | {hostile}
    hostile_row = next(r for r in rows if r[0] == hostile)
    assert hostile_row[SUBJECT] == "'" + FORMULA
    assert (
        hostile_row[EXPORT_HEADERS.index("Nama pengadu")] == "Dirahasiakan"
    )  # the confidential complainant is masked
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_export_follows_the_search_and_filters(client, auth, complaints):
    numbers, hostile, _moved = complaints
    auth.login("kadis")
    rows = _csv(_get(client, "/admin/pengaduan/ekspor/csv/?search=0007%2FPGD"))
    assert [r[SUBJECT] for r in rows[1:]] == ["Pokok nomor 6"]
    listing = client.get("/admin/pengaduan/").get_data(as_text=True)
    arg = re.search(r'"Kanal": \[\{"arg": "(\d+)"', listing).group(1)
    html = client.get("/admin/pengaduan/").get_data(as_text=True)
    curhat = re.search(r'\["(\d+)", "Curhat Ning Ita"\]', html).group(1)
    rows = _csv(_get(client, f"/admin/pengaduan/ekspor/csv/?flt0_{arg}={curhat}"))
    assert [r[0] for r in rows[1:]] == [hostile]


def test_export_of_a_queue_holds_only_that_queue(client, auth, complaints):
    numbers, hostile, moved = complaints
    auth.login("kabid")
    rows = _csv(_get(client, "/admin/antrian/kabid/ekspor/csv/"))
    assert [r[0] for r in rows[1:]] == [moved]
    auth.logout()
    auth.login("kadis")
    rows = _csv(_get(client, "/admin/antrian/kadis/ekspor/csv/"))
    assert {r[0] for r in rows[1:]} == (numbers - {moved}) | {hostile}


def test_export_follows_the_sort_order(client, auth, complaints):
    auth.login("fo")
    listing = client.get("/admin/pengaduan/").get_data(as_text=True)
    index = re.search(r'sort=(\d+)[^"]*"[^>]*>\s*No\. Registrasi', listing)
    column = index.group(1) if index else "0"
    rows = _csv(_get(client, f"/admin/pengaduan/ekspor/csv/?sort={column}&desc=1"))
    numbers = [r[0] for r in rows[1:]]
    assert numbers == sorted(numbers, reverse=True)


def test_xlsx_export_has_the_same_rows(app, client, auth, complaints):
    numbers, hostile, _moved = complaints
    auth.login("fo")
    response = _get(client, "/admin/pengaduan/ekspor/xlsx/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "No. Registrasi"
    assert {v[0] for v in values[1:]} == numbers | {hostile}
    hostile_row = next(v for v in values if v[0] == hostile)
    assert hostile_row[XLSX_HEADERS.index("Pokok pengaduan")] == "'" + FORMULA
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Complaint.id))) == len(values) - 1


@pytest.mark.parametrize("url", ["/admin/pengaduan/ekspor/csv/",
                                 "/admin/antrian/kadis/ekspor/csv/"])  # fmt: skip
def test_the_team_cannot_export_what_it_may_not_see(client, auth, complaints, url):
    auth.login("teknis1")
    assert client.get(url).status_code == 403


def test_unknown_export_format_is_404(client, auth):
    auth.login("fo")
    assert client.get("/admin/pengaduan/ekspor/pdf/").status_code == 404


def test_the_export_says_what_the_list_shows_about_time(client, auth, app):
    """The deadline label the database works out for an export is the list's badge."""
    from models.workflow import pause, register
    from tests.test_calendar import wib
    from tests.workflow_helpers import act, registration, user

    with app.app_context():
        register_complaint("kantor", subject="Tepat waktu")
        register(
            user("fo"),
            registration("kantor", received_at="2026-01-05T09:00"),
            now=wib(2026, 1, 5, 9, 20),
        )  # waiting for its disposition since January
        paused = register_complaint("kantor", subject="Dijeda")
        act(paused, "kadis", "arahan")  # at the Kabid's step, whose clock he may stop
        pause(paused.id, user("kabid"), "Menunggu data dari pengadu.")
    auth.login("fo")
    page = client.get("/admin/pengaduan/").get_data(as_text=True)
    shown = dict(re.findall(r'<td class="col-reg_number">\s*(\S+)\s*</td>.*?'
                            r'<td class="col-deadline">\s*<span[^>]*>([^<]+)</span>',
                            page, re.S))  # fmt: skip
    rows = _csv(_get(client, "/admin/pengaduan/ekspor/csv/"))
    exported = {row[0]: row[EXPORT_HEADERS.index("Status waktu")] for row in rows[1:]}
    assert exported == shown
    assert sorted(shown.values()) == ["Jam dihentikan", "Tepat waktu", "Terlambat"]
