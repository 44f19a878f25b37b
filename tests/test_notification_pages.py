"""What officials see of notifications: the bell's count the moment work arrives, the inbox
(mark read, open the complaint), the profile where each chooses channels (addresses checked,
typed text kept), and the admin's outbox, its resend and the dashboard's counts."""

import re

from sqlalchemy import select

from models import Complaint, Notification, db
from models.notifications import NotificationSettings
from tests.workflow_helpers import FORMS, act, register_complaint, user

BELL = re.compile(r'id="bell"[^>]*>.*?</a>', re.S)


def bell(client) -> int:
    page = client.get("/admin/").get_data(as_text=True)
    found = re.search(r'badge-warning bell-count">(\d+)<', BELL.search(page).group(0))
    return int(found.group(1)) if found else 0


def test_the_kabids_bell_rings_when_the_kadis_disposes(app, client, auth):
    with app.app_context():
        c = register_complaint("media_sosial")
        complaint_id, reg = c.id, c.reg_number
    auth.login("kabid")
    assert bell(client) == 0
    auth.logout()
    auth.login("kadis")
    assert bell(client) == 1  # the complaint's arrival
    with app.app_context():
        version = db.session.get(Complaint, complaint_id).version
        data = {**FORMS["arahan"](), "outcome": "arahan", "version": str(version)}
    response = auth.post(f"/admin/antrian/kadis/aksi/?id={complaint_id}", data,
                         form_page=f"/admin/antrian/kadis/details/?id={complaint_id}")  # fmt: skip
    assert response.status_code == 302
    auth.logout()
    auth.login("kabid")
    assert bell(client) == 1
    page = client.get("/admin/notifikasi/").get_data(as_text=True)
    assert reg in page and "Tugas baru" in page and "1 belum dibaca" in page
    with app.app_context():
        kabid = user("kabid").id
        mine = db.session.scalar(select(Notification.id).where(
            Notification.recipient_id == kabid, Notification.channel == "app"))  # fmt: skip
    opened = client.get(f"/admin/notifikasi/buka/{mine}")
    assert opened.headers["Location"].endswith(f"/admin/antrian/kabid/details/?id={complaint_id}")
    assert bell(client) == 0


def test_marking_read_touches_only_the_officials_own(app, client, auth):
    with app.app_context():
        c = register_complaint("media_sosial")
        act(c, "kadis", "arahan")  # one for the Kadis (arrival), one for the Kabid
        theirs = db.session.scalar(select(Notification.id).where(
            Notification.recipient_id == user("kadis").id))  # fmt: skip
    auth.login("kabid")
    auth.post("/admin/notifikasi/baca/", {"id": str(theirs)}, form_page="/admin/notifikasi/")
    auth.post("/admin/notifikasi/baca/", {"id": "abc"}, form_page="/admin/notifikasi/")
    assert bell(client) == 1  # a forged id and another's id fall away
    response = auth.post("/admin/notifikasi/baca/", {"semua": "1"},
                         form_page="/admin/notifikasi/")  # fmt: skip
    assert response.status_code == 302
    assert bell(client) == 0
    auth.logout()
    auth.login("kadis")
    assert bell(client) == 1
    assert client.get("/admin/notifikasi/?page=-1").status_code == 404


def test_a_notification_of_a_complaint_that_moved_on_says_so(app, client, auth):
    with app.app_context():
        c = register_complaint("media_sosial")
        act(c, "kadis", "arahan")
        act(c, "kabid", "perintah_kasi")
        act(c, "kasi", "rakor")
        act(c, "teknis1", "berita_acara")
        invited = db.session.scalar(select(Notification.id).where(
            Notification.recipient_id == user("teknis2").id))  # fmt: skip
    auth.login("teknis2")  # the meeting is over: the Tim Teknis may no longer open it
    response = client.get(f"/admin/notifikasi/buka/{invited}", follow_redirects=True)
    assert "sudah berpindah langkah" in response.get_data(as_text=True)


