"""A complaint's life beside its SOP's steps: its class and overall limit, merging it into
another complaint of the same matter, forwarding it to the agency it belongs to, moving the
coordination meeting it waits for.

Each is written to the history like a stopped clock (a row that finishes no step; its phase
one of EVENT_PHASES). Merging and forwarding close the complaint (`closed_as`): the merged
one points to the complaint it joined (whose page lists it; its citizen's tracking page
follows that complaint), the forwarded one to the agency, with a Surat Pelimpahan numbered
as outgoing mail. A moved meeting is recorded with a corrected invitation (an Undangan with
the next outgoing number) and its invitees told. Who may do which: models/actors.py.
"""

from datetime import datetime

from sqlalchemy import select, update

from models import db
from models.accounts import User
from models.actors import class_role, forward_role, latest_invitation, meeting_role, merge_role
from models.calendar import load_calendar
from models.complaint import CLOSURES, Complaint, MeetingInvitee, StepRecord
from models.dates import to_wib
from models.identity import visible_complaints
from models.lapor import FORWARD_DOCUMENT
from models.masterdata import ComplaintClass, OtherAgency
from models.notifications import announce_meeting_moved
from models.params import parse_id
from models.sop import CLOSED
from models.step_forms import MoveMeetingForm
from models.types import utcnow
from models.workflow import (
    ActionRefused,
    ClockEvent,
    Done,
    FormInvalid,
    _commit_or_refuse,
    _move,
    _multidict,
    _write_record,
    apply_class,
    tell_complainant,
)

REASON_MAX = 1000


