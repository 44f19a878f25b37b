"""A complaint that may be the same matter as one received in the last 60 days is shown as a
warning with links — by the same contact across channels, the same LAPOR! Tracking ID, or the
subject's words — never a block."""

import re
from datetime import timedelta

from sqlalchemy import select

from models import Complaint, db
from models.duplicates import REASONS, WINDOW_DAYS, similar
from models.submission import Submission
from models.types import utcnow
from tests.test_public_form import send, sent_code
from tests.workflow_helpers import register_complaint, user


def _first(app):
    with app.app_context():
        c = register_complaint("kantor", subject="Izin reklame papan nama belum terbit",
                               complainant_contact="budi@example.com / 0812-3456-7890")  # fmt: skip
        return c.id, c.reg_number


def test_found_by_contact_across_channels_and_by_the_subjects_words(app):
    cid, number = _first(app)
    with app.app_context():
        fo = user("fo")
        by_mail = similar(fo, "Hal lain sama sekali", "BUDI@example.com")
        by_number = similar(fo, "Hal lain sama sekali", "+62 812 3456 7890")
        by_text = similar(fo, "Papan reklame: izin belum terbit juga", "")
        assert [(m.reg_number, m.why) for m in by_mail] == [(number, REASONS["contact"])]
        assert [m.id for m in by_number] == [cid]
        assert [(m.id, m.why) for m in by_text] == [(cid, REASONS["text"])]
        assert similar(fo, "Antrean loket parkir kendaraan", "siti@example.com") == []
        assert similar(fo, "Izin reklame papan nama belum terbit", exclude_id=cid) == []
        c = db.session.get(Complaint, cid)  # older than the window: no longer a candidate
        c.received_at = utcnow() - timedelta(days=WINDOW_DAYS + 1)
        db.session.commit()
        assert similar(fo, "Papan reklame: izin belum terbit juga", "budi@example.com") == []


def test_the_front_office_is_warned_on_the_submission_and_at_the_desk(app, client, auth,
                                                                      monkeypatch):  # fmt: skip
    from tests.workflow_helpers import registration

    monkeypatch.setitem(app.config, "SUBMIT_MIN_SECONDS", 0)
    cid, number = _first(app)
    sent_code(client, send(client, email="budi@example.com", subject="Reklame toko saya"))
    with app.app_context():
        sid = db.session.scalar(select(Submission.id))
    auth.login("fo")
    page = client.get(f"/admin/formulir-daring/lihat/?id={sid}").get_data(as_text=True)
    warning = re.search(r'<div class="alert alert-warning" id="mungkin-sama">(.*?)</div>',
                        page, re.S).group(1)  # fmt: skip
    assert number in warning and REASONS["contact"] in warning
    assert f"/admin/pengaduan/details/?id={cid}" in warning
    form = client.get(f"/admin/formulir-daring/registrasi/?id={sid}").get_data(as_text=True)
    assert 'id="mungkin-sama"' in form and "Registrasi dan teruskan" in form  # never a block
    with app.app_context():
        data = registration("media_sosial", subject="Papan reklame izin belum terbit",
                            complainant_contact="@budi")  # fmt: skip
    done = auth.post("/admin/pengaduan/registrasi/", data)
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"mungkin sama dengan {number} ({REASONS['text']})" in page


def test_a_confidential_complaint_off_the_readers_path_is_not_named_as_a_duplicate(app):
    with app.app_context():
        secret = register_complaint(
            "kantor",
            subject="Upah lembur tidak dibayar pabrik",
            complainant_contact="0813-1111-2222",
            is_confidential="y",
        )
        mine = register_complaint("kantor", subject="Upah lembur tidak dibayar pabrik",
                                  complainant_contact="0813-1111-2222")  # fmt: skip
        args = ("Upah lembur tidak dibayar pabrik", "0813 1111 2222")
        assert {m.id for m in similar(user("fo"), *args)} == {secret.id, mine.id}
        # The Kasi is not on the confidential complaint's path (it waits on the Kadis).
        assert {m.id for m in similar(user("kasi"), *args)} == {mine.id}
