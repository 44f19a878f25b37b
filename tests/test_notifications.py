"""Work that arrives is told to whoever must act on it, in the step's own transaction: the
story of SOP.50 from the officials' inboxes and mailboxes (a real SMTP server), acting
officials, the meeting's invitees, identities that never travel, and a step that fails to
save telling nobody."""

from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import event, func, select

from models import ActingAppointment, Complaint, Delivery, Notice, Notification, User, db
from models.dates import format_moment_long, today_wib
from models.delivery import deliver
from models.notifications import OPEN_PATH
from models.workflow import step_numbers
from seeds.demo_accounts import demo_email
from tests.fake_servers import smtp_server
from tests.workflow_helpers import SOP_50_WALK, act, register_complaint, user

# Who is told that work arrived after each action of SOP.50's walk (tests/workflow_helpers),
# besides the official who just acted: the holder of the stage that opened; at the meeting
# the invited members and the Kabid who leads it; nobody when the Kepala Dinas goes on from
# his own step to his next one, or when the complaint is closed.
SOP_50_TOLD = [
    {"kabid"}, {"kasi"}, {"teknis1", "teknis2", "kabid"}, {"kabid"}, {"kadis"}, set(),
    {"kabid"}, {"kasi"}, {"fo"}, set(),
]  # fmt: skip


def _reload(complaint) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, complaint.id)


def told(complaint, event="arrived", channel="app") -> dict[int, set[str]]:
    """The step each `event` notice of the complaint was about → who got it on `channel`."""
    rows = db.session.execute(
        select(Notice.step_no, Notification.recipient_id)
        .join(Notification, Notification.notice_id == Notice.id)
        .where(Notice.complaint_id == complaint.id, Notice.event == event,
               Notification.channel == channel)).all()  # fmt: skip
    found: dict[int, set[str]] = {}
    for step_no, recipient in rows:
        found.setdefault(step_no, set()).add(db.session.get(User, recipient).username)
    return found


def latest_arrival(complaint) -> tuple[int | None, set[str]]:
    notice = db.session.scalar(select(Notice).where(Notice.complaint_id == complaint.id,
                                                    Notice.event == "arrived")
                               .order_by(Notice.id.desc()).limit(1))  # fmt: skip
    if notice is None:
        return None, set()
    names = {n.recipient.username for n in db.session.scalars(
        select(Notification).where(Notification.notice_id == notice.id,
                                   Notification.channel == "app"))}  # fmt: skip
    return notice.step_no, names


def test_sop_50_tells_each_stage_holder_as_the_work_arrives(app):
    with app.app_context():
        c = register_complaint("media_sosial")
        assert latest_arrival(c) == (c.current_step_no, {"kadis"})
        arrivals = [c.current_step_no]
        for (who, _queue, outcome), expected in zip(SOP_50_WALK, SOP_50_TOLD, strict=True):
            before = db.session.scalar(select(func.count(Notice.id)))
            act(c, who, outcome)
            c = _reload(c)
            step_no, names = latest_arrival(c)
            if expected:
                assert (step_no, names) == (c.current_step_no, expected), outcome
                arrivals.append(step_no)
            else:  # no new notice at all
                assert db.session.scalar(select(func.count(Notice.id))) == before, outcome
        # Every stage an official held was announced once, in the path's order, but where the
        # same official went on from his own step (the Kepala Dinas's steps 8 → 9).
        path = [n for n in step_numbers(c) if c.sop.step(n).actor != "masyarakat"]
        actor = {n: c.sop.step(n).actor for n in path}
        assert arrivals == [n for prev, n in pairwise(path) if actor[n] != actor[prev]]
        assert c.status == "closed"


def test_the_message_says_what_where_and_until_when_and_never_who_complained(app):
    with app.app_context():
        c = register_complaint("media_sosial", complainant_name="Siti Aminah",
                               complainant_contact="siti@contoh.example")  # fmt: skip
        (mine,) = db.session.scalars(select(Notification).where(Notification.complaint_id == c.id))
        assert mine.recipient.username == "kadis"
        assert mine.subject == f"[Pengaduan] Tugas baru: {c.reg_number} — Disposisi Kepala Dinas"
        assert c.reg_number in mine.body and c.subject in mine.body
        assert format_moment_long(c.due_at) in mine.body  # the due moment in WIB, in words
        assert "SOP.50 langkah 3" in mine.body
        for identity in ("Siti", "Aminah", "siti@contoh.example", "Majapahit"):
            assert identity not in mine.body + mine.subject
        assert mine.link_path == OPEN_PATH.format(id=mine.id)


