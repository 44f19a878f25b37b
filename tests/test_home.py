"""Each official's home page: their role's own lists first, nobody's complainant on it."""

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from models import ActingAppointment, AgencySettings, Complaint, Jenis, OfficeHours, Sop, User, db
from models.calendar import WorkCalendar
from models.dates import WIB, today_wib
from models.home import working_age
from models.types import utcnow
from tests.workflow_helpers import act, register_complaint, user

NAME, SUBJECT = "Budi Santoso", "Izin usaha belum terbit"  # the helpers' complainant
SECTIONS = ("disposisi-menunggu", "terlambat-dinas", "segera-kabid", "segera-kasi",
            "rapat-koordinasi", "masuk-hari-ini", "menunggu-registrasi", "surat-dikirim",
            "persiapan")  # fmt: skip


def _home(client, auth, username: str) -> str:
    auth.login(username)
    html = client.get("/admin/").get_data(as_text=True)
    auth.logout()
    return html


def _sections(html: str) -> set[str]:
    return {s for s in SECTIONS if f'id="{s}"' in html}


def _section(html: str, section: str) -> str:
    """The card `section` of the page: its header and its list."""
    start = html.index(f'id="{section}"')
    return html[start : html.index("</ul>", start)]


def test_working_age_speaks_in_minutes_hours_and_working_days():
    calendar = WorkCalendar()  # Monday-Friday 07:30-16:00
    monday = datetime(2026, 2, 2, 8, 0, tzinfo=WIB)  # a week with no day off
    assert working_age(monday, monday + timedelta(minutes=45), calendar) == "45 menit"
    assert working_age(monday, monday + timedelta(hours=3, minutes=10), calendar) == "3 jam"
    wednesday = datetime(2026, 2, 4, 9, 0, tzinfo=WIB)  # 480 + 510 + 90 working minutes
    assert working_age(monday, wednesday, calendar) == "2 hari kerja"
    saturday = datetime(2026, 2, 7, 9, 0, tzinfo=WIB)  # the office is closed since Friday
    friday_evening = datetime(2026, 2, 6, 17, 0, tzinfo=WIB)
    assert working_age(friday_evening, saturday, calendar) == "kurang dari 1 menit"


def test_each_role_sees_only_its_own_sections(app, client, auth):
    seen = {who: _sections(_home(client, auth, who))
            for who in ("kadis", "kabid", "kasi", "fo", "teknis1", "admin")}  # fmt: skip
    assert seen == {
        "kadis": {"disposisi-menunggu", "terlambat-dinas"},
        "kabid": {"segera-kabid", "rapat-koordinasi"},
        "kasi": {"segera-kasi", "rapat-koordinasi"},
        "fo": {"masuk-hari-ini", "menunggu-registrasi", "surat-dikirim"},
        "teknis1": set(),
        "admin": {"persiapan"},
    }


def test_the_kadis_sees_his_dispositions_oldest_first_and_the_agencys_late_ones(app, client, auth):
    with app.app_context():
        newer = register_complaint("media_sosial")
        older = register_complaint("media_sosial")
        older.step_started_at -= timedelta(days=3)  # waiting longer, though registered later
        at_kabid = register_complaint("curhat_ning_ita")
        act(at_kabid, "kadis", "arahan")
        at_kabid = db.session.get(Complaint, at_kabid.id)
        at_kabid.due_at = utcnow() - timedelta(days=30)  # whatever the days off: working days
        db.session.commit()
        ids = {"newer": newer.id, "older": older.id, "late": at_kabid.id}
        numbers = {"newer": newer.reg_number, "older": older.reg_number,
                   "late": at_kabid.reg_number}  # fmt: skip
        kabid_name = user("kabid").full_name
    html = _home(client, auth, "kadis")
    waiting = _section(html, "disposisi-menunggu")
    assert waiting.index(numbers["older"]) < waiting.index(numbers["newer"])
    assert numbers["late"] not in waiting  # it waits on the Kabid, not on him
    assert f'href="/admin/antrian/kadis/details/?id={ids["older"]}"' in waiting
    assert re.search(r"(menit|jam|hari kerja)</span>", waiting)  # each with its age
    late = _section(html, "terlambat-dinas")
    assert numbers["late"] in late and f"Kabid PKPL: {kabid_name}" in late
    assert re.search(r"terlambat \d+ hari kerja", late)
    assert f'href="/admin/pengaduan/details/?id={ids["late"]}"' in late
    assert numbers["older"] not in late
    assert NAME not in html and SUBJECT not in html
    # The list behind "Lihat semua" is the register's late ones.
    target = re.search(r'href="([^"]*)">Lihat semua', late).group(1).replace("&amp;", "&")
    auth.login("kadis")
    listing = client.get(target).get_data(as_text=True)
    assert numbers["late"] in listing and numbers["older"] not in listing
    # The page keeps what waits and the week's intake beneath.
    assert "Menunggu tindakan Anda" in html and "Pengaduan masuk per minggu" in html


