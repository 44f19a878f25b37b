"""Dates, times and files the Indonesian way whatever the browser's language (issue 19 item 5):
dates typed and shown as dd-mm-yyyy and times as 24-hour jj.mm, read back from ISO too; a
registration or a citizen's complaint that comes back with errors keeps its files for the
same browser session only; dates in lists the way every page writes them."""

import io
import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from models import ActingAppointment, Attachment, CalendarDay, Complaint, HeldUpload, db
from models.dates import (
    DATE_MESSAGE,
    MOMENT_MESSAGE,
    TIME_MESSAGE,
    format_value,
    parse_date,
    parse_moment,
    parse_time,
    to_wib,
)
from models.held_uploads import HOLD_MINUTES
from models.submission import Submission
from models.types import utcnow
from tests.conftest import AuthActions
from tests.test_public_form import form_data
from tests.workflow_helpers import registration, uid

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n" + b"x" * 2000
REGISTER = "/admin/pengaduan/registrasi/"
HELD_TOKEN = re.compile(r'name="attachments_held" value="([^"]+)"')


def value_of(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


# -- reading what is typed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "day"),
    [("02-12-2026", date(2026, 12, 2)), ("2-12-2026", date(2026, 12, 2)),
     ("02/12/2026", date(2026, 12, 2)), ("02.12.2026", date(2026, 12, 2)),
     ("02122026", date(2026, 12, 2)), ("2026-12-02", date(2026, 12, 2)),
     (" 29-02-2028 ", date(2028, 2, 29))],
)  # fmt: skip
def test_a_date_is_read_as_the_office_writes_it_and_as_iso(typed, day):
    assert parse_date(typed) == day


@pytest.mark.parametrize("typed", ["2026-13-45", "31-02-2026", "12/02-2026", "kemarin", "2026",
                                   "1-1-26", ""])  # fmt: skip
def test_a_date_that_is_no_date_says_how_to_write_one(typed):
    with pytest.raises(ValueError, match=re.escape(DATE_MESSAGE)):
        parse_date(typed)


def test_times_are_24_hour_with_a_dot_or_a_colon():
    assert [parse_time(t) for t in ("14.30", "14:30", "9.05", "0905", "23:59:00")] == [
        time(14, 30), time(14, 30), time(9, 5), time(9, 5), time(23, 59)]  # fmt: skip
    for typed in ("24.00", "2 PM", "14.3", "14,30"):
        with pytest.raises(ValueError, match=re.escape(TIME_MESSAGE)):
            parse_time(typed)
    assert parse_moment("02-12-2026 14.30") == parse_moment("2026-12-02T14:30")
    with pytest.raises(ValueError, match=re.escape(MOMENT_MESSAGE)):
        parse_moment("02-12-2026")


# -- the forms ---------------------------------------------------------------------------------


def test_a_date_field_takes_dd_mm_yyyy_and_refuses_a_non_date_in_indonesian(app, client, auth):
    auth.login("admin")
    added = auth.post("/admin/kalender/tambah/", {"day": "02-12-2026", "kind": "off",
                      "note": "Cuti bersama"}, form_page="/admin/kalender/")  # fmt: skip
    assert added.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CalendarDay.day)) == date(2026, 12, 2)

    refused = auth.post("/admin/kalender/tambah/", {"day": "2026-13-45", "kind": "off",
                        "note": "x"}, form_page="/admin/kalender/")  # fmt: skip
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Tanggal tidak valid; tulis hh-bb-tttt, mis. 02-12-2026" in page
    assert value_of(page, "day") == "2026-13-45"  # as typed, to be corrected


def test_a_date_input_is_text_the_office_way_and_shows_its_value_as_dd_mm_yyyy(app, client, auth):
    auth.login("admin")
    page = client.get("/admin/kalender/").get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="day"[^>]*>', page).group(0)
    assert 'type="text"' in tag and 'placeholder="hh-bb-tttt"' in tag
    assert 'inputmode="numeric"' in tag and 'data-input="date"' in tag and "pattern=" in tag
    assert 'type="date"' not in page and 'type="time"' not in page
    # An ISO date read, the form shown again for another field: the date the office's way.
    again = auth.post("/admin/kalender/tambah/", {"day": "2026-12-02", "kind": "off", "note": ""},
                      form_page="/admin/kalender/").get_data(as_text=True)  # fmt: skip
    assert value_of(again, "day") == "02-12-2026"


