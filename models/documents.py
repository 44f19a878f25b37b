"""What each printed document says, built from the complaint, its history and the settings.

Templates live in templates/documents/, one per document; `models.pdf.render_pdf` prints them.
"""

import base64
import re
from datetime import date, datetime

from sqlalchemy import select, true

from models import db
from models.accounts import ROLE_LABELS, Role, User, format_nip, users_holding
from models.complaint import Complaint, StepRecord, follow_up_text
from models.dates import (
    format_date_long,
    format_date_short,
    format_day_date,
    format_moment,
    to_wib,
)
from models.deadlines import LABELS, OVERALL_LABELS, overall_state
from models.kinds import DOCUMENT_TITLES, DOCUMENTS
from models.masterdata import DispositionMark, offered
from models.settings import PAPER_SIZES, AgencySettings, agency_settings
from models.types import utcnow
from models.verification import seal
from models.words import date_words

MASK = "Dirahasiakan"
# A letter's own closing line ("Demikian disampaikan, …", "Atas perhatian …"): the template's
# standard closing is not added after it.
CLOSING = re.compile(r"^\s*(demikian|atas perhatian)\b", re.IGNORECASE | re.MULTILINE)


def paragraphs_of(text: str | None) -> list[str]:
    """The paragraphs of an officer's text (separated by a blank line)."""
    return [p.strip() for p in re.split(r"\n\s*\n", (text or "").strip()) if p.strip()]


def has_closing(text: str | None) -> bool:
    """Whether the officer's text already ends with a closing sentence of its own (in its
    last paragraph)."""
    paragraphs = paragraphs_of(text)
    return bool(paragraphs) and CLOSING.search(paragraphs[-1]) is not None


def page_size(settings: AgencySettings, landscape: bool = False, half: bool = False) -> str:
    """The paper of the settings; `half` its upper half (F4: 215 x 165 mm, the disposition
    sheet's)."""
    width, height = PAPER_SIZES[settings.paper_size]
    if half:
        height = height / 2
    if landscape:
        width, height = height, width
    return f"{width:g}mm {height:g}mm"


# The kop's text column: the page less the margins (3 cm + 2 cm), less the emblem's cell on
# either side when there is an emblem (80 px each, 60 pt); sizes in points.
MM = 72 / 25.4
KOP_MARGINS_MM = 50
KOP_LOGO_PT = 2 * 60 + 8
AGENCY_SIZES = (13.0, 9.0)  # the agency's line: largest, smallest
# A line of the agency's name may start with these, never end with them.
JOINERS = {"DAN", "SERTA", "ATAU", "&", "DI", "KE", "DARI", "PADA", "UNTUK"}


