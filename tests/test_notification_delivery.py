"""The worker hands messages over through real peers on 127.0.0.1 — an SMTP server and an HTTP
server standing in for a WhatsApp gateway — retries with backoff when they fail or hang,
marks a message failed after the limit, never sends one twice, and on PostgreSQL two
workers (and two sweeps) racing share the work without doubling it."""

import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from models import Delivery, Notice, Notification, db
from models.calendar import load_calendar
from models.dates import WIB
from models.delivery import deliver, retry_moment
from models.notifications import max_attempts, resend, sweep
from models.types import utcnow
from seeds.demo_accounts import demo_email
from tests.conftest import PASSWORD
from tests.fake_servers import Gateway, free_port, smtp_server
from tests.workflow_helpers import act, register_complaint, user

KABID_WA = "0812-3456-7890"


def _mail(app, monkeypatch, port):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", str(port))
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", "2")


def _whatsapp(app, monkeypatch, gateway, **settings):
    monkeypatch.setitem(app.config, "WHATSAPP_GATEWAY_URL", gateway.url)
    monkeypatch.setitem(app.config, "WHATSAPP_GATEWAY_TOKEN", "rahasia-token-123")
    monkeypatch.setitem(app.config, "WHATSAPP_TIMEOUT", "0.5")
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    kabid = user("kabid")
    kabid.whatsapp, kabid.notify_whatsapp = KABID_WA, True
    db.session.commit()


def _kabid_whatsapp(complaint) -> Notification:
    return db.session.scalar(select(Notification).where(
        Notification.complaint_id == complaint.id, Notification.channel == "whatsapp"))  # fmt: skip


def _deliveries(notification) -> list[Delivery]:
    return list(db.session.scalars(select(Delivery).where(
        Delivery.notification_id == notification.id).order_by(Delivery.id)))  # fmt: skip


@pytest.mark.parametrize(("body", "number_form", "number"), [
    ("form", "62", "6281234567890"), ("json", "0", "081234567890")])  # fmt: skip
def test_whatsapp_goes_through_the_gateway_with_its_token(app, monkeypatch, body, number_form,
                                                          number):  # fmt: skip
    with Gateway() as gateway, app.app_context():
        _whatsapp(app, monkeypatch, gateway, WHATSAPP_BODY=body,
                  WHATSAPP_PHONE_FORMAT=number_form)  # fmt: skip
        # (A complainant reached by an account name only: the gateway carries the Kabid's.)
        c = register_complaint("media_sosial", complainant_name="Siti Aminah",
                               complainant_contact="@siti.aminah")  # fmt: skip
        act(c, "kadis", "arahan")
        assert deliver().sent == 1
        (request,) = gateway.requests
        assert request["headers"]["Authorization"] == "rahasia-token-123"
        assert request["fields"]["target"] == number
        text = request["fields"]["message"]
        assert c.reg_number in text and "Tugas baru" not in text  # the body, not the subject
        assert "Ada pengaduan yang menunggu tindak lanjut Anda." in text
        assert "/admin/notifikasi/buka/" in text and "Siti" not in text
        assert _kabid_whatsapp(c).status == "sent"


@pytest.mark.parametrize("mode", ["error", "hang", "refuse"])
def test_a_failing_gateway_is_retried_with_backoff_then_marked_failed(app, monkeypatch, mode):
    with Gateway() as gateway, app.app_context():
        _whatsapp(app, monkeypatch, gateway)
        gateway.mode, gateway.hang = mode, 1.5
        c = register_complaint("media_sosial", complainant_contact="@budi.santoso")
        act(c, "kadis", "arahan")
        message = _kabid_whatsapp(c)
        limit = max_attempts()
        now = utcnow()
        for attempt in range(1, limit + 1):
            result = deliver(now=now)
            db.session.expire_all()
            assert result.sent == 0 and result.retried + result.failed == 1, attempt
            assert message.attempts == attempt
            assert deliver(now=now).retried == 0  # not again before its moment
            if attempt < limit:
                assert message.status == "pending" and message.next_attempt_at > now
                now = message.next_attempt_at
        assert message.status == "failed" and len(gateway.requests) == limit
        errors = [d.error for d in _deliveries(message)]
        assert len(errors) == limit and all(errors)
        expected = {"error": "HTTP 500", "hang": "timed out", "refuse": "device disconnected"}
        assert expected[mode] in message.last_error
        # The admin sends it again once the gateway is back: once.
        gateway.mode = "ok"
        assert resend([message.id]) == 1
        assert deliver().sent == 1 and len(gateway.requests) == limit + 1
        db.session.expire_all()
        assert message.status == "sent" and [d.ok for d in _deliveries(message)][-1] is True