def test_an_acting_kadis_sees_the_kadis_section_and_a_kasi_does_not(app, client, auth):
    with app.app_context():
        c = register_complaint("media_sosial")
        number = c.reg_number
        today = today_wib()
        db.session.add(ActingAppointment(user_id=user("kabid").id, role="kadis", kind="Plh.",
                                         position="Plh. Kepala Dinas", starts_on=today,
                                         ends_on=today))  # fmt: skip
        db.session.commit()
    acting = _home(client, auth, "kabid")
    assert {"disposisi-menunggu", "segera-kabid"} <= _sections(acting)
    assert number in _section(acting, "disposisi-menunggu")
    kasi = _home(client, auth, "kasi")
    assert "disposisi-menunggu" not in _sections(kasi) and number not in kasi


def test_kabid_and_kasi_see_their_most_urgent_items_and_the_coming_meeting(app, client, auth):
    with app.app_context():
        c = register_complaint("media_sosial")
        act(c, "kadis", "arahan")
        act(c, "kabid", "perintah_kasi")
        cid, number = c.id, c.reg_number
    kasi = _home(client, auth, "kasi")
    assert number in _section(kasi, "segera-kasi")
    assert f'href="/admin/antrian/kasi/details/?id={cid}"' in kasi
    assert "Belum ada rapat koordinasi" in _section(kasi, "rapat-koordinasi")
    with app.app_context():
        act(db.session.get(Complaint, cid), "kasi", "rakor", place="Ruang Rapat Lt. 2")
        # SOP.48 records its meeting within step 5: called for tomorrow, it comes second.
        later = register_complaint("curhat_ning_ita")
        for who, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi")):
            act(later, who, outcome)
        act(later, "kasi", "rakor", day=(today_wib() + timedelta(days=1)).isoformat())
        later_number = later.reg_number
    for who in ("kasi", "kabid"):
        meetings = _section(_home(client, auth, who), "rapat-koordinasi")
        assert number in meetings and "pukul 09:00 WIB" in meetings
        assert "Ruang Rapat Lt. 2" in meetings
        assert meetings.index(number) < meetings.index(later_number)
    # The Kabid leads the meeting: it is in his queue too, by its due moment.
    assert number in _section(_home(client, auth, "kabid"), "segera-kabid")
    with app.app_context():  # once its Berita Acara is recorded the meeting is behind
        act(db.session.get(Complaint, cid), "teknis1", "berita_acara")
    meetings = _section(_home(client, auth, "kasi"), "rapat-koordinasi")
    assert number not in meetings and later_number in meetings
    assert NAME not in kasi and SUBJECT not in kasi


