"""seed-bulk makes consistent data that the engine and the lists keep working with."""

from datetime import timedelta

from sqlalchemy import func, select

from models import Complaint, SopStep, StepRecord, db
from models.types import utcnow
from models.workflow import step_numbers
from tests.workflow_helpers import act, register_complaint


def test_seed_bulk_makes_complaints_the_engine_can_continue(app, client, auth):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-bulk", "2000"])
    assert result.exit_code == 0, result.output
    assert "2000 pengaduan" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 2000
        numbers = db.session.scalars(select(Complaint.reg_number)).all()
        assert len(set(numbers)) == 2000
        statuses = set(db.session.scalars(select(Complaint.status).distinct()))
        assert statuses == {"in_progress", "closed"}
        at_closing = db.session.scalar(
            select(func.count(Complaint.id))
            .join(
                SopStep,
                (SopStep.sop_id == Complaint.sop_id) & (SopStep.no == Complaint.current_step_no),
            )
            .where(SopStep.closing.is_not(None))
        )
        assert at_closing > 0  # some wait to have their answer drafted or sent
        for c in db.session.scalars(select(Complaint).limit(40)):
            seqs = [r.seq for r in c.history]
            assert seqs == list(range(1, len(seqs) + 1))
            assert step_numbers(c)[:2] == [1, 2]
            if c.status == "in_progress":
                assert c.due_at is not None and c.due_soon_at <= c.due_at
                assert c.current_actor == c.sop.step(c.current_step_no).actor
        assert db.session.scalar(select(func.count(StepRecord.id))) > 4000
        # an office that keeps up: most complaints older than a month are closed
        month_ago = utcnow() - timedelta(days=45)
        old = select(Complaint.status).where(Complaint.received_at < month_ago)
        old_statuses = db.session.scalars(old).all()
        assert old_statuses.count("closed") > 0.9 * len(old_statuses)
        # the engine carries on: new numbers continue the year's counter, new ids are free
        fresh = register_complaint("curhat_ning_ita")
        assert fresh.reg_number not in numbers
        waiting = db.session.scalar(
            select(Complaint).where(Complaint.current_step_no == 3).limit(1)
        )
        act(waiting, "kadis", "arahan")
    auth.login("kadis")
    assert client.get("/admin/antrian/kadis/").status_code == 200
    assert client.get("/admin/pengaduan/?page=5").status_code == 200
