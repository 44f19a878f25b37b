"""The actor rules in Python and their SQL twins (models/actors.py) give the same answer on a
generated set of complaints: every complaint, every role, every official."""

import pytest
from sqlalchemy import select

from models import Complaint, User, db
from models.accounts import Role
from models.actors import (
    co_acting_roles,
    in_queue,
    invited,
    invited_clause,
    queue_clause,
    queue_count,
    waiting_on,
    waits_on,
)
from seeds.bulk import seed_bulk
from seeds.demo_complaints import create_demo_complaints

ROLES = [Role.FO, Role.KADIS, Role.KABID, Role.KASI, Role.TIM_TEKNIS]


@pytest.fixture
def complaints(app):
    """The demo complaints (made by the engine: meetings with their invitations, every step)
    and bulk ones (every step, many closed)."""
    with app.app_context():
        create_demo_complaints()
        seed_bulk(150, echo=lambda line: None)
    return app


def _ids(clause) -> set[int]:
    return set(db.session.scalars(select(Complaint.id).where(clause)))


def test_waiting_queues_and_invitations_agree_in_python_and_sql(complaints):
    """Who waits, whose queue, who is invited: the same in Python and SQL for every complaint,
    role and official (one test, since building the complaints is most of its cost)."""
    with complaints.app_context():
        every = db.session.scalars(select(Complaint)).all()
        leaders = co_acting_roles()
        # waiting on a role
        for role in ROLES:
            python = {c.id for c in every if waits_on(c, role)}
            assert python == _ids(waiting_on(role)), role
            if role not in leaders:  # the narrower clause where no step names a leader role
                assert python == _ids(waiting_on(role, co_acting=False)), role
        assert any(waits_on(c, Role.KABID) and c.current_actor != Role.KABID for c in every)
        # queues and invitations
        officials = db.session.scalars(select(User).where(User.role != Role.ADMIN)).all()
        checked = 0
        for user in officials:
            assert {c.id for c in every if invited(c, user)} == _ids(invited_clause(user.id))
            for role in ROLES:
                python = {c.id for c in every if in_queue(c, role, user)}
                assert python == _ids(queue_clause(role, user, role in leaders)), (user, role)
                counted = db.session.scalar(queue_count(role, user, role in leaders))
                assert counted == len(python), (user, role)
                checked += len(python)
        assert checked > 100
        # the Tim Teknis's queues differ by invitation: one member's is not another's
        teknis = [u for u in officials if u.role == Role.TIM_TEKNIS]
        queues = [{c.id for c in every if in_queue(c, Role.TIM_TEKNIS, u)} for u in teknis]
        assert any(queues) and len({frozenset(q) for q in queues}) > 1
