"""The complaint page reads each thing once (issue 21 item 5): no statement repeated, whatever
the length of the history or of the SOP, and at most ten to read a complaint."""

import collections

import pytest
from sqlalchemy import event, select

from models import ComplaintClass, db
from tests.workflow_helpers import SOP_50_WALK, act, register_complaint

READ_LIMIT = 10  # statements for an official reading a complaint (the target)


def _statements(app, client, url) -> list[str]:
    client.get(url)  # warm: the pick lists' and the calendar's caches
    seen = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append(statement)  # the same text again, whatever its values: read one by one

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("steps", [2, 6, len(SOP_50_WALK)])
def test_the_complaint_page_repeats_no_statement(app, client, auth, steps):
    """Open at a step or closed (with its survey read), the page reads each thing once; a
    complaint with a class, from SP4N-LAPOR! (its follow-up posts read too)."""
    with app.app_context():
        ringan = db.session.scalar(select(ComplaintClass).where(ComplaintClass.code == "ringan"))
        c = register_complaint("lapor", class_id=str(ringan.id), lapor_tracking_no="LPR-1")
        for who, _queue, outcome in SOP_50_WALK[:steps]:
            act(c, who, outcome, **({"body": "Jawaban."} if "jawab" in outcome else {}))
        cid = c.id
        closed = c.status == "closed"
        acting = None if closed else SOP_50_WALK[steps][0]
    assert closed == (steps == len(SOP_50_WALK))
    auth.login("fo")  # reads it in Semua pengaduan
    reading = _statements(app, client, f"/admin/pengaduan/details/?id={cid}")
    repeated = [s for s, n in collections.Counter(reading).items() if n > 1]
    assert repeated == [] and len(reading) <= READ_LIMIT, [
        " ".join(s.split())[:90] for s in reading
    ]
    if closed:
        assert any("rating" in s for s in reading)  # the citizen's survey, once
        return
    auth.logout()
    auth.login(acting)  # the official whose step it is: the page with its forms
    queue = {"teknis1": "tim-teknis"}.get(acting, acting)
    acting_page = _statements(app, client, f"/admin/antrian/{queue}/details/?id={cid}")
    repeated = [s for s, n in collections.Counter(acting_page).items() if n > 1]
    assert repeated == [], repeated
