"""Stories of complaints through the SOPs, asserting the SOP steps each one passed."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import Complaint, StepRecord, db
from models.workflow import ActionRefused, FormInvalid, advance, register, step_numbers
from tests.workflow_helpers import (
    FORMS,
    SOP_50_WALK,
    act,
    closing,
    register_complaint,
    registration,
    user,
)


def _reload(complaint):
    db.session.expire_all()
    return db.session.get(Complaint, complaint.id)


def test_sop_48_answered_directly(app):
    with app.app_context():
        c = register_complaint("curhat_ning_ita")
        assert c.sop.code == "SOP.48" and c.current_step_no == 3
        act(c, "kadis", "arahan")
        act(c, "kabid", "perintah_kasi")
        act(c, "kasi", "jawab")
        c = _reload(c)
        # the answer letter is written: the front office's closing stage, sending it, is open
        assert c.current_step_no == closing(c, "dispatch") and c.current_actor == "fo"
        assert c.due_at is not None
        act(c, "fo", "terkirim")
        c = _reload(c)
        assert c.status == "closed" and c.closed_at is not None
        assert step_numbers(c) == [1, 2, 3, 4, 5, closing(c, "dispatch")]


def test_sop_48_with_the_opinion_loop(app):
    with app.app_context():
        c = register_complaint("curhat_ning_ita")
        act(c, "kadis", "minta_pendapat")
        act(c, "kabid", "resume")
        act(c, "kadis", "arahan")
        act(c, "kabid", "perintah_kasi")
        act(c, "kasi", "jawab")
        act(c, "fo", "terkirim")
        c = _reload(c)
        assert step_numbers(c) == [1, 2, 3, 4, 3, 4, 5, closing(c, "dispatch")]
        outcomes = [r.outcome for r in c.history]
        assert outcomes[2:6] == ["minta_pendapat", "resume", "arahan", "perintah_kasi"]


def test_sop_50_through_all_ten_steps_with_a_meeting(app):
    with app.app_context():
        c = register_complaint("media_sosial")
        assert c.sop.code == "SOP.50"
        for who, _queue, outcome in SOP_50_WALK:
            act(_reload(c), who, outcome)
        c = _reload(c)
        answer, dispatch = closing(c, "answer"), closing(c, "dispatch")
        assert step_numbers(c) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, answer, dispatch]
        assert c.status == "closed"
        actors = [r.actor.username if r.actor else None for r in c.history]
        assert actors == [None, "fo", "kadis", "kabid", "kasi", "teknis1", "kabid", "kadis",
                          "kadis", "kabid", "kasi", "fo"]  # fmt: skip


def test_sop_50_berita_acara_may_be_recorded_by_the_kabid_leading_the_team(app):
    with app.app_context():
        c = register_complaint("media_sosial")
        act(c, "kadis", "arahan")
        act(c, "kabid", "perintah_kasi")
        act(c, "kasi", "rakor")
        record = act(_reload(c), "kabid", "berita_acara")
        assert record.actor_role == "kabid" and record.step_no == 6


def test_an_uninvited_team_member_cannot_record_the_minutes(app):
    with app.app_context():
        c = register_complaint("media_sosial")
        act(c, "kadis", "arahan")
        act(c, "kabid", "perintah_kasi")
        act(c, "kasi", "rakor")  # invites teknis1 and teknis2
        with pytest.raises(ActionRefused) as refused:
            act(_reload(c), "teknis3", "berita_acara")
        assert "tidak diundang" in refused.value.message
        assert _reload(c).current_step_no == 6


def test_sop_49_at_the_office(app):
    with app.app_context():
        c = register_complaint("kantor")
        assert c.sop.code == "SOP.49" and c.sop.reconstructed
        act(c, "kadis", "arahan")
        act(c, "kabid", "perintah_kasi")
        act(c, "kasi", "rakor")
        act(_reload(c), "kasi", "berita_acara")
        act(_reload(c), "kasi", "jawab")
        act(_reload(c), "fo", "terkirim")
        c = _reload(c)
        assert step_numbers(c) == [1, 2, 3, 4, 5, 5, 5, closing(c, "dispatch")]
        assert [r.outcome for r in c.history][4:7] == ["rakor", "berita_acara", "jawab"]


PATH_50 = [(who, outcome) for who, _queue, outcome in SOP_50_WALK]
OTHERS = ["fo", "kadis", "kabid", "kasi", "teknis1", "admin"]


@pytest.mark.parametrize("position", range(len(PATH_50)))
def test_every_other_role_is_refused_at_every_step_and_nothing_moves(app, position):
    with app.app_context():
        c = register_complaint("media_sosial")
        for who, outcome in PATH_50[:position]:
            act(_reload(c), who, outcome)
        owner, outcome = PATH_50[position]
        c = _reload(c)
        before = (c.status, c.current_step_no, c.version, len(c.history))
        allowed = {owner, "kabid"} if outcome == "berita_acara" else {owner}
        if outcome == "berita_acara":
            allowed.add("teknis2")
        for other in OTHERS:
            if other in allowed or (owner == "kadis" and other == "kadis"):
                continue
            with pytest.raises(ActionRefused) as refused:
                act(_reload(c), other, outcome)
            assert refused.value.status == 403
            assert refused.value.message.startswith("Menunggu")
            c = _reload(c)
            assert (c.status, c.current_step_no, c.version, len(c.history)) == before


def test_an_outcome_the_step_does_not_offer_is_refused(app):
    with app.app_context():
        c = register_complaint("curhat_ning_ita")
        with pytest.raises(ActionRefused):
            act(c, "kadis", "jawab")
        act(c, "kadis", "arahan")
        with pytest.raises(ActionRefused):  # resume answers only a request for an opinion
            act(_reload(c), "kabid", "resume")
        assert _reload(c).current_step_no == 4


def test_a_double_action_on_one_step_moves_it_once(app):
    with app.app_context():
        c = register_complaint("curhat_ning_ita")
        version = c.version
        act(c, "kadis", "arahan")
        with pytest.raises(ActionRefused) as refused:
            advance(c.id, user("kadis"), "arahan",
                    {"sifat": "Biasa", "marks": ["diketahui"], "to_user": str(user("kabid").id),
                     "instruction": "Dua kali"}, expected_version=version)  # fmt: skip
        assert refused.value.message.startswith("Sudah ditindaklanjuti oleh Dr. Bambang")
        c = _reload(c)
        assert step_numbers(c) == [1, 2, 3]


def test_invalid_step_form_saves_nothing(app):
    with app.app_context():
        c = register_complaint("curhat_ning_ita")
        with pytest.raises(FormInvalid) as invalid:
            act(c, "kadis", "arahan", instruction="", marks=[])
        errors = invalid.value.form.errors
        assert errors["instruction"] == ["Catatan disposisi wajib diisi."]
        assert "Centang sedikitnya satu" in errors["marks"][0]
        c = _reload(c)
        assert c.current_step_no == 3 and len(c.history) == 2


def test_registration_numbers_are_gap_free_and_follow_the_pattern(app):
    from models.dates import to_wib
    from models.types import utcnow

    with app.app_context():
        numbers = [register_complaint("curhat_ning_ita").reg_number for _ in range(3)]
        year = to_wib(utcnow()).year
        assert numbers == [f"{n:04d}/PGD/417.514.3/{year}" for n in (1, 2, 3)]


def test_a_refused_registration_takes_no_number(app):
    from models.workflow import register

    with app.app_context():
        register_complaint("curhat_ning_ita")
        with pytest.raises(FormInvalid):
            register(user("fo"), registration("curhat_ning_ita", subject=""))
        with pytest.raises(ActionRefused):
            register(user("kasi"), registration("curhat_ning_ita"))
        assert register_complaint("curhat_ning_ita").reg_seq == 2
        assert db.session.scalar(select(func.count(Complaint.id))) == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"platform_id": "0"}, "platform_id", "Pilih platform untuk kanal Media sosial."),
        ({"complainant_name": ""}, "complainant_name", "Nama pengadu wajib diisi"),
        ({"subject": ""}, "subject", "Pokok pengaduan wajib diisi."),
        ({"received_at": "kemarin"}, "received_at", "Tanggal dan jam tidak valid; tulis"),
    ],
)
def test_registration_form_explains_bad_input(app, overrides, field, message):
    from models.workflow import register

    with app.app_context():
        with pytest.raises(FormInvalid) as invalid:
            register(user("fo"), registration("media_sosial", **overrides))
        assert message in invalid.value.form.errors[field][0]


def test_registration_in_the_future_is_refused(app):
    from models.dates import to_wib
    from models.types import utcnow
    from models.workflow import register

    with app.app_context():
        future = to_wib(utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        with pytest.raises(FormInvalid) as invalid:
            register(user("fo"), registration(received_at=future))
        assert invalid.value.form.errors["received_at"] == [
            "Waktu diterima tidak boleh di masa depan."
        ]


def test_lapor_needs_its_tracking_number(app):
    from models.workflow import register

    with app.app_context():
        with pytest.raises(FormInvalid) as invalid:
            register(user("fo"), registration("lapor", lapor_tracking_no=""))
        assert "LAPOR!" in invalid.value.form.errors["lapor_tracking_no"][0]
        c = register_complaint("lapor")
        assert c.lapor_tracking_no == "LPR-2026-000123"


def test_anonymous_complaint_needs_no_name(app):
    with app.app_context():
        c = register_complaint("media_sosial", complainant_name="", is_anonymous="y")
        assert c.is_anonymous and c.complainant_name == "Anonim"


def test_history_records_actor_working_time_due_and_acting_appointment(app):
    from datetime import date

    from models import ActingAppointment
    from tests.test_calendar import wib

    with app.app_context():
        db.session.add(ActingAppointment(user_id=user("kabid").id, role="kadis", kind="Plt.",
                                         position="Kepala Dinas", starts_on=date(2026, 11, 1),
                                         ends_on=date(2026, 11, 30)))  # fmt: skip
        db.session.commit()
        received = registration("curhat_ning_ita", received_at="2026-11-25T15:50")
        c = register(user("fo"), received, now=wib(2026, 11, 26, 7, 45))
        # 10 working minutes on Wednesday, 15 on Thursday: within the 30-minute standard
        step2 = db.session.scalar(
            select(StepRecord).where(StepRecord.complaint_id == c.id, StepRecord.step_no == 2)
        )
        assert (step2.actor.username, step2.working_minutes, step2.met_standard) == ("fo", 25, True)
        assert c.due_at == wib(2026, 11, 26, 9, 45)  # step 3: 120 working minutes
        data = FORMS["arahan"]()
        record = advance(c.id, user("kabid"), "arahan", data, now=wib(2026, 11, 26, 10, 15))
        # the Kabid disposes as Plt. Kepala Dinas, 30 minutes late
        assert (record.actor_role, record.acting_kind) == ("kadis", "Plt.")
        assert (record.step_no, record.working_minutes, record.met_standard) == (3, 150, False)
        c = _reload(c)
        assert c.due_at == wib(2026, 11, 26, 12, 15) and c.due_soon_at == wib(2026, 11, 26, 11, 45)


def test_demo_complaints_cover_every_sop_and_step_some_overdue(app):
    from models.deadlines import deadline_state
    from models.types import utcnow
    from seeds.demo_complaints import create_demo_complaints

    with app.app_context():
        assert create_demo_complaints() == 40
        complaints = db.session.scalars(select(Complaint)).all()
        assert len(complaints) == 40
        assert {c.sop.code for c in complaints} == {"SOP.48", "SOP.49", "SOP.50"}
        sop_50 = next(c.sop for c in complaints if c.sop.code == "SOP.50")
        open_50 = {c.current_step_no for c in complaints
                   if c.sop.code == "SOP.50" and c.status == "in_progress"}  # fmt: skip
        # every step after registration waits somewhere, the closing stages too
        assert open_50 == set(range(3, closing(sop_50, "dispatch") + 1))
        assert {c.status for c in complaints} == {"in_progress", "closed"}
        assert sum(deadline_state(c, utcnow()) == "overdue" for c in complaints) >= 5
        assert create_demo_complaints() == 0  # a second run adds nothing