def test_an_edit_form_shows_its_dates_and_times_the_office_way(app, client, auth):
    with app.app_context():
        appointment = ActingAppointment(
            user_id=uid("kasi"), kind="Plh.", role="kabid", position="Plh. Kabid PKPL",
            starts_on=date(2026, 12, 2), ends_on=date(2026, 12, 9))  # fmt: skip
        db.session.add(appointment)
        db.session.commit()
        appointment_id = appointment.id
    auth.login("admin")
    page = client.get(f"/admin/penugasan/edit/?id={appointment_id}").get_data(as_text=True)
    assert value_of(page, "starts_on") == "02-12-2026" and value_of(page, "ends_on") == "09-12-2026"
    hours = client.get("/admin/jam-kantor/edit/?id=0").get_data(as_text=True)
    assert re.fullmatch(r"\d{2}\.\d{2}", value_of(hours, "opens"))


def test_office_hours_take_a_24_hour_time_with_a_dot(app, client, auth):
    from models import OfficeHours

    auth.login("admin")
    response = auth.post("/admin/jam-kantor/edit/?id=0",
                         {"is_open": "y", "opens": "7.15", "closes": "15.45"},
                         form_page="/admin/jam-kantor/edit/?id=0")  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        monday = db.session.get(OfficeHours, 0)
        assert (monday.opens, monday.closes) == (time(7, 15), time(15, 45))
    listed = client.get("/admin/jam-kantor/").get_data(as_text=True)
    assert "07.15" in listed and "07:15:00" not in listed  # the list's way too
    log = client.get("/admin/riwayat-administrasi/").get_data(as_text=True)
    assert "07.15" in log and "07:15:00" not in log


def test_the_front_office_types_the_moment_received_the_office_way(app, client, auth):
    auth.login("fo")
    with app.app_context():
        data = registration("media_sosial")
    moment = to_wib(utcnow()).replace(second=0, microsecond=0) - timedelta(minutes=5)
    data["received_at"] = f"{moment:%d-%m-%Y %H.%M}"
    form = client.get(REGISTER).get_data(as_text=True)
    assert re.fullmatch(r"\d{2}-\d{2}-\d{4} \d{2}\.\d{2}", value_of(form, "received_at"))
    assert auth.post(REGISTER, data).status_code == 302
    with app.app_context():
        assert to_wib(db.session.scalar(select(Complaint.received_at))) == moment


def test_a_recap_range_is_typed_as_dd_mm_yyyy(app, client, auth):
    auth.login("kabid")
    page = client.get("/admin/rekap/?jenis=rentang&dari=01-11-2026&sampai=2026-11-30")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 November 2026 s.d. 30 November 2026" in html
    assert value_of(html, "dari") == "01-11-2026" and value_of(html, "sampai") == "30-11-2026"
    month = client.get("/admin/rekap/?jenis=bulan&nilai=11-2026").get_data(as_text=True)
    assert "November 2026" in month
    bad = client.get("/admin/rekap/?jenis=rentang&dari=2026-13-45&sampai=30-11-2026")
    assert bad.status_code == 400 and "tulis hh-bb-tttt" in bad.get_data(as_text=True)


def test_every_page_with_a_form_loads_the_inputs_script(client, auth):
    assert 'src="/static/inputs.js' in client.get("/lapor/").get_data(as_text=True)
    auth.login("fo")
    assert 'src="/static/inputs.js' in client.get(REGISTER).get_data(as_text=True)


def test_dates_show_the_way_every_page_writes_them():
    from datetime import UTC, datetime

    assert format_value(datetime(2026, 12, 2, 7, 30, tzinfo=UTC)) == "2 Des 2026 14.30 WIB"
    assert format_value(date(2026, 12, 2)) == "2 Des 2026"
    assert format_value(time(7, 30)) == "07.30"
    assert format_value("2026-12-02") == "2 Des 2026" and format_value("07:30:00") == "07.30"
    assert format_value("Budi") == "Budi" and format_value(3) == 3


# -- files kept for a form shown again ---------------------------------------------------------


def _failed_registration(app, auth, **overrides):
    with app.app_context():
        data = registration("media_sosial", subject="", **overrides)
    data["attachments"] = [(io.BytesIO(PNG), "foto.png"), (io.BytesIO(PDF), "surat.pdf")]
    response = auth.post(REGISTER, data, content_type="multipart/form-data")
    assert response.status_code == 400
    return response.get_data(as_text=True)


