"""The worker's sweep at chosen moments: *due soon* once per stage, *late* once per office day
to the holder and the official above, at most the agency's limit; nothing at night, on a
weekend, on cuti bersama (24 December 2026) or while the clock is stopped; the digest at
office opening, once a day."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import ActingAppointment, Complaint, Notice, Notification, db
from models.calendar import load_calendar
from models.dates import WIB
from models.notifications import NotificationSettings, notification_settings, sweep
from models.workflow import advance, pause, register, resume
from tests.test_notifications import told
from tests.workflow_helpers import FORMS, registration, user

MINUTE = timedelta(minutes=1)


def wib(*parts) -> datetime:
    return datetime(*parts, tzinfo=WIB)


def at_the_kadis(day=(2026, 12, 7)) -> Complaint:
    """A social-media complaint registered at 08:00 on `day` (a Monday by default), waiting
    for the Kepala Dinas's disposition."""
    received = f"{day[0]}-{day[1]:02d}-{day[2]:02d}T07:50"
    return register(user("fo"), registration("media_sosial", received_at=received),
                    now=wib(*day, 8, 0))  # fmt: skip


def at_the_kasi() -> Complaint:
    c = at_the_kadis()
    advance(c.id, user("kadis"), "arahan", FORMS["arahan"](), now=wib(2026, 12, 7, 8, 10))
    advance(c.id, user("kabid"), "perintah_kasi", FORMS["perintah_kasi"](),
            now=wib(2026, 12, 7, 8, 20))  # fmt: skip
    return reload(c)


def reload(c) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, c.id)


def late_days(c) -> list:
    return list(db.session.scalars(select(Notice.day).where(
        Notice.complaint_id == c.id, Notice.event == "late").order_by(Notice.day)))  # fmt: skip


def test_due_soon_once_then_late_once_a_day_up_to_the_limit(app):
    with app.app_context():
        c = at_the_kadis()
        step = c.current_step_no
        soon, due = c.due_soon_at, c.due_at
        assert sweep(soon - MINUTE).due_soon == 0
        assert sweep(soon).due_soon == 1
        assert sweep(soon + MINUTE).due_soon == 0  # once per stage
        assert told(c, "due_soon") == {step: {"kadis"}}
        assert sweep(due - MINUTE).late == 0
        assert sweep(due + MINUTE).late == 1
        assert sweep(due + 2 * MINUTE).late == 0  # once per office day
        # The Kepala Dinas's own step: told to him (no one above him here).
        assert told(c, "late") == {step: {"kadis"}}
        night = wib(2026, 12, 7, 20, 0)
        assert sweep(night).ran is False and late_days(c) == [wib(2026, 12, 7).date()]
        limit = notification_settings().late_repeat_limit
        calendar, morning = load_calendar(), wib(2026, 12, 7, 8, 0)
        for _ in range(limit + 2):  # every following office day at eight
            morning = calendar.add_working_days(morning, 1)
            sweep(morning)
        days = late_days(c)
        assert len(days) == limit and len(set(days)) == limit
        assert all(calendar.day_off_reason(d) is None for d in days)
        occurrences = db.session.scalars(select(Notification.body).join(Notice).where(
            Notice.complaint_id == c.id, Notice.event == "late",
            Notification.channel == "app")).all()  # fmt: skip
        assert [f"ke-{n} dari paling banyak {limit}" in body
                for n, body in enumerate(occurrences, 1)] == [True] * limit  # fmt: skip


def test_the_limit_is_the_agencys_setting(app):
    with app.app_context():
        db.session.add(NotificationSettings(id=1, late_repeat_limit=1))
        db.session.commit()
        c = at_the_kadis()
        sweep(c.due_at + MINUTE)
        sweep(wib(2026, 12, 8, 8, 0))
        assert len(late_days(c)) == 1


def test_a_late_step_is_told_to_its_holder_and_the_official_above(app):
    with app.app_context():
        c = at_the_kasi()
        assert sweep(c.due_at + MINUTE).late == 1
        assert told(c, "late") == {c.current_step_no: {"kasi", "kabid"}}
        (above,) = db.session.scalars(select(Notification).where(
            Notification.complaint_id == c.id, Notification.event == "late",
            Notification.recipient_id == user("kabid").id))  # fmt: skip
        assert "(atasan)" in above.subject and "sebagai atasan" in above.body
        assert "Kasi Monev & Pengaduan" in above.body


