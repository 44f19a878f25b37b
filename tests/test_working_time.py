"""Due moments in the workflow: working time, pauses, and recomputation after a calendar change."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import CalendarDay, Complaint, StepRecord, db
from models.workflow import (
    ActionRefused,
    advance,
    pause,
    recompute_due_moments,
    register,
    resume,
    step_numbers,
)
from tests.test_calendar import wib
from tests.workflow_helpers import FORMS, closing, registration, user


def _registered(received="2026-11-25T09:00", now=(2026, 11, 25, 9, 10), channel="media_sosial"):
    return register(user("fo"), registration(channel, received_at=received), now=wib(*now))


def test_sop_50_due_moments_follow_the_office_calendar(app):
    with app.app_context():
        c = _registered()  # step 3 from 09:10, minutes of the same morning
        step3, step4 = c.sop.step(3).time_minutes, c.sop.step(4).time_working_days
        assert step3 <= 390 and step4 <= 2  # (what the hand count below assumes)
        assert c.due_at == wib(2026, 11, 25, 9, 10) + timedelta(minutes=step3)
        advance(c.id, user("kadis"), "arahan", FORMS["arahan"](), now=wib(2026, 11, 25, 15, 0))
        c = db.session.get(Complaint, c.id)
        # step 4 "N hari": the same office clock time N working days later (Thu, Fri)
        assert c.due_at == wib(2026, 11, 25 + step4, 15, 0)


def test_pause_and_resume_extend_the_due_moment_by_the_paused_working_time(app):
    with app.app_context():
        c = _registered(channel="curhat_ning_ita")  # SOP.48 step 3: 120 min → 11:10
        advance(c.id, user("kadis"), "arahan", FORMS["arahan"](), now=wib(2026, 11, 25, 9, 30))
        c = db.session.get(Complaint, c.id)
        assert c.due_at == wib(2026, 11, 25, 11, 30)  # step 4: 120 min
        pause(c.id, user("kabid"), "Menunggu fotokopi KTP pengadu", now=wib(2026, 11, 25, 10, 0))
        # resumed next morning 08:00: paused 360 (Wed) + 30 (Thu) = 390 working minutes
        paused = resume(c.id, user("kabid"), now=wib(2026, 11, 26, 8, 0))
        assert paused == 390
        c = db.session.get(Complaint, c.id)
        # 11:30 Wed + 390 working minutes: 270 on Wednesday, 120 from 07:30 Thursday
        assert c.due_at == wib(2026, 11, 26, 9, 30)
        record = advance(c.id, user("kabid"), "perintah_kasi", FORMS["perintah_kasi"](),
                         now=wib(2026, 11, 26, 8, 45))  # fmt: skip
        # worked 09:30-10:00 Wed and 08:00-08:45 Thu: 75 minutes, within 120
        assert (record.working_minutes, record.met_standard) == (75, True)
        c = db.session.get(Complaint, c.id)
        phases = [r.phase for r in c.history]
        assert phases.count("pause") == 1 and phases.count("resume") == 1
        assert step_numbers(c) == [1, 2, 3, 4]
        pause_record = next(r for r in c.history if r.phase == "pause")
        assert pause_record.note == "Menunggu fotokopi KTP pengadu"
        assert pause_record.actor.username == "kabid"


def _at_the_kasi(app_now=(2026, 11, 25, 9, 20)):
    """A SOP.50 complaint disposed and ordered: step 5 (the Kasi's) since 09:20."""
    c = _registered()
    advance(c.id, user("kadis"), "arahan", FORMS["arahan"](), now=wib(2026, 11, 25, 9, 15))
    advance(c.id, user("kabid"), "perintah_kasi", FORMS["perintah_kasi"](), now=wib(*app_now))
    return db.session.get(Complaint, c.id)


def test_finishing_a_paused_step_ends_the_pause(app):
    with app.app_context():
        c = _at_the_kasi()
        pause(c.id, user("kasi"), "Menunggu data", now=wib(2026, 11, 25, 9, 30))
        advance(c.id, user("kasi"), "jawab", FORMS["jawab"](), now=wib(2026, 11, 25, 10, 0))
        c = db.session.get(Complaint, c.id)
        assert c.paused_at is None and c.current_step_no == closing(c, "dispatch")
        resumed = [r for r in c.history if r.phase == "resume"]
        assert len(resumed) == 1 and resumed[0].data == {"paused_minutes": 30}
        step5 = next(r for r in c.history if r.step_no == 5 and r.phase == "in_progress")
        assert step5.working_minutes == 10  # 09:20-10:00 less 30 paused


@pytest.mark.parametrize("username", ["fo", "kadis", "teknis1", "admin"])
def test_only_the_kasi_or_kabid_may_stop_the_clock(app, username):
    with app.app_context():
        c = _at_the_kasi()
        with pytest.raises(ActionRefused) as refused:
            pause(c.id, user(username), "alasan", now=wib(2026, 11, 25, 9, 30))
        assert refused.value.status == 403
        assert db.session.get(Complaint, c.id).paused_at is None


# (step, who may stop its clock, who may not): the holder of the step or one above them.
CLOCK_HOLDERS = [(3, set(), {"kasi", "kabid"}), (4, {"kabid"}, {"kasi"}),
                 (5, {"kasi", "kabid"}, set())]  # fmt: skip


@pytest.mark.parametrize(("step", "allowed", "refused"), CLOCK_HOLDERS)
def test_only_the_step_holder_or_a_superior_stops_its_clock(app, step, allowed, refused):
    with app.app_context():
        c = _registered()
        if step >= 4:
            advance(c.id, user("kadis"), "arahan", FORMS["arahan"](), now=wib(2026, 11, 25, 9, 15))
        if step == 5:
            advance(c.id, user("kabid"), "perintah_kasi", FORMS["perintah_kasi"](),
                    now=wib(2026, 11, 25, 9, 20))  # fmt: skip
        assert db.session.get(Complaint, c.id).current_step_no == step
        for username in sorted(refused):
            with pytest.raises(ActionRefused) as no:
                pause(c.id, user(username), "Menunggu data pengadu", now=wib(2026, 11, 25, 9, 30))
            assert no.value.status == 403, username
            assert db.session.get(Complaint, c.id).paused_at is None
        for username in sorted(allowed):
            pause(c.id, user(username), "Menunggu data pengadu", now=wib(2026, 11, 25, 9, 30))
            assert resume(c.id, user(username), now=wib(2026, 11, 25, 9, 40)) == 10


def test_a_pause_needs_a_reason_and_cannot_be_doubled(app):
    with app.app_context():
        c = _at_the_kasi()
        with pytest.raises(ActionRefused, match="Alasan penghentian jam wajib diisi"):
            pause(c.id, user("kasi"), "  ", now=wib(2026, 11, 25, 9, 25))
        pause(c.id, user("kasi"), "Menunggu data", now=wib(2026, 11, 25, 9, 25))
        with pytest.raises(ActionRefused, match="Jam sudah dihentikan"):
            pause(c.id, user("kabid"), "lagi", now=wib(2026, 11, 25, 9, 26))
        resume(c.id, user("kasi"), now=wib(2026, 11, 25, 9, 30))
        with pytest.raises(ActionRefused, match="tidak sedang dihentikan"):
            resume(c.id, user("kasi"), now=wib(2026, 11, 25, 9, 31))


def test_a_closure_added_by_the_admin_moves_open_due_moments(app):
    with app.app_context():
        c = _registered(received="2026-11-25T15:00", now=(2026, 11, 25, 15, 30))
        rest = timedelta(minutes=c.sop.step(3).time_minutes - 30)  # 30 min left on Wednesday
        assert c.due_at == wib(2026, 11, 26, 7, 30) + rest  # the rest from Thursday's opening
        db.session.add(CalendarDay(day=date(2026, 11, 26), kind="off", note="Gedung ditutup"))
        db.session.commit()
        assert recompute_due_moments() == 1
        c = db.session.get(Complaint, c.id)
        assert c.due_at == wib(2026, 11, 27, 7, 30) + rest


def test_history_times_are_stored_in_utc(app):
    with app.app_context():
        c = _registered()
        record = db.session.scalar(select(StepRecord).where(StepRecord.complaint_id == c.id,
                                                             StepRecord.step_no == 2))  # fmt: skip
        assert record.finished_at.utcoffset().total_seconds() == 0
        assert record.finished_at == wib(2026, 11, 25, 9, 10)