def _width(text: str, size: float, font: str = "Helvetica-Bold") -> float:
    """Printed width in points. Helvetica's metrics are Liberation Sans's (metric-compatible),
    and need no font file."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def agency_lines(name: str, width: float, sizes=AGENCY_SIZES) -> tuple[list[str], float]:
    """The agency's name as the kop prints it: (lines, font size in points).

    The admin's own line breaks stand. A name set on one line stays on one line when it fits
    at the largest size; otherwise it is cut once, before a joining word ("… SATU PINTU / DAN
    TENAGA KERJA") where there is one, else where the two lines are most even — never after
    a joining word. The size is the largest (down to the smallest) at which each line fits.
    """
    largest, smallest = sizes
    lines = [line.strip() for line in (name or "").splitlines() if line.strip()] or [""]
    if len(lines) == 1 and _width(lines[0], largest) > width:
        words = lines[0].split()
        cuts = [i for i in range(1, len(words)) if words[i - 1].upper() not in JOINERS]
        before_joiner = [i for i in cuts if words[i].upper() in JOINERS]
        if cuts:
            i = min(before_joiner or cuts, key=lambda i: max(
                _width(" ".join(words[:i]), 1), _width(" ".join(words[i:]), 1)))  # fmt: skip
            lines = [" ".join(words[:i]), " ".join(words[i:])]
    widest = max(_width(line, 1) for line in lines) or 1
    size = max(smallest, min(largest, int(width / widest * 10) / 10))
    return lines, size


def letterhead(settings: AgencySettings, width_mm: float | None = None, sizes=AGENCY_SIZES,
               logo_px: tuple[int, int] = (70, 80)) -> dict:  # fmt: skip
    """The kop: government, agency (its lines, sized to fit), address and contacts, city, and
    the logo if uploaded. `width_mm`: the text width of the page (default: the paper's less
    the standard margins)."""
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
    if width_mm is None:
        width_mm = PAPER_SIZES[settings.paper_size][0] - KOP_MARGINS_MM
    width = width_mm * MM - (KOP_LOGO_PT if logo else 0) - 6  # the cell's padding
    lines, size = agency_lines(settings.agency, width, sizes)
    return {"government": settings.government, "agency": settings.agency,
            "agency_lines": lines, "agency_size": size, "logo_px": logo_px,
            "address": settings.address, "contacts": ", ".join(contacts), "city": city,
            "logo": logo}  # fmt: skip


def letter_number(settings: AgencySettings, seq: int, year: int) -> str:
    return settings.letter_number_pattern.format(seq=seq, year=year, unit_code=settings.unit_code)


def _position(role: str, own: str | None = None) -> str:
    """A position as the signature block prints it: capitals, no final comma (the block adds
    it); the Kepala Dinas's in full as the agency sets it (…, KOTA MOJOKERTO)."""
    if role == Role.KADIS:
        own = agency_settings().head_position
    text = " ".join((own or ROLE_LABELS[Role(role)]).split())
    return text.upper().rstrip(",").rstrip()


def signer(user: User | None, role: str, on: date, acting_kind: str | None = None) -> dict:
    """A signature block: position (with Plt./Plh. when acting), name, rank, NIP; `behalf`
    is the "a.n. …" line above it (set by the document's rule, `_in_heads_name`)."""
    if user is None:
        return {"prefix": "", "position": _position(role), "name": "", "rank": "", "nip": "",
                "role": str(role), "behalf": ""}  # fmt: skip
    appointment = None
    if user.role != role:
        appointment = user.appointment_for(role, on)
    kind = acting_kind or (appointment.kind if appointment else None)
    if appointment is not None:  # Plt./Plh.: the position the appointment names
        position = " ".join(appointment.position.split()).upper().rstrip(",")
    elif user.role == role:
        position = _position(role, user.position)
    else:
        position = _position(role)
    return {"prefix": f"{kind} " if kind else "", "position": position,
            "name": user.full_name, "rank": user.rank, "nip": format_nip(user.nip),
            "role": str(role), "behalf": ""}  # fmt: skip


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
            "half_page": False,
            "complaint": complaint, "place": settings.place,
            "date_long": format_date_long, "date_short": format_date_short,
            "day_date": format_day_date, "moment": format_moment,
            "date_words": date_words, "to_date": lambda moment: to_wib(moment).date(),
            "has_closing": has_closing, "paragraphs_of": paragraphs_of}  # fmt: skip


def _meeting_leader(record: StepRecord, on: date) -> dict:
    """The Tim Teknis meets under the Kabid: the Kabid signs as the meeting's leader."""
    leaders = users_holding(Role.KABID, on)
    if record.actor_role != Role.KABID and leaders:
        return signer(leaders[0], Role.KABID, on)
    return record_signer(record)


def _holder(role: str, on: date) -> dict:
    """The signature block of whoever holds `role` on `on` (own holder first, else acting)."""
    holders = users_holding(role, on)
    return signer(holders[0] if holders else None, role, on)


def _signatory(record: StepRecord, on: date) -> dict:
    """The official the form names as signer (as Kepala Dinas when he holds it that day); a
    form that names none (the Undangan Rakor): the one the agency's settings name."""
    snapshot = (record.data or {}).get("signatory") or {}
    if not snapshot.get("id"):
        role = Role.KABID if agency_settings().invitation_signer == "kabid" else Role.KADIS
        return _holder(role, on)
    user = db.session.get(User, snapshot["id"])
    role = Role.KADIS if user is not None and user.holds(Role.KADIS, on) \
        else (user.role if user else Role.KADIS)  # fmt: skip
    return signer(user, role, on)