def test_a_failed_registration_keeps_its_files_until_it_is_sent(app, client, auth):
    auth.login("fo")
    page = _failed_registration(app, auth)
    assert "Sudah terlampir, tidak perlu dipilih lagi" in page
    assert "foto.png (1 KB)" in page and "surat.pdf (2 KB)" in page
    tokens = HELD_TOKEN.findall(page)
    assert len(tokens) == 2
    with app.app_context():
        data = registration("media_sosial")
    data["attachments_held"] = tokens
    data["attachments_drop"] = tokens[1]  # surat.pdf ticked "hapus"
    data["attachments"] = [(io.BytesIO(PNG), "kedua.png")]
    assert auth.post(REGISTER, data, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        assert sorted(a.filename for a in complaint.attachments) == ["foto.png", "kedua.png"]
        kept = db.session.scalar(select(Attachment).where(Attachment.filename == "foto.png"))
        assert kept.content == PNG
        assert db.session.scalar(select(func.count(HeldUpload.id))) == 0  # attached or removed


def test_kept_files_count_against_the_limit_of_five(app, client, auth):
    auth.login("fo")
    tokens = HELD_TOKEN.findall(_failed_registration(app, auth))
    with app.app_context():
        data = registration("media_sosial")
    data["attachments_held"] = tokens
    data["attachments"] = [(io.BytesIO(PNG), f"f{i}.png") for i in range(4)]
    page = auth.post(REGISTER, data, content_type="multipart/form-data").get_data(as_text=True)
    assert "Paling banyak 5 berkas lampiran (2 sudah terlampir)." in page
    assert HELD_TOKEN.findall(page) == tokens  # still kept, still listed


def test_another_session_can_neither_see_nor_attach_kept_files(app, client, auth, monkeypatch):
    auth.login("fo")
    tokens = HELD_TOKEN.findall(_failed_registration(app, auth))
    other = app.test_client()  # the same official in another browser, or anybody else
    AuthActions(other).login("fo")
    with app.app_context():
        data = registration("media_sosial", subject="")
    data["attachments_held"] = tokens
    page = AuthActions(other).post(REGISTER, data).get_data(as_text=True)
    assert "foto.png" not in page and not HELD_TOKEN.findall(page)
    data["subject"] = "Izin usaha belum terbit"
    assert AuthActions(other).post(REGISTER, data).status_code == 302
    monkeypatch.setitem(app.config, "SUBMIT_MIN_SECONDS", 0)
    citizen = app.test_client()
    sent = citizen.post("/lapor/", data={**form_data(citizen), "attachments_held": tokens},
                        content_type="multipart/form-data")  # fmt: skip
    assert sent.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Attachment.id))) == 0
        assert db.session.scalar(select(Submission)).files == []
        assert db.session.scalar(select(func.count(HeldUpload.id))) == 2  # still the first's


def test_kept_files_expire(app, client, auth):
    from models.held_uploads import prune

    auth.login("fo")
    tokens = HELD_TOKEN.findall(_failed_registration(app, auth))
    with app.app_context():
        for row in db.session.scalars(select(HeldUpload)):
            row.held_at = utcnow() - timedelta(minutes=HOLD_MINUTES + 1)
        db.session.commit()
        data = registration("media_sosial")
    data["attachments_held"] = tokens
    assert auth.post(REGISTER, data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Attachment.id))) == 0
        assert prune() == 2


def test_files_that_cannot_be_kept_are_named_to_choose_again(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "HELD_UPLOADS_MAX_BYTES", 1000)  # the PNG fits, the PDF not
    auth.login("fo")
    page = _failed_registration(app, auth)
    assert len(HELD_TOKEN.findall(page)) == 1 and "foto.png (1 KB)" in page
    assert ("Pilih lagi berkas: surat.pdf — berkas tidak dapat disimpan sebelum isian "
            "lengkap.") in page  # fmt: skip


class TestTheCitizensForm:
    @pytest.fixture(autouse=True)
    def _no_wait(self, app, monkeypatch):
        monkeypatch.setitem(app.config, "SUBMIT_MIN_SECONDS", 0)

    def test_a_refused_form_keeps_the_files_and_sends_them_with_the_form(self, app, client):
        data = form_data(client, consent=None)
        data["attachments"] = [(io.BytesIO(PNG), "foto.png")]
        refused = client.post("/lapor/", data=data, content_type="multipart/form-data")
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and "Sudah terlampir" in page and "foto.png" in page
        tokens = HELD_TOKEN.findall(page)
        sent = client.post("/lapor/", data={**form_data(client), "attachments_held": tokens},
                           content_type="multipart/form-data")  # fmt: skip
        assert sent.status_code == 302
        with app.app_context():
            files = db.session.scalar(select(Submission)).files
            assert [(f.filename, f.content) for f in files] == [("foto.png", PNG)]
            assert db.session.scalar(select(func.count(HeldUpload.id))) == 0

    def test_a_form_refused_as_a_bots_keeps_no_file_but_names_it(self, app, client):
        data = form_data(client, website="http://spam.example")
        data["attachments"] = [(io.BytesIO(PNG), "foto.png")]
        page = client.post("/lapor/", data=data, content_type="multipart/form-data")
        assert "Pilih lagi berkas: foto.png" in page.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(select(func.count(HeldUpload.id))) == 0

    def test_the_file_input_is_drawn_by_the_inputs_script(self, client):
        page = client.get("/lapor/").get_data(as_text=True)
        assert 'type="file"' in page and "inputs.js" in page