def test_a_confidential_complaint_travels_without_its_subject(app):
    with app.app_context():
        c = register_complaint("kantor", is_confidential="y", subject="Pungli di loket 3")
        act(c, "kadis", "arahan")
        bodies = [n.subject + n.body for n in db.session.scalars(
            select(Notification).where(Notification.complaint_id == c.id))]  # fmt: skip
        assert len(bodies) == 2
        assert all("Pungli" not in b and c.reg_number in b for b in bodies)
        assert all("pengaduan rahasia" in b for b in bodies)


def test_the_meeting_invitation_tells_the_invited_members_when_and_where(app):
    with app.app_context():
        c = register_complaint("media_sosial")
        act(c, "kadis", "arahan")
        act(c, "kabid", "perintah_kasi")
        day = today_wib() + timedelta(days=1)
        act(c, "kasi", "rakor", day=day.isoformat(), start="13:30", place="Aula Lantai 3")
        c = _reload(c)
        assert told(c)[c.current_step_no] == {"teknis1", "teknis2", "kabid"}
        meeting = select(Notification).join(Notice).where(
            Notice.complaint_id == c.id, Notice.step_no == c.current_step_no)  # fmt: skip
        for note in db.session.scalars(meeting):
            assert "pukul 13.30 WIB, di Aula Lantai 3" in note.body
        assert "teknis3" not in told(c)[c.current_step_no]  # not invited: not told


def test_acting_officials_are_told_beside_the_official_they_stand_in_for(app):
    with app.app_context():
        today = today_wib()
        db.session.add(ActingAppointment(user_id=user("teknis3").id, role="kabid", kind="Plh.",
                                         position="Plh. Kepala Bidang PKPL", starts_on=today,
                                         ends_on=today + timedelta(days=3)))  # fmt: skip
        db.session.commit()
        c = register_complaint("media_sosial")
        act(c, "kadis", "arahan")
        assert latest_arrival(_reload(c))[1] == {"kabid", "teknis3"}


def test_a_step_that_fails_to_save_tells_nobody(app):
    with app.app_context():
        c = register_complaint("media_sosial")
        before = (db.session.scalar(select(func.count(Notice.id))),
                  db.session.scalar(select(func.count(Notification.id))))  # fmt: skip

        def refuse(_session):
            raise RuntimeError("the database refused the commit")

        event.listen(db.session, "before_commit", refuse)
        try:
            with pytest.raises(RuntimeError):
                act(c, "kadis", "arahan")
        finally:
            event.remove(db.session, "before_commit", refuse)
        db.session.rollback()
        after = (db.session.scalar(select(func.count(Notice.id))),
                 db.session.scalar(select(func.count(Notification.id))))  # fmt: skip
        assert after == before
        assert _reload(c).current_actor == "kadis"  # and the step itself is not saved


def test_sop_50_mails_reach_the_officials_mailboxes(app, monkeypatch):
    """The same story with a mail server configured: each stage's holder gets one mail in
    Indonesian with the complaint's link, and nobody's mail names the complainant."""
    with smtp_server() as (mailbox, port), app.app_context():
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", str(port))
        monkeypatch.setitem(app.config, "APP_BASE_URL", "https://pengaduan.example/")
        c = register_complaint("media_sosial", complainant_name="Siti Aminah")
        assert deliver().sent == 1
        assert mailbox.recipients() == [demo_email("kadis")]
        for (who, _queue, outcome), expected in zip(SOP_50_WALK, SOP_50_TOLD, strict=True):
            act(c, who, outcome)
            mailbox.received.clear()
            done = deliver()
            assert (done.sent, done.failed) == (len(expected), 0), outcome
            assert sorted(mailbox.recipients()) == sorted(demo_email(u) for u in expected)
            for _rcpt, mail in mailbox.received:
                text = mail.get_content()
                assert mail["Subject"].startswith("[Pengaduan] Tugas baru: " + c.reg_number)
                assert "Siti" not in text and "Aminah" not in text
                assert "Buka: https://pengaduan.example/admin/notifikasi/buka/" in text
        sent = db.session.scalars(select(Notification).where(
            Notification.complaint_id == c.id, Notification.channel == "email")).all()  # fmt: skip
        assert {n.status for n in sent} == {"sent"}
        # one hand-over each, kept in the history
        assert db.session.scalar(select(func.count(Delivery.id)).where(
            Delivery.notification_id.in_([n.id for n in sent]))) == len(sent)  # fmt: skip
