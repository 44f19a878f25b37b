"""The citizen's tracking code, and what the public tracking page may say of a complaint.

A tracking code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
written in groups of four (``KX7M-2QPA-9RTE``): 31¹² ≈ 8·10¹⁷ codes, so nobody finds one by
trying, and it is not the registration number, which counts up. The database keeps only its
SHA-256 hash: the code is shown once, on the receipt, and a lost one is replaced by a new one
(the old stops working). Lookups that find nothing are counted per address and held back
after `TRACK_MAX_FAILURES` within `TRACK_WINDOW_MINUTES` (models/throttle.py); a wrong code
and an unknown one answer the same.

The public timeline says only what the citizen may know, in plain Indonesian: received,
registered, being handled, answered, finished, with dates; never notes, dispositions,
officials' instructions, minutes, or anybody's name.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import select, update

from models import db, throttle
from models.complaint import EVENT_PHASES, Complaint, StepRecord
from models.sop import PUBLIC

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 12
ANSWER_DOCUMENT = "surat_dinas"  # the answer letter the citizen may read (models/kinds.py)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str | None) -> str | None:
    """The code as stored (upper case, no spaces or dashes), or None when it cannot be one."""
    text = "".join((raw or "").split()).replace("-", "").upper()[: CODE_LENGTH + 1]
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def format_code(code: str) -> str:
    """``KX7M-2QPA-9RTE``: a code as people read and type it."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_code(complaint: Complaint) -> str:
    """Give the complaint a new tracking code (an earlier one stops working); return it, to
    be shown once. Part of the caller's transaction."""
    code = new_code()
    complaint.tracking_hash = code_hash(code)
    return code


def reissue(complaint_id: int) -> str:
    """Give a registered complaint a new code (the citizen lost theirs; the old one stops
    working) and commit; return it. Written beside the ORM's version counter: a new code
    is no step, and must not tell an official at the complaint that somebody acted."""
    code = new_code()
    db.session.execute(update(Complaint.__table__).where(Complaint.__table__.c.id == complaint_id)
                       .values(tracking_hash=code_hash(code)))  # fmt: skip
    db.session.commit()
    return code


def tracking_url(code: str) -> str:
    """The tracking page of `code`, as the citizen opens it (APP_BASE_URL)."""
    from models.channels import base_url

    return f"{base_url()}/lacak/?kode={format_code(code)}"


def qr_svg(url: str | None) -> Markup:
    """The QR code of `url` as inline SVG for a receipt ("" without one)."""
    if not url:
        return Markup("")
    return Markup(segno.make(url, error="m").svg_inline(scale=4, omitsize=True))


def find(code: str | None) -> Complaint | None:
    """The complaint of a tracking code as typed, or None."""
    normal = normalize_code(code)
    if normal is None:
        return None
    return db.session.scalar(select(Complaint).where(Complaint.tracking_hash == code_hash(normal)))


def _limits() -> tuple[int, timedelta]:
    config = current_app.config
    return (int(config.get("TRACK_MAX_FAILURES") or 10),
            timedelta(minutes=int(config.get("TRACK_WINDOW_MINUTES") or 15)))  # fmt: skip


def wait_minutes(address: str, now: datetime | None = None) -> int:
    """Minutes until `address` may look up a code again; 0 when it may now."""
    limit, window = _limits()
    return throttle.wait_minutes("track", address[:64], limit, window, now)


def failed_lookup(address: str, now: datetime | None = None) -> None:
    throttle.count("track", address, now)


@dataclass(frozen=True)
class Stage:
    """One line of the public timeline: its label, when it was reached (None: not yet)."""

    label: str
    at: datetime | None


def public_timeline(complaint: Complaint, history: list[StepRecord]) -> list[Stage]:
    """Diterima, Diregistrasi, Ditindaklanjuti, Dijawab, Selesai — each with the moment it was
    reached, read from the complaint's history and its SOP's data (which record registered
    it, which produced the answer letter). A forwarded complaint ends at its forwarding; a
    merged one is followed through the complaint it joined (`followed`)."""
    finished = [r for r in history if r.phase not in EVENT_PHASES and r.actor_id]
    registered = next((r for r in finished if _form_of(complaint, r) == "register"), None)
    later = [r for r in finished if registered is None or r.seq > registered.seq]
    answered = next((r for r in later if r.document == ANSWER_DOCUMENT), None)
    if complaint.closed_as == "forward":  # not ours: it went on at the agency it belongs to
        return [
            Stage("Diterima", complaint.received_at),
            Stage("Diregistrasi", registered.finished_at if registered else None),
            Stage(f"Dilimpahkan kepada {complaint.forwarded_to.name}", complaint.closed_at),
        ]
    return [
        Stage("Diterima", complaint.received_at),
        Stage("Diregistrasi", registered.finished_at if registered else None),
        Stage("Ditindaklanjuti", later[0].finished_at if later else None),
        Stage("Dijawab", answered.finished_at if answered else None),
        Stage("Selesai", complaint.closed_at),
    ]


def _form_of(complaint: Complaint, record: StepRecord) -> str | None:
    step = complaint.sop.step_of_record(record.step_no, record.phase)
    if step is None or step.actor == PUBLIC:
        return None
    return next((o.form for o in step.outcomes if o.code == record.outcome), None)


def sent_answer(complaint: Complaint, history: list[StepRecord]) -> StepRecord | None:
    """The record of the answer letter once it has been sent to the citizen (the complaint
    is closed): the letter the tracking page offers."""
    if complaint.status != "closed":
        return None
    letters = [r for r in history if r.document == ANSWER_DOCUMENT]
    return letters[-1] if letters else None


def followed(complaint: Complaint) -> Complaint:
    """The complaint whose progress the citizen follows: the one it was merged into (the
    merge keeps that the final one), else itself."""
    return complaint.merged_into if complaint.closed_as == "merge" else complaint