def _in_heads_name(rule):
    """A document sent in the Kepala Dinas's name and signed by anyone else (not acting as
    him) carries "a.n. KEPALA DINAS …," above the signer's own position."""

    def sign(record: StepRecord, on: date) -> dict:
        block = rule(record, on)
        kind = DOCUMENTS.get(record.document)
        if kind is not None and kind.in_heads_name and block["role"] != Role.KADIS:
            block["behalf"] = f"a.n. {_position(Role.KADIS)}"
        return block

    return sign


# Who signs a document: the rule its DocumentKind names (models/kinds.py).
SIGNERS = {name: _in_heads_name(rule) for name, rule in {
    "actor": lambda record, on: record_signer(record), "meeting_leader": _meeting_leader,
    "signatory": _signatory}.items()}  # fmt: skip


# The Lembar Disposisi's Sifat boxes, in the order the sheet prints them (the values of
# models.step_forms.SIFAT).
SIFAT_BOXES = ("Sangat Segera", "Segera", "Rahasia", "Biasa")


def _next_role(record: StepRecord) -> str | None:
    """The role of the step the record's outcome led to, from the SOP revision followed."""
    try:
        step = record.sop.step(record.step_no)
        outcome = next(o for o in step.outcomes if o.code == record.outcome)
        return record.sop.step(outcome.next_step_no).actor if outcome.next_step_no else None
    except (LookupError, StopIteration):
        return None


def _person(user: User, ticked: bool = False) -> dict:
    return {"id": user.id, "name": user.full_name, "position": user.position, "ticked": ticked}


def disposition_sheet(complaint: Complaint, record: StepRecord, on: date) -> dict:
    """What the Lembar Disposisi prints beside the complaint: every Sifat box, a box for each
    official who could be the addressee (the holders of the next step's role, the chosen one
    ticked), every active disposition mark ticked or not, the note; a sheet whose step names
    no addressee says whom it goes back to."""
    data = record.data or {}
    to = data.get("to") or {}
    role = _next_role(record)
    addressees, returns_to = [], None
    if to:
        people = users_holding(role, on) if role else []
        addressees = [_person(u, u.id == to.get("id")) for u in people]
        if not any(a["ticked"] for a in addressees):
            addressees.append({**to, "ticked": True})
    else:
        if role and role != record.actor_role:
            back = users_holding(role, on)[:1]
        else:  # the same official goes on: the sheet goes back to whoever sent the matter
            back = [r.actor for r in reversed(complaint.history) if r.seq < record.seq
                    and r.actor is not None and r.actor_role != record.actor_role][:1]  # fmt: skip
        returns_to = _person(back[0]) if back else None
    chosen = list(data.get("marks") or [])
    names = [m.name for m in offered(DispositionMark)]
    marks = [(name, name in chosen) for name in names]
    marks += [(name, True) for name in chosen if name not in names]  # since retired
    return {
        "sifat_boxes": [(s, data.get("sifat") == s) for s in SIFAT_BOXES],
        "addressees": addressees,
        "returns_to": returns_to,
        "marks": marks,
        "instruction": data.get("instruction") or data.get("note") or record.note or "",
    }


# The Lembar Disposisi's margins (top right bottom left, mm): a half sheet.
HALF_MARGINS_MM = (10, 15, 14, 20)


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
        verification=seal(record),  # the QR and short code of the public check
    )
    if kind.follows:
        context["meeting"] = _latest(complaint, record, kind.follows)
    if record.document == "lembar_disposisi":
        settings = context["settings"]
        top, right, bottom, left = HALF_MARGINS_MM
        context.update(disposition_sheet(complaint, record, issued_on), half_page=True,
                       page=page_size(settings, half=True),
                       margins=" ".join(f"{m}mm" for m in HALF_MARGINS_MM),
                       kop=letterhead(settings, PAPER_SIZES[settings.paper_size][0] - left - right,
                                      sizes=(11.0, 8.0), logo_px=(44, 50)))  # fmt: skip
    if record.document == "undangan_rakor":  # the invited, the meeting's leader first
        context["invited"] = _invited(record, context["signer"], issued_on)
    if record.document == "berita_acara":  # the Kepala Dinas acknowledges (Mengetahui)
        context["head"] = _holder(Role.KADIS, issued_on)
    if record.document == "resume":  # its attachment: the Berita Acara it reports on
        context["minutes"] = _latest(complaint, record, "berita_acara")
    if kind.addressed and who["masked"]:  # the addressee is the complainant, by name
        context["data"] = {**context["data"], "addressee": MASK, "addressee_place": MASK}
    return kind.template, context


