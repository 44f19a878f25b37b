"""SP4N-LAPOR!: reports the national system forwarded to the agency, imported by the front
office from LAPOR!'s admin export (models/lapor_file.py) or keyed in one at a time.

Each new report becomes a submission of the channel *SP4N-LAPOR!* (models/submission.py):
step 1 of the channel's SOP (master data), waiting for the front office's registration with
the registration step's due moment from when LAPOR! forwarded it. An import is idempotent by
Tracking ID: a report already taken (waiting, registered or archived) is skipped when its
content is the same and reported — not overwritten — when LAPOR! now says something else.
One import is one transaction: all its new reports or none.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from models import db
from models.accounts import User
from models.calendar import load_calendar
from models.complaint import Complaint, StepRecord
from models.dates import to_wib
from models.duplicates import similar
from models.lapor_file import CLASS_LABELS, Report
from models.masterdata import Channel, Jenis
from models.sop import current_sop
from models.submission import Submission
from models.types import utcnow

LAPOR_CHANNEL = "lapor"  # the channel's code (master data)
# The jenis a report of each LAPOR! classification is registered under (the FO may correct).
JENIS_OF_CLASS = {"pengaduan": "pengaduan", "aspirasi": "saran",
                  "permintaan_informasi": "informasi", "whistleblowing": "pengaduan"}  # fmt: skip
RESULTS = {
    "created": "Dibuat",
    "same": "Dilewati: sudah diimpor, isinya sama",
    "changed": "Dilaporkan: sudah diimpor, isinya di LAPOR! berbeda (tidak ditimpa)",
}


class ImportRefused(Exception):
    """Nothing was imported; `str(exc)` says why, in Indonesian."""


@dataclass
class RowResult:
    line: int
    tracking_id: str
    result: str  # a key of RESULTS
    detail: str = ""

    @property
    def label(self) -> str:
        return RESULTS[self.result]


@dataclass
class ImportResult:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for r in self.rows if r.result == result)


def fingerprint(report: Report) -> str:
    return hashlib.sha256(json.dumps(report.fingerprint()).encode()).hexdigest()


def _existing(ids: list[str]) -> dict[str, tuple[str | None, str]]:
    """{Tracking ID: (fingerprint or None, where)} of the reports already taken."""
    found = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for tid, print_, status in db.session.execute(
            select(Submission.lapor_tracking_id, Submission.lapor_fingerprint, Submission.status)
            .where(Submission.lapor_tracking_id.in_(chunk))
        ):  # fmt: skip
            found[tid] = (print_, f"pengaduan daring ({status})")
        for tid, number in db.session.execute(
            select(Complaint.lapor_tracking_no, Complaint.reg_number)
            .where(Complaint.lapor_tracking_no.in_(chunk))
        ):  # fmt: skip
            found.setdefault(tid, (None, f"pengaduan {number}"))
    return found


def import_reports(reports: list[Report], user: User, now: datetime | None = None) -> ImportResult:
    """Take the new reports as submissions waiting for registration, in one transaction;
    report each line's result.

    :raise ImportRefused: the channel has no SOP in force, or another import took the same
        reports meanwhile (nothing was imported; import again).
    """
    from models.workflow import due_moments, registration_step

    now = now or utcnow()
    channel = db.session.scalar(select(Channel).where(Channel.code == LAPOR_CHANNEL))
    sop = current_sop(channel.sop_code, to_wib(now).date()) if channel else None
    if sop is None:
        raise ImportRefused("Kanal SP4N-LAPOR! belum memiliki SOP yang berlaku.")
    jenis = {j.code: j.id for j in db.session.scalars(select(Jenis))}
    default_jenis = jenis.get("pengaduan") or next(iter(jenis.values()))
    calendar, step = load_calendar(), registration_step(sop)
    existing = _existing([r.tracking_id for r in reports])
    result = ImportResult()
    try:
        for report in reports:
            taken = existing.get(report.tracking_id)
            if taken is not None:
                same = taken[0] == fingerprint(report)
                result.rows.append(RowResult(report.line, report.tracking_id,
                                             "same" if same else "changed", taken[1]))  # fmt: skip
                continue
            received = min(report.forwarded_at or report.reported_at, now)
            due, soon = due_moments(received, step, calendar)
            submission = Submission(
                received_at=received, channel_id=channel.id, sop_id=sop.id,
                jenis_id=jenis.get(JENIS_OF_CLASS.get(report.classification, ""),
                                   default_jenis),
                subject=report.title, description=report.text,
                # LAPOR!'s export names nobody: the reporter is known there, not here
                name="" if report.anonymous else REPORTER, is_anonymous=report.anonymous,
                is_confidential=report.confidential,
                status="waiting", due_at=due, due_soon_at=soon,
                lapor_tracking_id=report.tracking_id,
                lapor_transaction_id=report.transaction_id or None,
                lapor_classification=report.classification or None,
                lapor_category=report.category or None, lapor_status=report.status or None,
                lapor_forwarded_at=report.forwarded_at, lapor_reported_at=report.reported_at,
                lapor_fingerprint=fingerprint(report),
            )  # fmt: skip
            db.session.add(submission)
            db.session.flush()  # (the importer is the front office: nobody else to tell)
            alike = similar(user, report.title, now=now)
            detail = ("mungkin sama dengan " + ", ".join(m.reg_number for m in alike)
                      if alike else "")  # fmt: skip
            result.rows.append(RowResult(report.line, report.tracking_id, "created", detail))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ImportRefused("Laporan yang sama sedang diimpor petugas lain; tidak ada yang "
                            "tersimpan. Impor sekali lagi.") from None  # fmt: skip
    return result


def class_label(code: str | None) -> str:
    return CLASS_LABELS.get(code or "", "")


# -- the national limits, and reporting back ----------------------------------------------

# SP4N-LAPOR!'s own limits, in working days on the agency's calendar: LAPOR! verifies and
# forwards a report within 3; the agency posts its follow-up within 5 of the forwarding; a
# report with a follow-up and no reply for 10 is closed by LAPOR!.
VERIFY_DAYS, FOLLOW_UP_DAYS, CLOSE_DAYS = 3, 5, 10
ANSWER_DOCUMENT = "surat_dinas"  # the answer letter whose substance is the follow-up
FORWARD_DOCUMENT = "surat_pelimpahan"  # or the letter forwarding it (models/closing.py)
NAMELESS = "Pelapor"
REPORTER = "Pelapor SP4N-LAPOR!"  # the name of a report's complainant, whom LAPOR! knows


@dataclass(frozen=True)
class Limit:
    """One of LAPOR!'s limits for a complaint: what, by when, when it was done (None: not
    yet), and whether it was (or is being) met."""

    kind: str  # "verify", "follow_up", "close"
    label: str
    due: datetime
    done: datetime | None
    state: str  # "met", "missed", "open", "late"

    @property
    def state_label(self) -> str:
        return {"met": "terpenuhi", "missed": "terlewat", "open": "berjalan",
                "late": "terlambat"}[self.state]  # fmt: skip


def _limit(kind: str, label: str, start: datetime, days: int, done: datetime | None,
           now: datetime, calendar) -> Limit:  # fmt: skip
    due = calendar.add(start, {"working_days": days})
    if done is not None:
        return Limit(kind, label, due, done, "met" if done <= due else "missed")
    return Limit(kind, label, due, None, "open" if now <= due else "late")


def national_limits(complaint: Complaint, now: datetime, calendar=None) -> list[Limit]:
    """LAPOR!'s limits for a complaint from SP4N-LAPOR!: verification and forwarding (from
    the report), the follow-up (from the forwarding), and when LAPOR! closes it for want of a
    reply (from the follow-up). Empty for a complaint from elsewhere."""
    if not complaint.lapor_tracking_no:
        return []
    calendar = calendar or load_calendar()
    limits = []
    forwarded = complaint.lapor_forwarded_at or complaint.received_at
    if complaint.lapor_reported_at:
        limits.append(_limit("verify", "Verifikasi dan penerusan oleh LAPOR! (3 hari kerja)",
                             complaint.lapor_reported_at, VERIFY_DAYS, forwarded, now,
                             calendar))  # fmt: skip
    limits.append(_limit("follow_up", "Tindak lanjut di LAPOR! (5 hari kerja sejak diteruskan)",
                         forwarded, FOLLOW_UP_DAYS, complaint.lapor_followup_at, now,
                         calendar))  # fmt: skip
    if complaint.lapor_followup_at:
        limits.append(_limit("close", "Laporan ditutup bila pelapor tidak menanggapi (10 hari "
                             "kerja sejak tindak lanjut)", complaint.lapor_followup_at,
                             CLOSE_DAYS, complaint.lapor_closed_at, now, calendar))  # fmt: skip
    return limits


def closing_due(now: datetime, calendar=None) -> list[Complaint]:
    """The reports whose follow-up has had no reply for CLOSE_DAYS working days and that are
    not closed on LAPOR! yet: the front office is reminded to close them there. Read from the
    follow-up moment's index, between 60 and CLOSE_DAYS calendar days ago (a working day is
    never shorter; older ones have been reminded)."""
    calendar = calendar or load_calendar()
    rows = db.session.scalars(
        select(Complaint)
        .where(Complaint.lapor_followup_at >= now - timedelta(days=60),
               Complaint.lapor_followup_at <= now - timedelta(days=CLOSE_DAYS),
               Complaint.lapor_closed_at.is_(None))
        .order_by(Complaint.id)
    )  # fmt: skip
    return [c for c in rows
            if calendar.add(c.lapor_followup_at, {"working_days": CLOSE_DAYS}) <= now]  # fmt: skip


def mark_report_closed(complaint_id: int, now: datetime | None = None) -> bool:
    """Record that the report was closed on LAPOR! (once, after its follow-up); False when it
    already was or has no follow-up posted."""
    table = Complaint.__table__
    done = db.session.execute(
        update(table)
        .where(table.c.id == complaint_id, table.c.lapor_closed_at.is_(None),
               table.c.lapor_followup_at.is_not(None))
        .values(lapor_closed_at=now or utcnow())
    ).rowcount  # fmt: skip
    db.session.commit()
    return bool(done)


def followup_text(complaint: Complaint, history: list) -> str | None:
    """The follow-up to post on LAPOR!: the answer letter's substance, or for a complaint
    forwarded to another agency its forwarding (LAPOR!'s *Bukan Wewenang*), with no identity
    (the complainant's name, where the text repeats it, becomes "Pelapor"); None until the
    answer has been written."""
    letters = [r for r in history
               if (r.document == ANSWER_DOCUMENT and r.data.get("body"))
               or r.document == FORWARD_DOCUMENT]  # fmt: skip
    if not letters:
        return None
    letter = letters[-1]
    if letter.document == FORWARD_DOCUMENT:
        body = (f"Laporan ini bukan kewenangan kami dan telah dilimpahkan kepada "
                f"{letter.data['agency']} untuk ditindaklanjuti sesuai kewenangannya.\n\n"
                f"Alasan: {letter.data['reason']}")  # fmt: skip
    else:
        body = letter.data["body"].strip()
    name = (complaint.complainant_name or "").strip()
    if name and name != "Anonim" and len(name) > 2:
        body = re.sub(re.escape(name), NAMELESS, body, flags=re.IGNORECASE)
    number = letter.document_number
    head = f"Tindak lanjut atas laporan {complaint.lapor_tracking_no}"
    head += f" (surat {number})" if number else ""
    return f"{head}:\n\n{body}"


def pending_followups():
    """The complaints from SP4N-LAPOR! whose answer is written (or that were forwarded) and
    whose follow-up has not been posted on LAPOR! yet, oldest forwarding first (a
    statement)."""
    answered = select(StepRecord.complaint_id).where(
        StepRecord.document.in_((ANSWER_DOCUMENT, FORWARD_DOCUMENT)))  # fmt: skip
    return (
        select(Complaint)
        .where(Complaint.lapor_tracking_no.is_not(None), Complaint.lapor_followup_at.is_(None),
               Complaint.id.in_(answered))
        .order_by(Complaint.lapor_forwarded_at, Complaint.id)
    )  # fmt: skip


def mark_followup_posted(complaint_id: int, user: User, now: datetime | None = None) -> bool:
    """Record that the follow-up was posted on LAPOR! (once); False when it already was."""
    table = Complaint.__table__
    done = db.session.execute(
        update(table)
        .where(table.c.id == complaint_id, table.c.lapor_followup_at.is_(None),
               table.c.lapor_tracking_no.is_not(None))
        .values(lapor_followup_at=now or utcnow(), lapor_followup_by_id=user.id)
    ).rowcount  # fmt: skip
    db.session.commit()
    return bool(done)


def lapor_followups_met(start: datetime, end: datetime) -> tuple[int, int]:
    """(posted, within LAPOR!'s limit) of the follow-ups posted in [start, end)."""
    calendar = load_calendar()
    rows = db.session.execute(
        select(Complaint.lapor_forwarded_at, Complaint.received_at, Complaint.lapor_followup_at)
        .where(Complaint.lapor_followup_at >= start, Complaint.lapor_followup_at < end)
    ).all()  # fmt: skip
    met = sum(
        1 for forwarded, received, posted in rows
        if posted <= calendar.add(forwarded or received, {"working_days": FOLLOW_UP_DAYS})
    )  # fmt: skip
    return len(rows), met