def test_the_profile_checks_addresses_keeps_what_was_typed_and_saves(app, client, auth):
    auth.login("kasi")
    page = client.get("/admin/profil/").get_data(as_text=True)
    assert "kasi@dpmptsp.example" in page
    bad = auth.post("/admin/profil/", {"email": "kasi@@dinas", "whatsapp": "0321-330900",
                                       "notify_email": "1", "notify_whatsapp": "1"})  # fmt: skip
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Alamat email tidak valid" in text and "nomor seluler Indonesia" in text
    assert 'value="kasi@@dinas"' in text and 'value="0321-330900"' in text
    good = auth.post("/admin/profil/", {"email": " Agus.Setiawan@Mojokerto.example ",
                                        "whatsapp": "+62 812-3456-7890", "notify_email": "0",
                                        "notify_whatsapp": "1"})  # fmt: skip
    assert good.status_code == 302
    with app.app_context():
        kasi = user("kasi")
        assert (kasi.email, kasi.whatsapp) == ("Agus.Setiawan@mojokerto.example", "6281234567890")
        assert (kasi.notify_email, kasi.notify_whatsapp) == (False, True)
    missing = auth.post("/admin/profil/", {"email": "", "whatsapp": "", "notify_email": "1",
                                           "notify_whatsapp": ""})  # fmt: skip
    assert missing.status_code == 400
    assert "Isi alamat email untuk menerima notifikasi lewat email." in missing.get_data(
        as_text=True)  # fmt: skip


def test_the_channels_follow_the_officials_choice_else_the_agencys_default(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    with app.app_context():
        kabid = user("kabid")
        kabid.notify_email = False  # the Kabid chose the app only
        db.session.add(NotificationSettings(id=1, email_default=True, late_repeat_limit=3))
        db.session.commit()
        c = register_complaint("media_sosial")
        act(c, "kadis", "arahan")
        channels = {(n.recipient.username, n.channel) for n in db.session.scalars(
            select(Notification).where(Notification.complaint_id == c.id))}  # fmt: skip
        assert channels == {("kadis", "app"), ("kadis", "email"), ("kabid", "app")}


def test_the_admin_sees_the_outbox_resends_failed_ones_and_counts_them(app, client, auth):
    with app.app_context():
        c = register_complaint("media_sosial", complainant_name="Siti Aminah")
        failed = Notification(notice_id=db.session.scalar(select(Notification.notice_id)),
                              recipient_id=user("kadis").id, channel="email",
                              address="kadis@dpmptsp.example", event="arrived",
                              complaint_id=c.id, subject="[Pengaduan] Tugas baru: uji",
                              body="uji", status="failed", attempts=5,
                              last_error="SMTP: ConnectionRefusedError")  # fmt: skip
        db.session.add(failed)
        db.session.commit()
        failed_id = failed.id
    auth.login("admin")
    home = client.get("/admin/").get_data(as_text=True)
    assert 'id="kotak-keluar"' in home
    assert re.search(r"Gagal</a><span[^>]*>1<", home)
    listing = client.get("/admin/notifikasi-keluar/?flt0_0=failed").get_data(as_text=True)
    assert "ConnectionRefusedError" in listing and "Siti" not in listing
    details = client.get(f"/admin/notifikasi-keluar/details/?id={failed_id}")
    assert details.status_code == 200 and "Siti" not in details.get_data(as_text=True)
    response = auth.post("/admin/notifikasi-keluar/action/",
                         {"action": "kirim_ulang", "rowid": [str(failed_id), "x"]},
                         form_page="/admin/notifikasi-keluar/")  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        again = db.session.get(Notification, failed_id)
        assert (again.status, again.attempts, again.last_error) == ("pending", 0, None)
    assert client.get("/admin/riwayat-pengiriman/").status_code == 200
    settings = auth.post("/admin/pengaturan-notifikasi/", {"late_repeat_limit": "0"})
    assert settings.status_code == 400
    assert "antara 1 dan 20" in settings.get_data(as_text=True)
    saved = auth.post("/admin/pengaturan-notifikasi/", {"late_repeat_limit": "2",
                                                        "email_default": "y"})  # fmt: skip
    assert saved.status_code == 302
    with app.app_context():
        row = db.session.get(NotificationSettings, 1)
        assert (row.late_repeat_limit, row.email_default, row.whatsapp_default,
                row.digest_enabled) == (2, True, False, False)  # fmt: skip