def _acting(complaint_id: int, user: User, now: datetime, expected_version: int | None,
            role_of, refusal: str) -> tuple[Complaint, str]:  # fmt: skip
    """The open complaint an action beside the steps is about, and the role in which `user`
    may do it (`role_of`, a rule of models/actors.py); else refused (`refusal`: 403)."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise ActionRefused("Pengaduan tidak ditemukan.", status=404)
    if complaint.status != "in_progress":
        state = complaint.status_label.lower()
        raise ActionRefused(f"Pengaduan {complaint.reg_number} sudah {state}.")
    if expected_version is not None and complaint.version != expected_version:
        raise ActionRefused("Pengaduan ini baru saja ditindaklanjuti pejabat lain. Muat ulang "
                            "halaman.")  # fmt: skip
    role = role_of(complaint, user, now)
    if role is None:
        raise ActionRefused(refusal, status=403)
    return complaint, role


def _reason(raw: str | None, what: str) -> str:
    reason = (raw or "").strip()
    if not reason:
        raise ActionRefused(f"{what} wajib diisi.", status=400)
    if len(reason) > REASON_MAX:
        raise ActionRefused(f"{what} paling banyak {REASON_MAX} karakter.", status=400)
    return reason


# -- class and overall limit ------------------------------------------------------------------


def set_class(complaint_id: int, user: User, raw_class_id, now: datetime | None = None,
              expected_version: int | None = None) -> ComplaintClass:  # fmt: skip
    """Set or change an open complaint's class (the Kabid), its overall due moment from
    receipt recomputed; recorded in the history.

    :raise ActionRefused: not the Kabid (403), an unknown or inactive class (400), the same
        class, or the complaint is closed.
    """
    now = now or utcnow()
    complaint, role = _acting(
        complaint_id,
        user,
        now,
        expected_version,
        class_role,
        "Kelas pengaduan hanya dapat ditetapkan atau diubah oleh Kabid.",
    )
    class_id = parse_id(raw_class_id)
    cls = db.session.get(ComplaintClass, class_id) if class_id else None
    if cls is None or not cls.active:
        raise ActionRefused("Pilih kelas pengaduan yang tersedia.", status=400)
    if cls.id == complaint.class_id:
        raise ActionRefused(f"Kelas pengaduan ini sudah {cls.name}.")
    calendar = load_calendar()
    before = complaint.complaint_class.name if complaint.complaint_class else None
    apply_class(complaint, cls, calendar)
    event = ClockEvent("kelas", f"Kelas pengaduan: {cls.label}", "class")
    data = {"class": cls.name, "limit_days": cls.limit_days, "before": before}
    _write_record(complaint, Done(event, user, role, data), now, calendar)
    _commit_or_refuse(complaint_id)
    return cls


# -- merging ----------------------------------------------------------------------------------


def find_primary(typed: str | None, user: User) -> Complaint | None:
    """The complaint of a typed registration number that `user` may see, or None."""
    number = (typed or "").strip()[:40]
    if not number:
        return None
    query = select(Complaint).where(Complaint.reg_number == number)
    visible = visible_complaints(user)
    if visible is not None:
        query = query.where(visible)
    return db.session.scalar(query)


def merge(complaint_id: int, user: User, into_number: str | None, reason: str | None,
          now: datetime | None = None,
          expected_version: int | None = None) -> Complaint:  # fmt: skip
    """Merge an open complaint into another of the same matter (the primary): it closes as
    *digabung* pointing to the primary, its history and attachments kept; complaints merged
    into it earlier follow it to the primary; its citizen is told. Return the primary.

    :raise ActionRefused: not an official who may merge (403), no such primary the user may
        see, the complaint itself, a primary that was merged or forwarded, no reason.
    """
    now = now or utcnow()
    complaint, role = _acting(complaint_id, user, now, expected_version, merge_role,
                              "Pengaduan hanya dapat digabung oleh Petugas FO, Kasi, Kabid atau "
                              "Kepala Dinas.")  # fmt: skip
    primary = find_primary(into_number, user)
    if primary is None:
        raise ActionRefused("Nomor registrasi pengaduan utama tidak ditemukan. Tulis nomornya "
                            "persis seperti pada daftar, mis. 0012/PGD/….", status=400)  # fmt: skip
    if primary.id == complaint.id:
        raise ActionRefused("Pengaduan tidak dapat digabung dengan dirinya sendiri.", status=400)
    if primary.closed_as:
        raise ActionRefused(f"Pengaduan {primary.reg_number} sendiri sudah "
                            f"{CLOSURES[primary.closed_as].lower()}; pilih pengaduan yang "
                            "ditangani.", status=400)  # fmt: skip
    reason = _reason(reason, "Alasan penggabungan")
    calendar = load_calendar()
    complaint.merged_into_id = primary.id
    complaint.closed_as = "merge"
    event = ClockEvent("digabung", f"Digabung ke pengaduan {primary.reg_number}", "merge")
    data = {"into_id": primary.id, "into_number": primary.reg_number}
    _write_record(complaint, Done(event, user, role, data, reason), now, calendar)
    _move(complaint, CLOSED, now, calendar)
    # Complaints merged into this one earlier follow it: every tracking page leads to the
    # complaint that is handled.
    table = Complaint.__table__
    db.session.execute(update(table).where(table.c.merged_into_id == complaint.id)
                       .values(merged_into_id=primary.id))  # fmt: skip
    tell_complainant("merged", complaint, now, detail=primary.reg_number)
    _commit_or_refuse(complaint_id)
    return primary


def merged_into(primary: Complaint) -> list[Complaint]:
    """The complaints merged into `primary`, in the order received: the few rows of the merge
    index (a partial one, models/complaint.py), sorted here."""
    merged = db.session.scalars(select(Complaint).where(Complaint.merged_into_id == primary.id))
    return sorted(merged, key=lambda c: (c.received_at, c.id))


# -- forwarding (pelimpahan) ------------------------------------------------------------------


def forward(complaint_id: int, user: User, raw_agency_id, reason: str | None,
            now: datetime | None = None,
            expected_version: int | None = None) -> StepRecord:  # fmt: skip
    """Forward an open complaint that is not the agency's to the one it belongs to: the Surat
    Pelimpahan (the next outgoing number) is recorded, the complaint closes here as
    *dilimpahkan*, its citizen is told (the reason is written for them). Return the record.

    :raise ActionRefused: not the Kepala Dinas or the Kabid holding it (403), an unknown or
        inactive agency, no reason.
    """
    now = now or utcnow()
    complaint, role = _acting(complaint_id, user, now, expected_version, forward_role,
                              "Pelimpahan hanya dapat dilakukan oleh Kepala Dinas, atau oleh "
                              "Kabid atas disposisinya.")  # fmt: skip
    agency_id = parse_id(raw_agency_id)
    agency = db.session.get(OtherAgency, agency_id) if agency_id else None
    if agency is None or not agency.active:
        raise ActionRefused("Pilih instansi tujuan pelimpahan yang tersedia.", status=400)
    reason = _reason(reason, "Alasan pelimpahan")
    calendar = load_calendar()
    complaint.forwarded_to_id = agency.id
    complaint.closed_as = "forward"
    event = ClockEvent("dilimpahkan", f"Dilimpahkan kepada {agency.name}", "forward",
                       FORWARD_DOCUMENT)  # fmt: skip
    data = {"agency_id": agency.id, "agency": agency.name, "address": agency.address,
            "reason": reason}  # fmt: skip
    record = _write_record(complaint, Done(event, user, role, data, reason), now, calendar)
    _move(complaint, CLOSED, now, calendar)
    tell_complainant("forwarded", complaint, now, detail=f"{agency.name}.\n\nAlasan: {reason}")
    _commit_or_refuse(complaint_id)
    return record


# -- moving the coordination meeting ----------------------------------------------------------

MEETING_MOVED = ClockEvent("rakor_dipindah", "Jadwal rapat koordinasi diubah", "moved",
                           "undangan_rakor")  # fmt: skip


def invitation_in_force(complaint: Complaint) -> StepRecord | None:
    """The latest invitation to the complaint's coordination meeting (called or moved)."""
    record_id = latest_invitation(complaint.id)
    return db.session.get(StepRecord, record_id) if record_id else None