def test_the_kadiss_own_late_step_goes_to_him_and_his_plh(app):
    with app.app_context():
        db.session.add(ActingAppointment(user_id=user("kabid").id, role="kadis", kind="Plh.",
                                         position="Plh. Kepala Dinas",
                                         starts_on=wib(2026, 12, 7).date(),
                                         ends_on=wib(2026, 12, 11).date()))  # fmt: skip
        db.session.commit()
        c = at_the_kadis()
        sweep(c.due_at + MINUTE)
        assert told(c, "late") == {c.current_step_no: {"kadis", "kabid"}}


def test_no_reminder_on_cuti_bersama_weekends_or_at_night(app):
    with app.app_context():
        calendar = load_calendar()
        assert calendar.day_off_reason(wib(2026, 12, 24).date())  # cuti bersama Natal
        c = at_the_kadis(day=(2026, 12, 23))
        assert sweep(c.due_at + MINUTE).late == 1
        for moment in (wib(2026, 12, 23, 19, 0), wib(2026, 12, 24, 9, 0),
                       wib(2026, 12, 25, 9, 0), wib(2026, 12, 26, 9, 0),
                       wib(2026, 12, 28, 6, 0)):  # fmt: skip
            result = sweep(moment)
            assert result.ran is False and result.notifications == 0, moment
        assert sweep(wib(2026, 12, 28, 8, 0)).late == 1
        assert late_days(c) == [wib(2026, 12, 23).date(), wib(2026, 12, 28).date()]


def test_a_stopped_clock_sends_no_reminder(app):
    with app.app_context():
        c = at_the_kasi()
        pause(c.id, user("kasi"), "Menunggu data tambahan dari pengadu", now=wib(2026, 12, 7, 9))
        c = reload(c)
        for moment in (c.due_soon_at, c.due_at + MINUTE, wib(2026, 12, 9, 8, 0)):
            assert sweep(moment).due_soon + sweep(moment).late == 0
        resume(c.id, user("kasi"), now=wib(2026, 12, 10, 8, 0))
        c = reload(c)
        assert sweep(c.due_at + MINUTE).late == 1
        assert told(c, "late") == {c.current_step_no: {"kasi", "kabid"}}


def test_the_digest_goes_out_once_at_opening_to_whoever_has_work(app):
    with app.app_context():
        waiting = at_the_kadis()  # late for the Kadis by Tuesday
        kasi = at_the_kasi()  # falls due on Tuesday for the Kasi
        opening = wib(2026, 12, 8, 7, 30)
        result = sweep(opening)
        assert result.digests == 2
        digests = {n.recipient.username: n for n in db.session.scalars(
            select(Notification).where(Notification.event == "digest",
                                       Notification.channel == "app"))}  # fmt: skip
        assert set(digests) == {"kadis", "kasi"}  # the Kabid has nothing waiting
        kadis = digests["kadis"]
        assert "Ringkasan Selasa, 8 Desember 2026: 1 menunggu, 1 terlambat" in kadis.subject
        late_part = kadis.body.split("Terlambat (1):")[1]
        assert waiting.reg_number in late_part.split("\n\n")[0]
        agency = kadis.body.split("Langkah terlambat di seluruh dinas")[1]
        assert waiting.reg_number in agency and kasi.reg_number not in agency
        assert "Jatuh tempo hari ini (1):" in digests["kasi"].body
        assert kasi.reg_number in digests["kasi"].body
        assert sweep(opening + MINUTE).digests == 0  # once a day


def test_no_digest_when_the_agency_turns_it_off(app):
    with app.app_context():
        db.session.add(NotificationSettings(id=1, digest_enabled=False))
        db.session.commit()
        at_the_kadis()
        assert sweep(wib(2026, 12, 8, 7, 30)).digests == 0
        assert db.session.scalar(select(func.count(Notice.id)).where(
            Notice.event == "digest")) == 0  # fmt: skip


@pytest.mark.parametrize("event", ["due_soon", "late"])
def test_a_step_opened_again_is_told_again(app, event):
    """The Kadis's step 3 opens again after the Kabid's resume, the same day: its reminders
    count anew."""
    with app.app_context():
        c = at_the_kadis()

        def moment(complaint):
            return complaint.due_soon_at if event == "due_soon" else complaint.due_at + MINUTE

        first = moment(c)
        assert getattr(sweep(first), event) == 1
        advance(c.id, user("kadis"), "minta_pendapat", FORMS["minta_pendapat"](),
                now=first + 2 * MINUTE)  # fmt: skip
        advance(c.id, user("kabid"), "resume", FORMS["resume"](), now=first + 4 * MINUTE)
        c = reload(c)
        assert getattr(sweep(moment(c)), event) == 1
        assert len(told(c, event)) == 1  # the same step number, told twice
        assert db.session.scalar(select(func.count(Notice.id)).where(
            Notice.complaint_id == c.id, Notice.event == event)) == 2  # fmt: skip
