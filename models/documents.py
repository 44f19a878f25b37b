"""What each printed document says, built from the complaint, its history and the settings.

Templates live in templates/documents/, one per document; `models.pdf.render_pdf` prints them.
"""

import base64
import re
from datetime import date, datetime

from sqlalchemy import select, true

from models import db
from models.accounts import ROLE_LABELS, Role, User, format_nip, users_holding
from models.complaint import Complaint, StepRecord
from models.dates import (
    format_date_long,
    format_date_short,
    format_day_date,
    format_moment,
    to_wib,
)
from models.kinds import DOCUMENT_TITLES, DOCUMENTS
from models.settings import PAPER_SIZES, AgencySettings, agency_settings
from models.words import date_words

MASK = "Dirahasiakan"
# A letter's own closing line ("Demikian disampaikan, …", "Atas perhatian …"): the template's
# standard closing is not added after it.
CLOSING = re.compile(r"^\s*(demikian|atas perhatian)\b", re.IGNORECASE | re.MULTILINE)


def has_closing(text: str | None) -> bool:
    """Whether the officer's text already ends with a closing sentence of its own (in its
    last paragraph)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", (text or "").strip()) if p.strip()]
    return bool(paragraphs) and CLOSING.search(paragraphs[-1]) is not None


def page_size(settings: AgencySettings, landscape: bool = False) -> str:
    width, height = PAPER_SIZES[settings.paper_size]
    if landscape:
        width, height = height, width
    return f"{width}mm {height}mm"


def letterhead(settings: AgencySettings) -> dict:
    """The kop: government, agency, address and contacts, city, and the logo if uploaded."""
    contacts = []
    if settings.phone:
        contacts.append(f"Telp. {settings.phone}")
    if settings.fax:
        contacts.append(f"Fax {settings.fax}")
    if settings.website:
        contacts.append(f"Web: {settings.website}")
    if settings.email:
        contacts.append(f"Email: {settings.email}")
    logo = None
    if settings.logo:
        logo = f"data:{settings.logo_mime};base64,{base64.b64encode(settings.logo).decode()}"
    city = settings.city + (f" {settings.postcode}" if settings.postcode else "")
    return {"government": settings.government, "agency": settings.agency,
            "address": settings.address, "contacts": ", ".join(contacts), "city": city,
            "logo": logo}  # fmt: skip


def letter_number(settings: AgencySettings, seq: int, year: int) -> str:
    return settings.letter_number_pattern.format(seq=seq, year=year, unit_code=settings.unit_code)


def signer(user: User | None, role: str, on: date, acting_kind: str | None = None) -> dict:
    """A signature block: position (with Plt./Plh. when acting), name, rank, NIP."""
    if user is None:
        return {"prefix": "", "position": ROLE_LABELS[Role(role)].upper(), "name": "",
                "rank": "", "nip": ""}  # fmt: skip
    appointment = None
    if user.role != role:
        appointment = user.appointment_for(role, on)
    kind = acting_kind or (appointment.kind if appointment else None)
    if appointment is not None:
        position = appointment.position
    elif user.role == role:
        position = user.position
    else:
        position = ROLE_LABELS[Role(role)]
    return {"prefix": f"{kind} " if kind else "", "position": position.upper(),
            "name": user.full_name, "rank": user.rank, "nip": format_nip(user.nip)}  # fmt: skip


def record_signer(record: StepRecord) -> dict:
    return signer(record.actor, record.actor_role, to_wib(record.finished_at).date(),
                  record.acting_kind)  # fmt: skip


def complainant(complaint: Complaint, reveal: bool = False, allowed: bool = True) -> dict:
    """The complainant as a page or document may show them: masked when anonymous or
    confidential (unless `reveal`), and always for a reader not `allowed` identities."""
    hidden = not allowed or ((complaint.is_anonymous or complaint.is_confidential) and not reveal)
    if hidden:
        return {"name": MASK, "contact": MASK, "address": MASK, "masked": True}
    return {"name": complaint.complainant_name, "contact": complaint.complainant_contact or "-",
            "address": complaint.complainant_address or "-", "masked": False}  # fmt: skip


def _latest(complaint: Complaint, before: StepRecord, document: str) -> StepRecord | None:
    """The latest record of `complaint` before `before` that produced `document`."""
    for record in reversed(complaint.history):
        if record.seq < before.seq and record.document == document:
            return record
    return None


def base_context(complaint: Complaint | None = None) -> dict:
    settings = agency_settings()
    return {"settings": settings, "kop": letterhead(settings), "page": page_size(settings),
            "complaint": complaint, "place": settings.place,
            "date_long": format_date_long, "date_short": format_date_short,
            "day_date": format_day_date, "moment": format_moment,
            "date_words": date_words, "to_date": lambda moment: to_wib(moment).date(),
            "has_closing": has_closing}  # fmt: skip


def _meeting_leader(record: StepRecord, on: date) -> dict:
    """The Tim Teknis meets under the Kabid: the Kabid signs as the meeting's leader."""
    leaders = users_holding(Role.KABID, on)
    if record.actor_role != Role.KABID and leaders:
        return signer(leaders[0], Role.KABID, on)
    return record_signer(record)


