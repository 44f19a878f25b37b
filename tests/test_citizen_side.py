"""The citizen is told (received with the code, registered, answered) through the outbox and
a real SMTP server, the address and code kept sealed and forgotten once sent; a finished
complaint is rated on the tracking page, changeable for a week; officials see the rating."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Complaint, db
from models.citizen_messages import CODE_MARK, CitizenMessage
from models.delivery import deliver
from models.submission import Submission
from models.survey import CHANGE_DAYS, UNSUR, rating_of
from models.tracking import format_code
from models.types import utcnow
from tests.conftest import csrf_token
from tests.fake_servers import smtp_server
from tests.test_public_form import send, sent_code
from tests.workflow_helpers import act, register_complaint

WALK_TO_ANSWER = (("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "jawab"))


@pytest.fixture(autouse=True)
def _no_wait(app, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_MIN_SECONDS", 0)


def _mail(app, monkeypatch, port):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", str(port))
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", "2")


def _messages(**where) -> list[CitizenMessage]:
    query = select(CitizenMessage).filter_by(**where).order_by(CitizenMessage.id)
    return list(db.session.scalars(query))


def _close(complaint_id: int) -> None:
    for who, outcome in (*WALK_TO_ANSWER, ("fo", "terkirim")):
        act(db.session.get(Complaint, complaint_id), who, outcome)


def test_the_citizen_gets_the_code_by_mail_and_nothing_of_it_stays(app, client, monkeypatch):
    with smtp_server() as (mailbox, port):
        _mail(app, monkeypatch, port)
        code = sent_code(client, send(client, whatsapp=""))
        with app.app_context():
            (message,) = _messages(event="received")
            plain = code.replace("-", "")
            for column in (message.body, message.subject, message.address_sealed,
                           message.code_sealed):  # fmt: skip
                assert plain not in column and "rina@example.com" not in column
            assert CODE_MARK in message.body
            assert deliver().sent == 2  # and the front office's e-mail of the new task
            db.session.expire_all()
            (message,) = _messages(event="received")
            assert message.status == "sent"
            assert message.address_sealed is None and message.code_sealed is None
        (mail,) = [m for to, m in mailbox.received if to == ["rina@example.com"]]
        text = mail.get_content()
        assert code in text and f"/lacak/?kode={code}" in text


def test_registered_and_answered_messages_reach_an_office_complainant(app, monkeypatch):
    with smtp_server() as (mailbox, port), app.app_context():
        _mail(app, monkeypatch, port)
        c = register_complaint("kantor", complainant_contact="budi@example.com / 0812 3456 7890")
        code, number = format_code(c.tracking_code), c.reg_number
        assert [m.event for m in _messages(complaint_id=c.id)] == ["registered"]  # no WA yet
        for who, outcome in WALK_TO_ANSWER:
            act(db.session.get(Complaint, c.id), who, outcome)
        assert len(_messages(complaint_id=c.id)) == 1  # an answer drafted is not sent
        act(db.session.get(Complaint, c.id), "fo", "terkirim")
        assert [m.event for m in _messages(complaint_id=c.id)] == ["registered", "answered"]
        deliver()
    registered, answered = [m for to, m in mailbox.received if to == ["budi@example.com"]]
    assert code in registered.get_content() and number in registered["Subject"]
    assert code not in answered.get_content() and "/lacak/" in answered.get_content()


def test_a_registered_submissions_message_does_not_need_the_code(app, client, auth,
                                                                 monkeypatch):  # fmt: skip
    with smtp_server() as (mailbox, port):
        _mail(app, monkeypatch, port)
        sent_code(client, send(client, whatsapp=""))
        with app.app_context():
            s = db.session.scalar(select(Submission))
            from models.workflow import register
            from tests.workflow_helpers import registration, user

            data = registration("media_sosial", subject=s.subject,
                                complainant_contact=s.contact)  # fmt: skip
            c = register(user("fo"), data, submission=s)
            (message,) = _messages(complaint_id=c.id)
            assert message.event == "registered" and message.code_sealed is None
            deliver()
        (text,) = [
            m.get_content()
            for to, m in mailbox.received
            if to == ["rina@example.com"] and "diregistrasi" in m["Subject"]
        ]
        assert "lihat tanda terima" in text


def _rate(client, code, **values):
    token = csrf_token(client, "/lapor/")
    return client.post("/lacak/nilai/", data={"csrf_token": token, "kode": code, **values})


def test_the_citizen_rates_a_finished_complaint_and_may_change_it_for_a_week(app, client):
    with app.app_context():
        c = register_complaint("curhat_ning_ita")
        cid, code = c.id, format_code(c.tracking_code)
    assert "Penilaian layanan" not in client.get(f"/lacak/?kode={code}").get_data(as_text=True)
    with app.app_context():
        _close(cid)
    page = client.get(f"/lacak/?kode={code}").get_data(as_text=True)
    assert "Penilaian layanan" in page and UNSUR["u9"] in page and UNSUR["u1"] in page
    missing = _rate(client, code, u1="4", comment="Cepat.")  # U9 not chosen
    text = missing.get_data(as_text=True)
    assert missing.status_code == 400 and UNSUR["u9"] in text and "Cepat." in text
    assert re.search(r'name="u1" value="4" checked', text)  # the choice kept
    assert _rate(client, code, u9="3", u1="4", comment="Cepat.").status_code == 200
    assert _rate(client, code, u9="4", comment="Lebih baik dari dugaan.").status_code == 200
    with app.app_context():
        rating = rating_of(cid)
        assert (rating.u9, rating.u1, rating.comment) == (4, None, "Lebih baik dari dugaan.")
        rating.created_at = utcnow() - timedelta(days=CHANGE_DAYS, minutes=1)
        db.session.commit()
    late = _rate(client, code, u9="1")
    assert late.status_code == 400 and f"{CHANGE_DAYS} hari" in late.get_data(as_text=True)
    with app.app_context():
        assert rating_of(cid).u9 == 4


@pytest.mark.parametrize("value", ["5", "0", "-1", "x", "4.0", ""])
def test_values_off_the_scale_are_refused(app, client, value):
    with app.app_context():
        c = register_complaint("curhat_ning_ita")
        cid, code = c.id, format_code(c.tracking_code)
        _close(cid)
    response = _rate(client, code, u9=value)
    assert response.status_code == 400
    with app.app_context():
        assert rating_of(cid) is None


def test_a_rating_without_a_csrf_token_is_refused(app, client):
    with app.app_context():
        c = register_complaint("curhat_ning_ita")
        cid, code = c.id, format_code(c.tracking_code)
        _close(cid)
    response = client.post("/lacak/nilai/", data={"kode": code, "u9": "4"})
    assert response.status_code == 400
    with app.app_context():
        assert rating_of(cid) is None


def test_officials_see_the_rating_on_the_complaints_page(app, client, auth):
    with app.app_context():
        c = register_complaint("curhat_ning_ita")
        cid, code = c.id, format_code(c.tracking_code)
        _close(cid)
    _rate(client, code, u9="2", comment="Jawaban kurang jelas.")
    auth.login("kabid")
    page = client.get(f"/admin/pengaduan/details/?id={cid}").get_data(as_text=True)
    assert "Kurang baik" in page and "Jawaban kurang jelas." in page


def test_the_admin_sees_a_failed_citizen_message_without_its_address(app, client, auth,
                                                                     monkeypatch):  # fmt: skip
    from tests.fake_servers import free_port

    monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", "1")
    _mail(app, monkeypatch, free_port())  # nothing listens there
    sent_code(client, send(client, whatsapp=""))
    with app.app_context():
        deliver()
        (message,) = _messages(event="received")
        assert message.status == "failed" and message.address_sealed is None
    auth.login("admin")
    page = client.get("/admin/pesan-pengadu/").get_data(as_text=True)
    assert "Gagal" in page and "Pengaduan diterima" in page and "rina@" not in page