def test_the_front_office_sees_todays_intake_the_waiting_submission_and_letters_to_send(
    app, client, auth
):
    from models.submission import submit

    with app.app_context():
        today_ones = [register_complaint("media_sosial"), register_complaint("curhat_ning_ita")]
        yesterday = register_complaint("media_sosial")
        yesterday.received_at = yesterday.received_at - timedelta(days=1)
        db.session.commit()
        fields = {"jenis_id": db.session.scalar(select(Jenis.id).limit(1)),
                  "subject": "Antrean OSS lambat", "description": "Lama sekali.",
                  "name": "Rina Wulandari", "email": "", "whatsapp": "", "address": "",
                  "is_anonymous": False, "is_confidential": False}  # fmt: skip
        sid = submit(fields, [], "10.0.0.9").submission.id
        answered = today_ones[1]  # SOP.48: answered by the Kasi, then sent by the FO
        for who, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "jawab")):
            act(answered, who, outcome)
        numbers = [c.reg_number for c in today_ones]
        old_number = yesterday.reg_number
    html = _home(client, auth, "fo")
    intake = _section(html, "masuk-hari-ini")
    assert 'id="jumlah-masuk-hari-ini">2<' in intake
    assert all(n in intake for n in numbers) and old_number not in intake
    waiting = _section(html, "menunggu-registrasi")
    assert 'id="jumlah-menunggu-registrasi">1<' in waiting
    assert f'href="/admin/formulir-daring/lihat/?id={sid}"' in waiting
    letters = _section(html, "surat-dikirim")
    assert 'id="jumlah-surat-dikirim">1<' in letters
    assert 'href="/admin/antrian/fo/"' in letters
    assert html.count('href="/admin/antrian/fo/registrasi/"') >= 2  # the menu and the button
    for secret in (NAME, SUBJECT, "Rina Wulandari", "Antrean OSS"):
        assert secret not in html


def test_the_admin_sees_what_setup_is_missing_and_where_to_fix_it(app, client, auth):
    from models.sop_revision import copy_revision

    html = _home(client, auth, "admin")
    checklist = _section(html, "persiapan")
    assert "logo belum diunggah" in checklist and 'href="/admin/kop-surat/"' in checklist
    assert "Jam kantor belum diatur" not in checklist  # seeded: Monday to Friday
    assert "belum memiliki email" not in checklist  # every demo official has one
    assert "Peran Anda tidak memiliki antrian." in html
    with app.app_context():
        settings = db.session.get(AgencySettings, 1)
        settings.logo, settings.logo_mime = b"\x89PNG\r\n\x1a\n" + b"\0" * 16, "image/png"
        db.session.execute(delete(OfficeHours))
        db.session.add(User(username="operator", full_name="Operator Tanpa Surel", role="fo",
                            password_hash="x"))  # fmt: skip
        source = db.session.scalar(select(Sop).where(Sop.code == "SOP.50", Sop.draft.is_(False)))
        draft = copy_revision(source, today_wib() + timedelta(days=1))
        db.session.commit()
        draft_id, draft_title = draft.id, f"Draf SOP.50 rev. {draft.revision} belum diterbitkan"
        operator_id = db.session.scalar(select(User.id).where(User.username == "operator"))
    checklist = _section(_home(client, auth, "admin"), "persiapan")
    assert "logo belum diunggah" not in checklist
    assert "Jam kantor belum diatur" in checklist and 'href="/admin/jam-kantor/"' in checklist
    assert "1 pengguna aktif belum memiliki email" in checklist
    assert f'href="/admin/pengguna/edit/?id={operator_id}"' in checklist
    assert draft_title in checklist and f'href="/admin/sop/details/?id={draft_id}"' in checklist
    with app.app_context():
        db.session.delete(db.session.get(Sop, draft_id))
        db.session.add_all(OfficeHours(weekday=d) for d in range(5))
        db.session.get(User, operator_id).email = "operator@dpmptsp.example"
        db.session.commit()
    checklist = _section(_home(client, auth, "admin"), "persiapan")
    assert "Semua persiapan sudah lengkap." in checklist


def test_the_home_page_reads_a_bounded_number_of_statements(app, client, auth):
    """However many complaints wait, the Kadis's home asks the database the same few things."""
    from sqlalchemy import event

    def statements() -> int:
        count = 0

        def counted(*_args):
            nonlocal count
            count += 1

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counted)
        try:
            client.get("/admin/")
        finally:
            event.remove(engine, "before_cursor_execute", counted)
        return count

    auth.login("kadis")
    with app.app_context():
        first = register_complaint("media_sosial")
        first.due_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    statements()  # the process's caches (pick lists, calendar) filled
    few = statements()
    with app.app_context():
        for _ in range(4):
            c = register_complaint("media_sosial")
            c.due_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    assert statements() == few
