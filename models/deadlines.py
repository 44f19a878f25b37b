"""Whether an open step is on time, due soon (its last 25 %), late, or has its clock stopped:
the rule in Python and, beside it, the same rule as SQL for lists, filters and exports."""

from datetime import datetime

from sqlalchemy import and_, case

from models.complaint import Complaint

DUE_SOON_SHARE = 0.25  # the last quarter of a step's standard is "due soon" (SPEC §3)

LABELS = {
    "paused": "Jam dihentikan",
    "overdue": "Terlambat",
    "due_soon": "Segera jatuh tempo",
    "on_time": "Tepat waktu",
}


def deadline_of(due_at, due_soon_at, paused_at, now: datetime) -> str | None:
    """ "paused", "overdue", "due_soon" or "on_time"; None without a due moment."""
    if due_at is None:
        return None
    if paused_at is not None:
        return "paused"
    if now > due_at:
        return "overdue"
    if due_soon_at is not None and now >= due_soon_at:
        return "due_soon"
    return "on_time"


def deadline_state(complaint: Complaint, now: datetime) -> str | None:
    """`deadline_of` of the complaint's open step."""
    return deadline_of(complaint.due_at, complaint.due_soon_at, complaint.paused_at, now)


def deadline_case(now: datetime):
    """`deadline_of` as SQL, giving the state's label (LABELS), or "" without a due moment."""
    return case(
        (Complaint.due_at.is_(None), ""),
        (Complaint.paused_at.is_not(None), LABELS["paused"]),
        (Complaint.due_at < now, LABELS["overdue"]),
        (Complaint.due_soon_at <= now, LABELS["due_soon"]),
        else_=LABELS["on_time"],
    )


def overdue_clause(now: datetime):
    """A WHERE clause: the open steps past their due moment whose clock runs ("overdue")."""
    return and_(Complaint.due_at.is_not(None), Complaint.due_at < now,
                Complaint.paused_at.is_(None))  # fmt: skip


# A closed complaint against its class's overall limit (models/closing.py).
OVERALL_LABELS = {"met": "Selesai dalam batas kelasnya",
                  "missed": "Selesai melewati batas kelasnya"}  # fmt: skip


def overall_state(complaint: Complaint, now: datetime) -> str | None:
    """The complaint against its class's overall limit from receipt: "met" or "missed" once
    closed, else as `deadline_of` ("due_soon" in its last quarter); None without a class."""
    if complaint.class_due_at is None:
        return None
    if complaint.status == "closed":
        return "met" if complaint.closed_at <= complaint.class_due_at else "missed"
    return deadline_of(complaint.class_due_at, complaint.class_due_soon_at, None, now)