def move_form(complaint: Complaint, formdata=None, now: datetime | None = None):
    """The form that moves the meeting, opened with the invitation in force."""
    invitation = invitation_in_force(complaint)
    return MoveMeetingForm(formdata, current=invitation.data if invitation else {},
                           complaint=complaint, now=now)  # fmt: skip


def move_meeting(complaint_id: int, user: User, formdata, now: datetime | None = None,
                 expected_version: int | None = None) -> StepRecord:  # fmt: skip
    """Move the coordination meeting the open complaint waits for to a new day, time or place:
    a corrected invitation (the Undangan again, its next outgoing number, naming the one it
    replaces and why) is recorded for the same invitees, who (and the official leading it) are
    told. The step's clock is not changed. Return the record.

    :raise ActionRefused: not whoever called or leads the meeting (403), or it waits for none.
    :raise FormInvalid: a day before today, nothing changed, no reason.
    """
    now = now or utcnow()
    complaint, role = _acting(complaint_id, user, now, expected_version, meeting_role,
                              "Jadwal rapat hanya dapat diubah oleh pejabat yang mengundang atau "
                              "memimpin rapat, selama rapat belum dilaksanakan.")  # fmt: skip
    invitation = invitation_in_force(complaint)
    if invitation is None:
        raise ActionRefused("Pengaduan ini tidak sedang menunggu rapat koordinasi.")
    form = move_form(complaint, _multidict(formdata or {}), now)
    if not form.validate():
        raise FormInvalid(form)
    before = invitation.data
    reason = form.reason.data.strip()
    data = {**before, **form.when_data(), "reason": reason,
            "moved_from": {k: before.get(k) for k in ("day", "start", "place")},
            "replaces": invitation.document_number,
            "replaces_on": to_wib(invitation.finished_at).date().isoformat()}  # fmt: skip
    record = _write_record(complaint, Done(MEETING_MOVED, user, role, data, reason), now,
                           load_calendar())  # fmt: skip
    invited = select(MeetingInvitee.user_id).where(MeetingInvitee.record_id == invitation.id)
    for person in db.session.scalars(invited).all():
        db.session.add(MeetingInvitee(complaint_id=complaint.id, record_id=record.id,
                                      user_id=person))  # fmt: skip
    db.session.flush()
    announce_meeting_moved(complaint, record, now, actor=user)
    _commit_or_refuse(complaint_id)
    return record
