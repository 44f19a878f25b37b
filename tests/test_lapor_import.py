"""The front office imports SP4N-LAPOR! reports (the admin export, or one keyed in): new ones
wait for registration in the channel SP4N-LAPOR!, a second import creates nothing, a changed
report is reported and not overwritten, a bad file is refused whole with its line numbers;
registered, a report's LAPOR! fields are the complaint's, found by its Tracking ID."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from admin_views.complaint_export import EXPORT_HEADERS
from admin_views.submissions import SAMPLE
from models import Complaint, db
from models.lapor import LAPOR_CHANNEL, RESULTS
from models.lapor_file import read_reports
from models.submission import Submission
from models.types import utcnow
from tests.conftest import csrf_token

IMPORT = "/admin/formulir-daring/impor-lapor/"


def _upload(client, content: bytes, name="ekspor.csv"):
    token = csrf_token(client, IMPORT)
    return client.post(IMPORT, data={"csrf_token": token, "mode": "berkas",
                                     "upload": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")  # fmt: skip


def _results(page: str) -> list[tuple[str, str]]:
    rows = re.findall(r"<tr[^>]*><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td>", page)
    return [(tid, result) for _line, tid, result in rows]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_sample_export_is_imported_once_and_a_change_is_reported(app, client, auth):
    sample = SAMPLE.read_bytes()
    ids = [r.tracking_id for r in read_reports(sample, "contoh")]
    auth.login("fo")
    first = _upload(client, sample)
    assert first.status_code == 200
    assert _results(first.get_data(as_text=True)) == [(i, RESULTS["created"]) for i in ids]
    with app.app_context():
        made = db.session.scalars(select(Submission).order_by(Submission.id)).all()
        assert [s.lapor_tracking_id for s in made] == ids
        assert {s.channel.code for s in made} == {LAPOR_CHANNEL}
        assert all(s.status == "waiting" and s.due_at > s.received_at for s in made)
        assert made[2].is_anonymous and made[2].is_confidential and made[2].name == ""
    again = _upload(client, sample)
    assert _results(again.get_data(as_text=True)) == [(i, RESULTS["same"]) for i in ids]
    changed = sample.replace(b"NIB belum terbit setelah dua minggu", b"NIB belum terbit juga")
    third = _results(_upload(client, changed).get_data(as_text=True))
    assert third[0] == (ids[0], RESULTS["changed"])
    with app.app_context():
        assert _count(Submission) == len(ids)
        kept = db.session.scalar(select(Submission.subject).where(
            Submission.lapor_tracking_id == ids[0]))  # fmt: skip
        assert kept == "NIB belum terbit setelah dua minggu"  # not overwritten
    listing = client.get("/admin/formulir-daring/").get_data(as_text=True)
    assert f"LAPOR! {ids[1]}" in listing


def test_a_malformed_file_is_refused_whole_with_its_lines(app, client, auth):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    broken = lines[:2] + [",,kemarin,,,,Keluhan,Mungkin,Tidak,,"] + lines[2:]
    auth.login("fo")
    response = _upload(client, "\n".join(broken).encode())
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Tidak ada laporan yang diimpor" in text
    assert "Baris 3:" in text and "Tracking ID kosong" in text and "klasifikasi" in text
    with app.app_context():
        assert _count(Submission) == 0


def test_one_report_keyed_in_is_checked_like_a_line_of_the_export(app, client, auth):
    auth.login("fo")
    form = {"mode": "satu", "tracking_id": "LPR-5555", "reported_at": "2026-11-30T08:00",
            "title": "Papan reklame roboh", "text": "Di Jl. Majapahit.",
            "classification": "Pengaduan", "category": "Reklame"}  # fmt: skip
    missing = auth.post(IMPORT, {**form, "text": ""})
    assert missing.status_code == 400 and "isi laporan kosong" in missing.get_data(as_text=True)
    done = auth.post(IMPORT, form)
    assert _results(done.get_data(as_text=True)) == [("LPR-5555", RESULTS["created"])]


def test_a_registered_report_keeps_its_lapor_fields_and_is_found_by_its_id(app, client, auth):
    auth.login("fo")
    _upload(client, SAMPLE.read_bytes())
    with app.app_context():
        s = db.session.scalar(select(Submission).where(Submission.lapor_tracking_id
                                                       == "LPR-2H8V5N"))  # fmt: skip
        sid, received = s.id, s.received_at
    page = client.get(f"/admin/formulir-daring/registrasi/?id={sid}").get_data(as_text=True)
    data = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    data.update(
        jenis_id=re.search(r'<option selected value="(\d+)">', page).group(1),
        subject="Syarat izin reklame", description="Apa saja syaratnya?",
        complainant_name="", is_anonymous="y",
    )  # fmt: skip
    data.pop("lapor_tracking_no", None)  # the report's own Tracking ID is kept regardless
    response = client.post(f"/admin/formulir-daring/registrasi/?id={sid}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        c = db.session.scalar(select(Complaint))
        assert (c.lapor_tracking_no, c.lapor_classification, c.lapor_category) == (
            "LPR-2H8V5N",
            "permintaan_informasi",
            "Perizinan Non Berusaha",
        )
        assert c.received_at == received and c.channel.code == LAPOR_CHANNEL
        assert c.jenis.code == "informasi"  # the classification's jenis, as prefilled
        number = c.reg_number
    found = client.get("/admin/pengaduan/?search=lpr-2h8v5n").get_data(as_text=True)
    assert number in found
    arg = re.search(r'"Klasifikasi LAPOR!": \[\{"arg": "(\d+)"', found).group(1)
    for value, listed in (("permintaan_informasi", True), ("aspirasi", False)):
        page = client.get(f"/admin/pengaduan/?flt0_{arg}={value}").get_data(as_text=True)
        assert (number in page) is listed, value
    export = client.get("/admin/pengaduan/ekspor/csv/")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    export.close()  # the export's spooled file goes with the response
    row = next(r for r in rows if r[0] == number)
    assert row[EXPORT_HEADERS.index("Klasifikasi LAPOR!")] == "Permintaan informasi"


def _registered_report(app, reported, forwarded, name="Budi Santoso"):
    """A LAPOR! report imported and registered by the front office now; its complaint."""
    from models.lapor import import_reports
    from models.lapor_file import Report
    from models.workflow import register
    from tests.workflow_helpers import registration, user

    report = Report(line=1, tracking_id="LPR-4242", reported_at=reported, title="NIB",
                    text="NIB belum terbit.", classification="pengaduan",
                    forwarded_at=forwarded)  # fmt: skip
    import_reports([report], user("fo"))
    s = db.session.scalar(select(Submission))
    return register(
        user("fo"),
        registration("lapor", complainant_name=name, subject="NIB belum terbit"),
        submission=s,
    )


def test_a_lapor_complaints_limits_follow_up_and_posting(app, client, auth):
    from datetime import timedelta

    from models.lapor import mark_followup_posted, national_limits
    from models.types import utcnow
    from tests.workflow_helpers import SOP_50_WALK, act, user

    now = utcnow()
    with app.app_context():
        # Reported ten days ago and forwarded today: LAPOR!'s own 3 working days missed.
        c = _registered_report(app, now - timedelta(days=10), now)
        limits = {x.kind: x for x in national_limits(c, now)}
        assert limits["verify"].state == "missed" and limits["follow_up"].state == "open"
        assert "close" not in limits
        cid, number = c.id, c.reg_number
        for who, _queue, outcome in SOP_50_WALK:
            extra = {"body": "Sdr. Budi Santoso, NIB Saudara telah terbit."} if outcome in (
                "jawaban_tertulis",) else {}  # fmt: skip
            act(db.session.get(Complaint, cid), who, outcome, **extra)
    auth.login("fo")
    page = client.get(f"/admin/pengaduan/details/?id={cid}").get_data(as_text=True)
    box = re.search(r'<textarea id="tindak-lanjut"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "LPR-4242" in box and "Pelapor, NIB Saudara telah terbit." in box
    assert "Budi" not in box
    pending = client.get("/admin/formulir-daring/tindak-lanjut-lapor/csv/")
    rows = list(csv.reader(io.StringIO(pending.get_data(as_text=True).lstrip("\ufeff"))))
    pending.close()
    assert [r[2] for r in rows[1:]] == [number] and "Budi" not in rows[1][-1]
    posted = auth.post(f"/admin/pengaduan/lapor-terkirim/?id={cid}", {},
                       form_page=f"/admin/pengaduan/details/?id={cid}")  # fmt: skip
    assert posted.status_code == 302
    with app.app_context():
        c = db.session.get(Complaint, cid)
        assert c.lapor_followup_by_id == user("fo").id
        limits = {x.kind: x for x in national_limits(c, utcnow())}
        assert limits["follow_up"].state == "met" and limits["close"].state == "open"
        assert not mark_followup_posted(cid, user("fo"))  # once
    with app.app_context():
        from models.dates import to_wib
        from models.lapor import FOLLOW_UP_DAYS
        from models.recap import build_recap, parse_period

        recap = build_recap(parse_period("bulan", f"{to_wib(utcnow()):%Y-%m}"))
        assert (recap.lapor_posted, recap.lapor_met) == (1, 1)
    listing = client.get("/admin/pengaduan/").get_data(as_text=True)
    assert "LAPOR! " in listing and "terpenuhi" in listing
    auth.logout()
    auth.login("kabid")
    page = client.get("/admin/rekap/").get_data(as_text=True)
    assert f"1 dalam {FOLLOW_UP_DAYS} hari kerja sejak diteruskan (100%)" in page
    auth.logout()
    auth.login("fo")
    again = client.get("/admin/formulir-daring/tindak-lanjut-lapor/csv/")
    assert len(list(csv.reader(io.StringIO(again.get_data(as_text=True))))) == 1
    again.close()


def test_a_follow_up_posted_late_is_counted_as_missed(app):
    from datetime import timedelta

    from models.calendar import load_calendar
    from models.lapor import national_limits
    from models.types import utcnow

    with app.app_context():
        now = utcnow()
        c = _registered_report(app, now - timedelta(days=1), now - timedelta(hours=1))
        late = load_calendar().add(c.lapor_forwarded_at, {"working_days": 5}) + timedelta(
            minutes=1)  # fmt: skip
        c.lapor_followup_at = late
        limits = {x.kind: x for x in national_limits(c, late)}
        assert limits["follow_up"].state == "missed"
        assert limits["verify"].state == "met"


@pytest.mark.parametrize(
    ("mode", "error"),
    [("ok", None), ("refuse", "menolak"), ("error", "HTTP 500"), ("hang", "timed out")],
)
def test_the_follow_up_goes_to_lapors_api_through_the_worker(app, client, auth, monkeypatch,
                                                              mode, error):  # fmt: skip
    from models.delivery import deliver
    from models.lapor_api import LaporPost
    from tests.fake_servers import Gateway
    from tests.workflow_helpers import SOP_50_WALK, act

    with Gateway() as lapor:
        lapor.mode, lapor.hang = mode, 1.0
        for key, value in (
            ("LAPOR_API_URL", lapor.base),
            ("LAPOR_API_TOKEN", "tok-123"),
            ("LAPOR_API_TIMEOUT", "0.3"),
            ("NOTIFY_MAX_ATTEMPTS", "2"),
        ):
            monkeypatch.setitem(app.config, key, value)
        with app.app_context():
            cid = _registered_report(app, utcnow() - timedelta(days=2), utcnow()).id
            for who, _queue, outcome in SOP_50_WALK[:-1]:  # answered, not yet sent
                act(db.session.get(Complaint, cid), who, outcome)
        auth.login("fo")
        queued = auth.post(f"/admin/pengaduan/lapor-kirim/?id={cid}", {},
                           form_page=f"/admin/pengaduan/details/?id={cid}")  # fmt: skip
        assert queued.status_code == 302
        with app.app_context():
            first = deliver()
            post = db.session.scalar(select(LaporPost))
            if mode != "ok":  # tried again after its backoff, then failed
                assert first.retried == 1 and post.status == "pending"
                deliver(now=post.next_attempt_at)
                db.session.expire_all()
                post = db.session.scalar(select(LaporPost))
            complaint = db.session.get(Complaint, cid)
            if error is None:
                assert post.status == "sent" and complaint.lapor_followup_at is not None
                (request,) = lapor.requests
                assert request["path"] == "/laporan/LPR-4242/tindak-lanjut"
                assert request["headers"]["Authorization"] == "Bearer tok-123"
                assert request["fields"]["tracking_id"] == "LPR-4242"
                assert "Budi" not in request["fields"]["content"]
            else:
                assert post.status == "failed" and error in post.last_error
                assert post.attempts == 2 and complaint.lapor_followup_at is None


def test_the_kasi_is_offered_no_import_he_may_not_do(app, client, auth):
    auth.login("kasi")
    listing = client.get("/admin/formulir-daring/").get_data(as_text=True)
    assert "impor-lapor" not in listing
    assert client.get(IMPORT).status_code == 403
    auth.logout()
    auth.login("fo")
    assert "impor-lapor" in client.get("/admin/formulir-daring/").get_data(as_text=True)


def test_the_front_office_is_reminded_to_close_a_report_nobody_answered(app, client, auth):
    from datetime import timedelta

    from models.calendar import load_calendar
    from models.lapor import CLOSE_DAYS, mark_followup_posted, national_limits
    from models.notifications import Notification, sweep
    from models.types import utcnow
    from tests.workflow_helpers import SOP_50_WALK, act, user

    now = utcnow()
    with app.app_context():
        c = _registered_report(app, now - timedelta(days=2), now - timedelta(days=1))
        for who, _queue, outcome in SOP_50_WALK:
            act(db.session.get(Complaint, c.id), who, outcome)
        mark_followup_posted(c.id, user("fo"), now=now)
        calendar = load_calendar()
        closes = calendar.add(now, {"working_days": CLOSE_DAYS})
        before, after = closes - timedelta(hours=1), closes + timedelta(minutes=1)
        while not calendar.is_open(after):
            after += timedelta(minutes=30)
        while not calendar.is_open(before):
            before -= timedelta(minutes=30)
        cid = c.id

        def told():
            return db.session.scalars(select(Notification).where(
                Notification.complaint_id == cid, Notification.channel == "app",
                Notification.subject.contains("dapat ditutup"))).all()  # fmt: skip

        sweep(before, calendar)
        assert told() == []  # not before LAPOR!'s closing days have passed
        sweep(after, calendar)
        sweep(after + timedelta(minutes=10), calendar)  # once
        assert [n.recipient.username for n in told()] == ["fo"]
        close = {x.kind: x for x in national_limits(db.session.get(Complaint, cid), after)}
        assert close["close"].state == "late"
    auth.login("fo")
    page = f"/admin/pengaduan/details/?id={cid}"
    assert "Tandai laporan sudah ditutup di LAPOR!" in client.get(page).get_data(as_text=True)
    assert auth.post(f"/admin/pengaduan/lapor-tutup/?id={cid}", {},
                     form_page=page).status_code == 302  # fmt: skip
    assert 'id="lapor-ditutup"' in client.get(page).get_data(as_text=True)
    with app.app_context():
        closed = {x.kind: x for x in national_limits(db.session.get(Complaint, cid), after)}
        assert closed["close"].state == "met"
