"""What the monitoring reads of the register (ops/ serves it as Prometheus metrics): open
complaints per acting role, waiting and overdue; the outboxes (officials' notifications and
citizens' messages) by state; the worker's latest round."""

from datetime import datetime

from sqlalchemy import case, func, select

from models import db
from models.citizen_messages import CitizenMessage
from models.complaint import Complaint
from models.deadlines import overdue_clause
from models.heartbeat import latest_beat
from models.notifications import Notification


def waiting_by_role(now: datetime) -> dict[str, tuple[int, int]]:
    """{role: (open complaints whose step that role acts on, of them overdue)} in one grouped
    statement on the queue index (a step's leader, e.g. the Kabid at a rakor, is not counted
    again: each complaint counts once, for the role that acts)."""
    rows = db.session.execute(
        select(Complaint.current_actor, func.count(Complaint.id),
               func.coalesce(func.sum(case((overdue_clause(now), 1), else_=0)), 0))
        .where(Complaint.status == "in_progress", Complaint.current_actor.is_not(None))
        .group_by(Complaint.current_actor)
    ).all()  # fmt: skip
    return {role: (int(waiting), int(overdue)) for role, waiting, overdue in rows}


def outbox_states() -> dict[tuple[str, str], int]:
    """{(outbox, state): count} of the messages not sent yet ("pending") or given up
    ("failed"): "notification" (officials' e-mail and WhatsApp), "citizen" (complainants')."""
    counts = {}
    for name, table, external in (
        ("notification", Notification, Notification.channel != "app"),
        ("citizen", CitizenMessage, True),
    ):  # fmt: skip
        found = dict(db.session.execute(
            select(table.status, func.count(table.id))
            .where(external, table.status != "sent").group_by(table.status)).all())  # fmt: skip
        for state in ("pending", "failed"):
            counts[name, state] = found.get(state, 0)
    return counts


def worker_silence(now: datetime) -> float | None:
    """Seconds since any notification worker's latest round; None when none ran for a day."""
    beat = latest_beat()
    return None if beat is None else max(0.0, (now - beat).total_seconds())
