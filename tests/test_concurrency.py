"""Officials acting at the same moment: one wins, the others are told, nothing moves twice."""

import threading

from sqlalchemy import func, select

from models import Complaint, StepRecord, db
from models.workflow import ActionRefused, advance, register, step_numbers
from tests.workflow_helpers import FORMS, register_complaint, registration, user

PARALLEL = 8


def _in_parallel(app, work, count=PARALLEL):
    """Run `work(i)` in `count` threads that start together; return what each returned."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[i] = work(i)
            except Exception as exc:  # noqa: BLE001 - reported to the test below
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_parallel_dispositions_of_one_step_succeed_exactly_once(app):
    with app.app_context():
        cid = register_complaint("curhat_ning_ita").id
        data = FORMS["arahan"]()

    def dispose(_i):
        advance(cid, user("kadis"), "arahan", data)
        return "ok"

    results = _in_parallel(app, dispose)
    assert results.count("ok") == 1, results
    refused = [r for r in results if r != "ok"]
    assert all(isinstance(r, ActionRefused) for r in refused), refused
    assert all(r.message.startswith(("Sudah ditindaklanjuti oleh", "Menunggu")) for r in refused)
    with app.app_context():
        c = db.session.get(Complaint, cid)
        assert step_numbers(c) == [1, 2, 3] and c.current_step_no == 4
        count = db.session.scalar(select(func.count(StepRecord.id))
                                  .where(StepRecord.complaint_id == cid))  # fmt: skip
        assert count == 3


def test_parallel_registrations_get_distinct_gap_free_numbers(app):
    with app.app_context():
        data = registration("curhat_ning_ita")

    def register_one(_i):
        return register(user("fo"), data).reg_seq

    results = _in_parallel(app, register_one)
    assert sorted(results) == list(range(1, PARALLEL + 1)), results
