"""The paper trail after printing: the signed scan of a printed document and the proof that
the letter went out (a post receipt, a screenshot of the message sent). Each is an attachment
of the complaint bound to the history record that produced the document, with its purpose;
it is added, never replaced (the history is append-only: a second scan stands beside the
first), and shown beside the document and in the case file."""

from datetime import datetime

from models import db
from models.accounts import Role, User
from models.complaint import Attachment, Complaint, StepRecord
from models.dates import to_wib
from models.kinds import DOCUMENTS
from models.types import utcnow

SIGNED, DISPATCH = "signed", "dispatch"
PURPOSES = {SIGNED: "Scan bertanda tangan", DISPATCH: "Bukti pengiriman"}
# Who files a signed scan: the officials who print and sign the complaint's documents.
SCAN_ROLES = (Role.FO, Role.KASI, Role.KABID, Role.KADIS)


class ScanRefused(Exception):
    """The file cannot be filed; `message` says why in Indonesian, `status` the HTTP code."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def files_scans(user: User, now: datetime | None = None) -> bool:
    """Whether `user` files anything after printing at all (the page's first check)."""
    return user.holds_any(SCAN_ROLES, to_wib(now or utcnow()).date())


def may_file(user: User, purpose: str, record: StepRecord, now: datetime | None = None) -> bool:
    """Whether `user` may file a `purpose` file for the document of `record`: a signed scan
    by the officials who sign; the proof of dispatch by the front office, for a letter that
    goes out (DocumentKind.sent)."""
    on = to_wib(now or utcnow()).date()
    kind = DOCUMENTS.get(record.document or "")
    if kind is None or kind.template is None:  # no document, or the register's page
        return False
    if purpose == SIGNED:
        return user.holds_any(SCAN_ROLES, on)
    if purpose == DISPATCH:
        return kind.sent and user.holds(Role.FO, on)
    return False


def file_scan(complaint: Complaint, record: StepRecord, user: User, purpose: str,
              upload: dict | str, now: datetime | None = None) -> Attachment:  # fmt: skip
    """File `upload` (models/step_forms.read_upload's result: the file's fields, or why it was
    refused) as the `purpose` file of the record's document.

    :raise ScanRefused: not the user's to file (403), or the file was refused (400).
    """
    now = now or utcnow()
    if record.complaint_id != complaint.id or not may_file(user, purpose, record, now):
        raise ScanRefused("Anda tidak berwenang mengunggah berkas ini.", status=403)
    if isinstance(upload, str):
        raise ScanRefused(upload)
    attachment = Attachment(complaint_id=complaint.id, record_id=record.id, purpose=purpose,
                            uploaded_by_id=user.id, uploaded_at=now, **upload)  # fmt: skip
    db.session.add(attachment)
    db.session.commit()
    return attachment


def scans_of(complaint: Complaint) -> dict[int, list[Attachment]]:
    """The complaint's filed scans and proofs, by the record of their document, oldest first."""
    found: dict[int, list[Attachment]] = {}
    # The complaint's attachments as its page reads them anyway (one statement for both).
    for a in sorted((a for a in complaint.attachments if a.purpose),
                    key=lambda a: (a.uploaded_at, a.id)):  # fmt: skip
        found.setdefault(a.record_id, []).append(a)
    return found
