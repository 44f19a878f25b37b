"""The admin's calendar pages and the clock buttons on the complaint page, through HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import CalendarDay, Complaint, OfficeHours, db
from models.workflow import register
from tests.test_calendar import wib
from tests.workflow_helpers import registration, user


@pytest.fixture
def open_complaint(app):
    """A SOP.50 complaint at step 3, registered Wed 25 Nov 2026 15:30: due Thu 08:00."""
    with app.app_context():
        c = register(user("fo"), registration("media_sosial", received_at="2026-11-25T15:00"),
                     now=wib(2026, 11, 25, 15, 30))  # fmt: skip
        return c.id


def _due(app, complaint_id):
    with app.app_context():
        return db.session.get(Complaint, complaint_id).due_at


def test_admin_sees_the_years_national_days_off_and_cuti_bersama(client, auth):
    auth.login("admin")
    html = client.get("/admin/kalender/?tahun=2026").get_data(as_text=True)
    assert "Senin, 17 Agustus 2026" in html and "Kemerdekaan" in html
    assert "Kamis, 24 Desember 2026" in html and "Cuti Bersama" in html


def _step3_rest(app, minutes_on_the_day: int) -> timedelta:
    """SOP.50 step 3's time standard (from the SOP data) less what a day still had."""
    from models.dates import today_wib
    from models.sop import current_sop

    with app.app_context():
        return timedelta(minutes=current_sop("SOP.50", today_wib()).step(3).time_minutes
                         - minutes_on_the_day)  # fmt: skip


def test_adding_a_closure_recomputes_open_due_moments(app, client, auth, open_complaint):
    rest = _step3_rest(app, 30)  # registered 15:30: 30 minutes left on Wednesday
    assert _due(app, open_complaint) == wib(2026, 11, 26, 7, 30) + rest
    auth.login("admin")
    response = auth.post("/admin/kalender/tambah/",
                         {"day": "2026-11-26", "kind": "off", "note": "Kantor ditutup"},
                         form_page="/admin/kalender/")  # fmt: skip
    assert response.status_code == 302
    assert _due(app, open_complaint) == wib(2026, 11, 27, 7, 30) + rest
    page = client.get("/admin/kalender/?tahun=2026").get_data(as_text=True)
    assert "Kantor ditutup" in page and "dihitung ulang" in page
    with app.app_context():
        day_id = db.session.scalar(select(CalendarDay.id))
    response = auth.post("/admin/kalender/hapus/", {"id": str(day_id)},
                         form_page="/admin/kalender/")  # fmt: skip
    assert response.status_code == 302
    assert _due(app, open_complaint) == wib(2026, 11, 26, 7, 30) + rest


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2026-08-17", "kind": "off", "note": "x"}, "sudah hari libur"),
        ({"day": "2026-11-26", "kind": "work", "note": "x"}, "sudah hari kerja"),
        ({"day": "", "kind": "off", "note": "x"}, "Tanggal wajib diisi"),
        ({"day": "2026-11-26", "kind": "off", "note": ""}, "Keterangan wajib diisi."),
    ],
)
def test_bad_calendar_input_is_explained(app, auth, data, message):
    auth.login("admin")
    response = auth.post("/admin/kalender/tambah/", data, form_page="/admin/kalender/")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(CalendarDay.id)) is None


@pytest.mark.parametrize("username", ["fo", "kadis", "kabid", "kasi", "teknis1"])
def test_only_the_admin_edits_the_calendar(app, client, auth, username):
    auth.login(username)
    assert client.get("/admin/kalender/").status_code == 403
    assert client.get("/admin/jam-kantor/").status_code == 403
    response = auth.post("/admin/kalender/tambah/",
                         {"day": "2026-11-26", "kind": "off", "note": "x"},
                         form_page="/admin/")  # fmt: skip
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(CalendarDay.id)) is None


def test_shorter_friday_hours_move_due_moments(app, client, auth):
    with app.app_context():
        c = register(user("fo"), registration("media_sosial", received_at="2026-11-27T10:00"),
                     now=wib(2026, 11, 27, 10, 30))  # fmt: skip
        cid = c.id
    rest = _step3_rest(app, 30)  # Friday 10:30, the office then closing at 11:00
    assert _due(app, cid) == wib(2026, 11, 27, 10, 30) + rest + timedelta(minutes=30)
    auth.login("admin")
    response = auth.post("/admin/jam-kantor/edit/?id=4",
                         {"is_open": "y", "opens": "07:30", "closes": "11:00"})  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(OfficeHours, 4).closes.hour == 11
    assert _due(app, cid) == wib(2026, 11, 30, 7, 30) + rest  # 30 min on Friday, the rest Monday


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"is_open": "y", "opens": "16:00", "closes": "07:30"}, "Jam tutup harus setelah"),
        ({"is_open": "y", "opens": "07:30", "closes": "16:00", "break_start": "12:00"},
         "kosongkan keduanya"),
        ({"is_open": "y", "opens": "07:30", "closes": "16:00", "break_start": "17:00",
          "break_end": "18:00"}, "di dalam jam kantor"),
    ],
)  # fmt: skip
def test_bad_office_hours_are_refused(app, auth, data, message):
    auth.login("admin")
    response = auth.post("/admin/jam-kantor/edit/?id=0", data)
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OfficeHours, 0).closes.hour == 16


@pytest.fixture
def at_the_kasi(app, open_complaint):
    """The complaint disposed by the Kepala Dinas and ordered by the Kabid: the Kasi's step."""
    from tests.workflow_helpers import act

    with app.app_context():
        complaint = db.session.get(Complaint, open_complaint)
        act(complaint, "kadis", "arahan")
        act(complaint, "kabid", "perintah_kasi")
        return open_complaint


def test_kasi_stops_and_restarts_the_clock_from_the_complaint_page(app, client, auth, at_the_kasi):
    open_complaint = at_the_kasi
    auth.login("kasi")
    page = f"/admin/pengaduan/details/?id={open_complaint}"
    assert "Hentikan jam sementara" in client.get(page).get_data(as_text=True)
    response = auth.post(f"/admin/pengaduan/jeda/?id={open_complaint}",
                         {"reason": "Menunggu KTP pengadu"}, form_page=page)  # fmt: skip
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Menunggu KTP pengadu" in html and "Lanjutkan jam penanganan" in html
    queue = client.get("/admin/pengaduan/").get_data(as_text=True)
    assert "Jam dihentikan" in queue
    response = auth.post(f"/admin/pengaduan/lanjut/?id={open_complaint}", {}, form_page=page)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Complaint, open_complaint).paused_at is None


@pytest.mark.parametrize("username", ["fo", "kadis", "kasi", "kabid"])
def test_nobody_below_the_step_stops_its_clock(app, client, auth, open_complaint, username):
    """The complaint waits for the Kepala Dinas: neither the Kasi nor the Kabid (below him),
    nor the front office, may change how his step is timed; the URL refuses, not only the
    page."""
    auth.login(username)
    page = f"/admin/pengaduan/details/?id={open_complaint}"
    assert "Hentikan jam sementara" not in client.get(page).get_data(as_text=True)
    response = auth.post(f"/admin/pengaduan/jeda/?id={open_complaint}",
                         {"reason": "coba"}, form_page=page)  # fmt: skip
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Complaint, open_complaint).paused_at is None