def _signatory(record: StepRecord, on: date) -> dict:
    """The official the form names as signer (as Kepala Dinas when he holds it that day)."""
    snapshot = (record.data or {}).get("signatory") or {}
    user = db.session.get(User, snapshot.get("id")) if snapshot.get("id") else None
    role = Role.KADIS if user is not None and user.holds(Role.KADIS, on) \
        else (user.role if user else Role.KADIS)  # fmt: skip
    return signer(user, role, on)


# Who signs a document: the rule its DocumentKind names (models/kinds.py).
SIGNERS = {"actor": lambda record, on: record_signer(record), "meeting_leader": _meeting_leader,
           "signatory": _signatory}  # fmt: skip


def record_document(complaint: Complaint, record: StepRecord, identity: bool = True,
                    revealed: bool = False) -> tuple[str, dict]:  # fmt: skip
    """Return (template, context) of the document a history record produced.

    The complainant is masked for a reader who may not see identities (`identity` False),
    and when the complaint is anonymous or confidential unless `revealed` (a logged reveal
    in force): then a letter addressed to the complainant masks its addressee too.
    """
    kind = DOCUMENTS[record.document]
    context = base_context(complaint)
    who = complainant(complaint, reveal=revealed, allowed=identity)
    issued_on = to_wib(record.finished_at).date()
    context.update(
        record=record,
        data=record.data or {},
        who=who,
        title=kind.title,
        issued_on=issued_on,
        signer=SIGNERS[kind.signer](record, issued_on),
    )
    if kind.follows:
        context["meeting"] = _latest(complaint, record, kind.follows)
    if kind.addressed and who["masked"]:  # the addressee is the complainant, by name
        context["data"] = {**context["data"], "addressee": MASK, "addressee_place": MASK}
    return kind.template, context


CONFIDENTIAL_ROW = "Pengaduan rahasia"


def register_book(
    first: date, last: date, reveal: bool = False, identity: bool = True, visible=None, only=None
) -> dict:
    """The Buku Registrasi of complaints received from `first` to `last`, for `render_register`.

    :param visible: a WHERE clause of the complaints the reader may see
        (`identity.visible_complaints`); any other row keeps its number and date and reads
        "Pengaduan rahasia", so that the book still accounts for every number.
    :param only: a WHERE clause of the rows to print at all (one complaint's own entry).
    """
    from datetime import time, timedelta

    from sqlalchemy import case

    from models.dates import WIB
    from models.masterdata import Channel, Jenis, Platform

    lo = datetime.combine(first, time.min, WIB)
    hi = datetime.combine(last + timedelta(days=1), time.min, WIB)
    shown = true() if visible is None else case((visible, True), else_=False)
    rows = db.session.execute(
        select(Complaint, Channel.name, Platform.name, Jenis.name, shown)
        .join(Channel, Channel.id == Complaint.channel_id)
        .join(Jenis, Jenis.id == Complaint.jenis_id)
        .outerjoin(Platform, Platform.id == Complaint.platform_id)
        .where(Complaint.received_at >= lo, Complaint.received_at < hi)
        .where(true() if only is None else only)
        .order_by(Complaint.received_at, Complaint.id)
    ).all()
    settings = agency_settings()
    entries = []
    for n, (c, channel, platform, jenis, may_see) in enumerate(rows, 1):
        entry = {"no": n, "reg_number": c.reg_number, "received": format_moment(c.received_at)}
        if not may_see:
            hidden = dict.fromkeys(("channel", "jenis", "name", "contact", "status", "closed"), "-")
            entries.append({**entry, **hidden, "subject": CONFIDENTIAL_ROW})
            continue
        who = complainant(c, reveal, allowed=identity)
        entries.append({
            **entry,
            "channel": channel + (f" ({platform})" if platform else "")
                       + (f" — LAPOR! {c.lapor_tracking_no}" if c.lapor_tracking_no else ""),
            "jenis": jenis, "name": who["name"], "contact": who["contact"],
            "subject": c.subject, "status": c.status_text,
            "closed": format_date_short(to_wib(c.closed_at).date()) if c.closed_at else "-",
        })  # fmt: skip
    period = f"{format_date_long(first)} s.d. {format_date_long(last)}"
    return {
        "entries": entries,
        "page": page_size(settings, landscape=True),
        "title": DOCUMENT_TITLES["buku_registrasi"],
        "author": settings.agency_short,
        "heading": ("BUKU REGISTRASI PENGADUAN MASYARAKAT",
                    f"{settings.agency} — {settings.government}",
                    f"Periode {period} ({len(entries)} pengaduan)"),
        "footer": f"Buku Registrasi {format_date_short(first)} s.d. {format_date_short(last)}",
    }  # fmt: skip


def document_links(complaint: Complaint) -> list[tuple[StepRecord, str]]:
    """The documents the complaint's finished steps produced, in order: (record, name)."""
    return [(r, DOCUMENT_TITLES[r.document]) for r in complaint.history
            if r.document]  # fmt: skip


def filename(code: str, complaint: Complaint | None, suffix: str = "") -> str:
    base = code.replace("_", "-")
    if complaint is not None:
        base += "-" + complaint.reg_number.replace("/", "-").replace(".", "")
    return f"{base}{suffix}.pdf"