def test_officials_keep_working_while_the_mail_server_is_down(app, monkeypatch):
    port = free_port()  # nothing listens there yet
    with app.app_context():
        _mail(app, monkeypatch, port)
        c = register_complaint("media_sosial")
        act(c, "kadis", "arahan")  # the action never waits on the mail server
        result = deliver()
        assert (result.sent, result.retried) == (0, 2)
        pending = db.session.scalars(select(Notification).where(
            Notification.channel == "email", Notification.complaint_id == c.id)).all()  # fmt: skip
        assert all("SMTP" in n.last_error for n in pending)
        with smtp_server(port=port) as (mailbox, _port):  # the server is back
            result = deliver(now=max(n.next_attempt_at for n in pending))
            assert result.sent == 2
            assert sorted(mailbox.recipients()) == sorted([demo_email("kadis"),
                                                           demo_email("kabid")])  # fmt: skip


def test_a_reminder_that_failed_is_tried_again_only_when_the_office_is_open(app):
    with app.app_context():
        calendar = load_calendar()
        friday_close = datetime(2026, 12, 11, 15, 59, tzinfo=WIB)
        again = retry_moment(1, "late", friday_close, calendar)
        assert again.astimezone(WIB) == datetime(2026, 12, 14, 7, 30, tzinfo=WIB)
        assert retry_moment(1, "arrived", friday_close, calendar) < again  # work: at once


def test_the_link_in_a_message_opens_the_complaint_for_its_recipient_only(app, client, auth,
                                                                         monkeypatch):  # fmt: skip
    with smtp_server() as (mailbox, port), app.app_context():
        _mail(app, monkeypatch, port)
        complaint_id = register_complaint("media_sosial").id
        deliver()
        (mail,) = mailbox.to(demo_email("kadis"))
        link = next(line for line in mail.get_content().splitlines() if line.startswith("Buka:"))
        path = urlsplit(link.split(" ", 1)[1]).path
    auth.login("kabid")
    assert client.get(path).status_code == 404  # another official's notification
    auth.logout()
    auth.login("kadis", PASSWORD)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/antrian/kadis/details/?id={complaint_id}")


def test_the_worker_command_sends_and_a_second_sqlite_worker_is_refused(app, monkeypatch,
                                                                        db_kind):  # fmt: skip
    import fcntl
    from pathlib import Path

    runner = app.test_cli_runner()
    with smtp_server() as (mailbox, port):
        with app.app_context():
            _mail(app, monkeypatch, port)
            register_complaint("media_sosial")
            url = db.engine.url
        result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    # The new task, to the Kepala Dinas alone (in the office's first hour the worker also
    # sends him the day's digest: the clock decides that, not this test).
    sent = [(rcpt, m["Subject"]) for rcpt, m in mailbox.received]
    assert [rcpt for rcpt, subject in sent if "Tugas baru" in subject] == [[demo_email("kadis")]]
    assert set(mailbox.recipients()) == {demo_email("kadis")}
    if db_kind != "sqlite":
        return
    with open(Path(url.database).with_suffix(".worker.lock"), "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a worker already runs
        result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code != 0
    assert "SQLite hanya mendukung satu pekerja" in result.output


def _together(app, work, count=2):
    """Run `work()` in `count` threads (each its own app context and connection), started at
    once; return their results."""
    barrier, results, errors = threading.Barrier(count), [None] * count, []

    def run(i):
        try:
            with app.app_context():
                barrier.wait()
                results[i] = work()
        except Exception as exc:  # reported below, not lost in a thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    return results


def test_two_workers_racing_send_each_message_once(app, monkeypatch, db_kind):
    if db_kind == "sqlite":
        pytest.skip("SQLite runs one worker (the command refuses a second)")
    with smtp_server(delay=0.02) as (mailbox, port), app.app_context():
        _mail(app, monkeypatch, port)
        complaints = [register_complaint("media_sosial") for _ in range(40)]
        results = _together(app, deliver)
        assert [r.sent > 0 for r in results] == [True, True]  # both took part
        assert sum(r.sent for r in results) == 40
        assert len(mailbox.received) == 40
        subjects = {m["Subject"] for _rcpt, m in mailbox.received}
        assert len(subjects) == 40  # each complaint's message once
        assert all(c.reg_number in " ".join(subjects) for c in complaints)
        assert db.session.scalar(select(func.count(Delivery.id)).where(
            Delivery.channel == "email")) == 40  # fmt: skip


def test_two_sweeps_racing_write_each_notice_once(app, db_kind):
    if db_kind == "sqlite":
        pytest.skip("SQLite runs one worker (the command refuses a second)")
    with app.app_context():
        from tests.test_notification_sweep import at_the_kadis

        late = [at_the_kadis() for _ in range(10)]
        moment = late[0].due_at + timedelta(minutes=1)
        results = _together(app, lambda: sweep(moment))
        assert sum(r.late for r in results) == 10
        assert sum(r.digests for r in results) > 0
        for c in late:
            assert db.session.scalar(select(func.count(Notice.id)).where(
                Notice.complaint_id == c.id, Notice.event == "late")) == 1  # fmt: skip
        per_recipient = db.session.execute(
            select(Notification.notice_id, Notification.recipient_id, Notification.channel,
                   func.count()).group_by(Notification.notice_id, Notification.recipient_id,
                                          Notification.channel)).all()  # fmt: skip
        assert {row[3] for row in per_recipient} == {1}
