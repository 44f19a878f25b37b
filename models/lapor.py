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
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import db
from models.accounts import User
from models.calendar import load_calendar
from models.complaint import Complaint
from models.dates import to_wib
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
                is_anonymous=report.anonymous, is_confidential=report.confidential,
                status="waiting", due_at=due, due_soon_at=soon,
                lapor_tracking_id=report.tracking_id,
                lapor_transaction_id=report.transaction_id or None,
                lapor_classification=report.classification or None,
                lapor_category=report.category or None, lapor_status=report.status or None,
                lapor_forwarded_at=report.forwarded_at, lapor_fingerprint=fingerprint(report),
            )  # fmt: skip
            db.session.add(submission)
            db.session.flush()  # (the importer is the front office: nobody else to tell)
            result.rows.append(RowResult(report.line, report.tracking_id, "created"))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ImportRefused("Laporan yang sama sedang diimpor petugas lain; tidak ada yang "
                            "tersimpan. Impor sekali lagi.") from None  # fmt: skip
    return result


def class_label(code: str | None) -> str:
    return CLASS_LABELS.get(code or "", "")