def _invited(record: StepRecord, signature: dict, on: date) -> list[dict]:
    """Whom the Undangan Rakor is addressed to: the Kabid who leads the meeting (unless he
    signs it himself), then the invited Tim Teknis."""
    people = list((record.data or {}).get("invitees") or [])
    leaders = users_holding(Role.KABID, on)
    if leaders and signature.get("role") != Role.KABID:
        if all(p.get("id") != leaders[0].id for p in people):
            people.insert(0, _person(leaders[0]))
    return [{"name": p["name"], "position": p["position"]} for p in people]


CONFIDENTIAL_ROW = "Pengaduan rahasia"
REGISTER_KEYS = ("channel", "jenis", "name", "contact", "addressed_to", "follow_up", "status",
                 "closed", "remarks")  # fmt: skip
BRIEF = 160  # characters of the description after the subject in "Uraian singkat"


def _brief(complaint: Complaint) -> str:
    """The register's "Uraian singkat": the subject, then the start of the description."""
    text = " ".join((complaint.description or "").split())
    if len(text) > BRIEF:
        text = text[:BRIEF].rsplit(" ", 1)[0] + " …"
    return f"{complaint.subject}\n{text}" if text else complaint.subject


def _remarks(complaint: Complaint, now: datetime) -> str:
    """The register's "Keterangan": anonim / rahasia, and the complaint against its class's
    overall limit (as its page says it)."""
    notes = [label for flag, label in ((complaint.is_anonymous, "Anonim"),
                                       (complaint.is_confidential, "Rahasia")) if flag]  # fmt: skip
    state = overall_state(complaint, now)
    if state in OVERALL_LABELS:
        notes.append(OVERALL_LABELS[state])
    elif state:
        notes.append(f"Batas kelas: {LABELS[state]}")
    return "; ".join(notes) or "-"


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
    now = utcnow()
    entries = []
    for n, (c, channel, platform, jenis, may_see) in enumerate(rows, 1):
        entry = {"no": n, "reg_number": c.reg_number, "received": format_moment(c.received_at)}
        if not may_see:
            entries.append({**entry, **dict.fromkeys(REGISTER_KEYS, "-"),
                            "subject": CONFIDENTIAL_ROW})  # fmt: skip
            continue
        who = complainant(c, reveal, allowed=identity)
        contact = "\n".join(x for x in (who["address"], who["contact"]) if x and x != "-")
        entries.append({
            **entry,
            "channel": channel + (f" ({platform})" if platform else "")
                       + (f"\nLAPOR! {c.lapor_tracking_no}" if c.lapor_tracking_no else ""),
            "jenis": jenis, "name": who["name"], "contact": MASK if who["masked"] else contact,
            "subject": _brief(c), "addressed_to": c.addressed_to or "-",
            "follow_up": follow_up_text(c.answer_subject, c.answer_opening,
                                        not who["masked"]) or "-",
            "status": c.status_text, "remarks": _remarks(c, now),
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


def document_links(complaint: Complaint, history: list[StepRecord] | None = None
                   ) -> list[tuple[StepRecord, str]]:  # fmt: skip
    """The documents the complaint's finished steps produced, in order: (record, name);
    `history`: the complaint's history when already read."""
    records = complaint.history if history is None else history
    return [(r, document_title(r)) for r in records if r.document]


def document_title(record: StepRecord) -> str:
    """A history record's document by name; a moved meeting's invitation says so."""
    title = DOCUMENT_TITLES[record.document]
    return f"{title} (perubahan jadwal)" if (record.data or {}).get("moved_from") else title


def filename(code: str, complaint: Complaint | None, suffix: str = "") -> str:
    base = code.replace("_", "-")
    if complaint is not None:
        base += "-" + complaint.reg_number.replace("/", "-").replace(".", "")
    return f"{base}{suffix}.pdf"
