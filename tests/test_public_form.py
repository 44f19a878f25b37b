"""A citizen sends a complaint through the public form: it waits in the front office's list
with the registration step's due moment, is registered (corrected) or archived; the code the
citizen got follows it; bots and floods are refused without losing a real citizen's text."""

import re

import pytest
from sqlalchemy import func, select

from models import Attachment, Complaint, db
from models.calendar import load_calendar
from models.notifications import Notification
from models.submission import ARCHIVE_REASONS, Submission, online_channel
from models.throttle import RateEvent
from models.tracking import code_hash, format_code
from models.workflow import due_moments, registration_step
from tests.conftest import csrf_token
from tests.workflow_helpers import uid

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
CODE = re.compile(r'id="kode-lacak">([A-Z0-9-]+)<')


@pytest.fixture(autouse=True)
def _no_wait(app, monkeypatch):
    # A test fills the form at once (one test sets a wait); config is put back after each.
    monkeypatch.setitem(app.config, "SUBMIT_MIN_SECONDS", 0)


def form_data(client, **overrides) -> dict:
    """The public form as a citizen fills it (tokens read from the page, like a browser)."""
    page = client.get("/lapor/").get_data(as_text=True)
    opened = re.search(r'name="opened" type="hidden" value="([^"]+)"', page).group(1)
    jenis = re.search(r'<option value="(\d+)">Pengaduan</option>', page).group(1)
    data = {
        "csrf_token": csrf_token(client, "/lapor/"),
        "opened": opened,
        "jenis_id": jenis,
        "subject": "Izin usaha belum terbit",
        "description": "Permohonan NIB saya sejak 3 minggu belum ada kabar.",
        "name": "Rina Wulandari",
        "email": "rina@example.com",
        "whatsapp": "0812-3456-7890",
        "address": "Jl. Majapahit 12, Mojokerto",
        "consent": "y",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def send(client, address="10.0.0.1", **overrides):
    return client.post("/lapor/", data=form_data(client, **overrides),
                       content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": address})  # fmt: skip


def sent_code(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return CODE.search(page).group(1)


def test_a_sent_form_waits_for_registration_with_its_due_moment(app, client):
    response = send(client, attachments=[(__import__("io").BytesIO(PNG), "foto.png")])
    code = sent_code(client, response)
    again = client.get("/lapor/terkirim/").get_data(as_text=True)
    assert code.replace("-", "") not in again.replace("-", "")  # shown once
    with app.app_context():
        s = db.session.scalar(select(Submission))
        assert s.tracking_hash == code_hash(code.replace("-", "")) and s.status == "waiting"
        assert s.channel_id == online_channel().id and s.sop.code == online_channel().sop_code
        due, _ = due_moments(s.received_at, registration_step(s.sop), load_calendar())
        assert s.due_at == due
        assert [f.filename for f in s.files] == ["foto.png"]
        told = db.session.scalars(
            select(Notification).where(
                Notification.submission_id == s.id, Notification.channel == "app"
            )
        ).all()
        assert {n.recipient_id for n in told} == {uid("fo")}
        assert "Rina" not in told[0].body and "rina@" not in told[0].body
    page = client.get(f"/lacak/?kode={code}").get_data(as_text=True)
    assert "Izin usaha belum terbit" in page and "menunggu" in page and "Rina" not in page


def test_an_anonymous_citizens_identity_is_not_kept(app, client):
    code = sent_code(client, send(client, is_anonymous="y"))
    with app.app_context():
        s = db.session.scalar(select(Submission))
        assert (s.name, s.email, s.whatsapp, s.address) == ("", "", "", "")
        assert s.is_anonymous and code


@pytest.mark.parametrize("trap", [{"website": "http://spam.example"}, {"opened": "forged"}])
def test_a_bots_form_is_refused_and_the_text_kept(app, client, trap):
    response = send(client, **trap)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Izin usaha belum terbit" in text
    assert "Permohonan NIB saya sejak 3 minggu" in text and "Rina Wulandari" in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_a_form_sent_too_soon_is_refused_then_taken(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_MIN_SECONDS", 60)
    data = form_data(client)
    response = client.post("/lapor/", data=data)
    assert response.status_code == 400 and "terlalu cepat" in response.get_data(as_text=True)
    assert "Izin usaha belum terbit" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "SUBMIT_MIN_SECONDS", 0)
    assert client.post("/lapor/", data=data).status_code == 302


def test_without_a_csrf_token_nothing_is_taken_and_the_text_comes_back(app, client):
    response = send(client, csrf_token="")
    assert response.status_code == 400 and "Izin usaha belum terbit" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_floods_are_held_per_address_and_per_contact(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_PER_ADDRESS", 2)
    monkeypatch.setitem(app.config, "SUBMIT_PER_CONTACT", 3)
    assert send(client, address="10.0.0.1").status_code == 302
    assert send(client, address="10.0.0.1").status_code == 302
    held = send(client, address="10.0.0.1", subject="Ketiga kalinya")
    text = held.get_data(as_text=True)
    assert held.status_code == 429 and "Ketiga kalinya" in text and "menit" in text
    # The same e-mail from another address: its third is taken, its fourth held.
    assert send(client, address="10.0.0.2").status_code == 302
    assert send(client, address="10.0.0.3").status_code == 429
    assert send(client, address="10.0.0.3", email="", whatsapp="").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 4
        stored = " ".join(db.session.scalars(select(RateEvent.key)))
        assert "rina@example.com" not in stored  # a contact's hash, not the contact


def test_bad_input_is_explained_in_indonesian_and_kept(app, client):
    response = send(
        client,
        subject="",
        email="bukan-email",
        name="",
        attachments=[(__import__("io").BytesIO(b"MZ not an image"), "foto.png")],
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Pokok pengaduan wajib diisi" in text and "Alamat email tidak valid" in text
    assert "Nama wajib diisi" in text and "Permohonan NIB saya sejak 3 minggu" in text
    response = send(client, consent=None)
    assert "Centang persetujuan" in response.get_data(as_text=True)


def _login_fo(client, auth):
    auth.login("fo")


def test_the_front_office_registers_it_with_corrections_and_the_code_follows(app, client, auth):
    import io

    code = sent_code(client, send(client, attachments=[(io.BytesIO(PNG), "foto.png")]))
    with app.app_context():
        s = db.session.scalar(select(Submission))
        sid, received = s.id, s.received_at
    _login_fo(client, auth)
    listing = client.get("/admin/formulir-daring/").get_data(as_text=True)
    assert "Izin usaha belum terbit" in listing
    page = client.get(f"/admin/formulir-daring/registrasi/?id={sid}").get_data(as_text=True)
    assert "Rina Wulandari" in page and "rina@example.com" in page
    data = {name: value for name, value in re.findall(
        r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page)}  # fmt: skip
    data.update(
        jenis_id=re.search(r'<option value="(\d+)">Saran</option>', page).group(1),
        subject="Penerbitan NIB terlambat",
        description="Permohonan NIB sejak 3 minggu belum terbit.",
        complainant_name="Rina Wulandari",
        complainant_contact="rina@example.com, +62 812-3456-7890",
        channel_id="1",  # a crafted channel: the citizen's stays
        received_at="2020-01-01T08:00",  # and so does the moment it came
    )
    response = client.post(f"/admin/formulir-daring/registrasi/?id={sid}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        c = db.session.scalar(select(Complaint))
        assert c.subject == "Penerbitan NIB terlambat" and c.jenis.name == "Saran"
        assert c.channel_id == online_channel().id and c.received_at == received
        assert c.tracking_hash == code_hash(code.replace("-", ""))
        files = db.session.scalars(select(Attachment).where(Attachment.complaint_id == c.id))
        assert [a.filename for a in files] == ["foto.png"]
        s = db.session.get(Submission, sid)
        assert s.status == "registered" and s.complaint_id == c.id and s.tracking_hash is None
        assert s.files == []  # kept once: as the complaint's attachments
        number = c.reg_number
    again = client.post(f"/admin/formulir-daring/registrasi/?id={sid}", data=data)
    assert again.status_code == 302  # back to its page: already registered
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1
    page = client.get(f"/lacak/?kode={code}").get_data(as_text=True)
    assert number in page and "Diregistrasi" in page


def test_the_front_office_archives_it_and_the_citizen_reads_why(app, client, auth):
    code = sent_code(client, send(client))
    with app.app_context():
        sid = db.session.scalar(select(Submission.id))
    _login_fo(client, auth)
    response = auth.post(f"/admin/formulir-daring/arsipkan/?id={sid}",
                         {"reason": "terlalu_umum", "note": "Tidak ada rincian."},
                         form_page=f"/admin/formulir-daring/lihat/?id={sid}")  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/lacak/?kode={code}").get_data(as_text=True)
    assert "diarsipkan" in page and ARCHIVE_REASONS["terlalu_umum"] in page
    assert "Tidak ada rincian" not in page  # the office's note stays inside


@pytest.mark.parametrize("who", ["kadis", "kabid", "admin", "teknis1"])
def test_only_the_front_office_may_register_or_archive(app, client, auth, who):
    sent_code(client, send(client))
    with app.app_context():
        sid = db.session.scalar(select(Submission.id))
    auth.login(who)
    for path in ("/admin/formulir-daring/", f"/admin/formulir-daring/lihat/?id={sid}",
                 f"/admin/formulir-daring/registrasi/?id={sid}"):  # fmt: skip
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/admin/")
    response = client.post(f"/admin/formulir-daring/arsipkan/?id={sid}",
                           data={"csrf_token": token, "reason": "duplikat"})  # fmt: skip
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Submission, sid).status == "waiting"


def test_the_tracking_code_on_the_receipt_is_formatted(app, client):
    code = sent_code(client, send(client))
    assert code == format_code(code.replace("-", ""))


def test_a_waiting_submission_reminds_the_front_office_then_its_superior(app):
    from datetime import datetime, timedelta

    from models import Jenis
    from models.dates import WIB
    from models.notifications import Notice, digest_message, sweep
    from models.submission import submit
    from tests.workflow_helpers import user

    monday = datetime(2026, 12, 7, 9, 0, tzinfo=WIB)  # an office day
    with app.app_context():
        fields = {"jenis_id": db.session.scalar(select(Jenis.id).limit(1)),
                  "subject": "Antrean OSS", "description": "Lama sekali.", "name": "Rina",
                  "email": "", "whatsapp": "", "address": "", "is_anonymous": False,
                  "is_confidential": False}  # fmt: skip
        s = submit(fields, [], "10.0.0.9", now=monday).submission
        sid, due, soon = s.id, s.due_at, s.due_soon_at

        def told(event):
            return sorted(db.session.scalars(
                select(Notification.recipient_id).join(Notice)
                .where(Notification.submission_id == sid, Notification.channel == "app",
                       Notification.event == event)))  # fmt: skip

        sweep(now=soon + timedelta(minutes=1))
        assert told("due_soon") == [uid("fo")]
        sweep(now=due + timedelta(minutes=1))
        sweep(now=due + timedelta(minutes=2))  # once a day
        assert told("late") == sorted([uid("fo"), uid("kasi")])  # the Kasi is above the FO
        text = digest_message(user("fo"), ("fo",), due + timedelta(minutes=3)).body
        assert "Pengaduan daring menunggu registrasi (1, terlambat 1)" in text


def test_counted_events_of_past_days_are_pruned(app):
    from datetime import timedelta

    from models import throttle
    from models.types import utcnow

    with app.app_context():
        now = utcnow()
        throttle.count("track", "10.0.0.7", now - timedelta(days=throttle.KEEP_DAYS, minutes=1))
        throttle.count("track", "10.0.0.7", now - timedelta(hours=1))
        assert throttle.prune(now) == 1
        assert throttle.events("track", "10.0.0.7") == 1


def test_a_request_over_the_size_limit_is_explained(app, client, auth, monkeypatch):
    import io

    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)

    def big():
        return [(io.BytesIO(PNG + b"\0" * 100_000), "besar.png")]

    response = send(client, attachments=big())
    text = response.get_data(as_text=True)
    assert response.status_code == 413 and "terlalu besar" in text and "Kembali" in text
    assert "/admin" not in text
    auth.login("fo")
    token = csrf_token(client, "/admin/")
    response = client.post("/admin/pengaduan/registrasi/", data={
        "csrf_token": token, "attachments": big()}, content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 413 and "Kiriman terlalu besar" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_the_kasi_sees_the_list_restores_within_30_days_but_registers_nothing(app, client,
                                                                             auth):  # fmt: skip
    from datetime import timedelta

    from models.submission import RESTORE_DAYS, archive, restore
    from models.types import utcnow
    from tests.workflow_helpers import user

    code = sent_code(client, send(client))
    with app.app_context():
        sid = db.session.scalar(select(Submission.id))
        archive(sid, user("fo"), "spam", "")
    auth.login("kasi")
    assert client.get("/admin/formulir-daring/").status_code == 200
    assert client.get(f"/admin/formulir-daring/registrasi/?id={sid}").status_code == 403
    page = f"/admin/formulir-daring/lihat/?id={sid}"
    assert auth.post(f"/admin/formulir-daring/arsipkan/?id={sid}", {"reason": "spam"},
                     form_page=page).status_code == 403  # fmt: skip
    assert auth.post(f"/admin/formulir-daring/pulihkan/?id={sid}", {},
                     form_page=page).status_code == 302  # fmt: skip
    with app.app_context():
        s = db.session.get(Submission, sid)
        assert s.status == "waiting" and s.archive_reason is None
        archive(sid, user("fo"), "duplikat", "")
        s = db.session.get(Submission, sid)
        s.decided_at = utcnow() - timedelta(days=RESTORE_DAYS, minutes=1)
        db.session.commit()
        with pytest.raises(LookupError):
            restore(sid, user("kasi"))
    assert "diarsipkan" in client.get(f"/lacak/?kode={code}").get_data(as_text=True)


def test_the_desk_archives_a_message_that_is_no_complaint(app, client, auth):
    from tests.workflow_helpers import registration

    auth.login("fo")
    with app.app_context():
        data = registration("media_sosial", subject="Promo pinjaman online",
                            complainant_contact="promo@example.com")  # fmt: skip
    response = auth.post("/admin/pengaduan/registrasi/",
                         {**data, "archive": "1", "archive_reason": "spam"})  # fmt: skip
    assert response.status_code == 302 and "/formulir-daring/lihat/" in response.headers[
        "Location"]  # fmt: skip
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
        s = db.session.scalar(select(Submission))
        assert (s.status, s.archive_reason, s.subject) == (
            "archived",
            "spam",
            "Promo pinjaman online",
        )
        assert s.channel.code == "media_sosial" and s.email == "promo@example.com"
    listing = client.get("/admin/formulir-daring/?flt0_0=archived").get_data(as_text=True)
    assert "Promo pinjaman online" in listing


def test_the_recap_counts_what_was_archived_by_reason(app, client, auth):
    from models.dates import to_wib
    from models.recap import build_recap, parse_period
    from models.submission import ARCHIVE_REASONS, archive
    from models.types import utcnow
    from tests.workflow_helpers import user

    for _ in range(2):
        sent_code(client, send(client))
    with app.app_context():
        first, second = db.session.scalars(select(Submission.id).order_by(Submission.id))
        archive(first, user("fo"), "spam", "")
        archive(second, user("fo"), "duplikat", "")
        month = f"{to_wib(utcnow()):%Y-%m}"
        counted = dict(build_recap(parse_period("bulan", month)).by_archive)
        assert counted[ARCHIVE_REASONS["spam"]] == 1 == counted[ARCHIVE_REASONS["duplikat"]]
        assert sum(counted.values()) == 2
    auth.login("kabid")
    export = client.get(f"/admin/rekap/csv/?jenis=bulan&nilai={month}")
    text = export.get_data(as_text=True)
    export.close()
    assert f"Diarsipkan,{ARCHIVE_REASONS['spam']},1" in text


def test_a_confidential_submission_is_the_front_offices_alone_before_registration(app, client,
                                                                                 auth):  # fmt: skip
    sent_code(client, send(client, is_confidential="y", subject="Pungutan liar di loket"))
    with app.app_context():
        sid = db.session.scalar(select(Submission.id))
    auth.login("kasi")
    assert "Pungutan liar" not in client.get("/admin/formulir-daring/").get_data(as_text=True)
    assert client.get(f"/admin/formulir-daring/lihat/?id={sid}").status_code == 404
    auth.logout()
    auth.login("fo")
    assert "Pungutan liar" in client.get("/admin/formulir-daring/").get_data(as_text=True)
