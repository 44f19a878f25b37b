"""The answer letter's templates filled for one complaint: the placeholders an admin may write
and what each becomes. A placeholder is replaced by its value; anything else in braces stays
as written (no format-string evaluation of the admin's text)."""

import re

from sqlalchemy import or_, select

from models import db
from models.complaint import Complaint
from models.dates import format_date_long, to_wib
from models.masterdata import AnswerTemplate

# name -> what it becomes (shown to the admin beside the form).
PLACEHOLDERS = {
    "nomor": "nomor registrasi pengaduan",
    "tanggal": "tanggal pengaduan diterima, mis. 2 Desember 2026",
    "perihal": "pokok pengaduan",
    "sapaan": "sapaan pengadu, mis. Sdr. Dewi Lestari (Sdr. Pengadu bila identitasnya "
    "dirahasiakan bagi penulis surat)",
    "jenis": "jenis pengaduan, mis. pertanyaan",
    "kanal": "kanal pengaduan, mis. Curhat Ning Ita",
}

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders in `text` that are not in PLACEHOLDERS (for the admin's form)."""
    return sorted({name for name in _PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS})


def salutation(who: dict | None) -> str:
    """How the letter addresses the complainant: by name when the writer may see it."""
    if who is None or who.get("masked") or not who.get("name"):
        return "Sdr. Pengadu"
    return f"Sdr. {who['name']}"


def values_for(complaint: Complaint, who: dict | None) -> dict[str, str]:
    return {
        "nomor": complaint.reg_number or "",
        "tanggal": format_date_long(to_wib(complaint.received_at)),
        "perihal": complaint.subject,
        "sapaan": salutation(who),
        "jenis": complaint.jenis.name.lower(),
        "kanal": complaint.channel.name,
    }


def fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def templates_for(complaint: Complaint, who: dict | None) -> list[tuple[AnswerTemplate, str, str]]:
    """The active templates offered for the complaint's jenis (its own first, then the general
    ones), each with its Hal and body filled for the complaint as `who` shows the
    complainant."""
    rows = db.session.scalars(
        select(AnswerTemplate)
        .where(AnswerTemplate.active.is_(True),
               or_(AnswerTemplate.jenis_id == complaint.jenis_id,
                   AnswerTemplate.jenis_id.is_(None)))
        .order_by(AnswerTemplate.jenis_id.is_(None), AnswerTemplate.ordering, AnswerTemplate.name)
    )  # fmt: skip
    values = values_for(complaint, who)
    return [(t, fill(t.subject, values), fill(t.body, values)) for t in rows]
