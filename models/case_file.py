"""The case file (berkas pengaduan): one PDF of a complaint for the archive or a hearing — a
cover with its particulars and the SOP path it took (each step on time or late), its whole
history, then every document its steps produced (each followed by its signed scans and proofs
of dispatch, models/scans.py) and every attachment, in the order they came (PDF attachments
as their own pages, images scaled onto a page). A reader who may not see
identities gets the cover and the documents masked, as each document prints on its own."""

from dataclasses import dataclass
from io import BytesIO

from models.complaint import Attachment, Complaint, StepRecord
from models.documents import (
    base_context,
    complainant,
    document_title,
    page_size,
    record_document,
    register_book,
)
from models.pdf import render_pdf, render_register
from models.scans import PURPOSES
from models.settings import agency_settings


@dataclass(frozen=True)
class Part:
    """One part of the case file: its title in the PDF's outline and its pages."""

    title: str
    pdf: bytes


def case_file(complaint: Complaint, history: list[StepRecord], identity: bool,
              revealed: bool = False) -> bytes:  # fmt: skip
    """The complaint's case file as PDF bytes (`history`: its records in order)."""
    own, filed = [], {}  # the complaint's files; each document's signed scans and proofs
    for a in sorted(complaint.attachments, key=lambda a: (a.uploaded_at, a.id)):
        (filed.setdefault(a.record_id, []) if a.purpose else own).append(a)
    documents = [(r, filed.get(r.id, [])) for r in history if r.document]
    cover = _cover(complaint, history, documents, own, identity, revealed)
    parts = [Part("Sampul dan riwayat penanganan", cover)]
    for record, scans in documents:
        parts.append(Part(f"{record.seq}. {document_title(record)}",
                          _document(complaint, record, identity, revealed)))  # fmt: skip
        parts += [Part(f"{PURPOSES[a.purpose]}: {a.filename}", _attachment(a)) for a in scans]
    parts += [Part(f"Lampiran: {a.filename}", _attachment(a)) for a in own]
    return _joined(parts, f"Berkas Pengaduan {complaint.reg_number}")


def _cover(complaint, history, documents, attachments, identity, revealed) -> bytes:
    context = base_context(complaint)
    context.update(
        title="Berkas Pengaduan",
        who=complainant(complaint, reveal=revealed, allowed=identity),
        history=history,
        steps=[(r, complaint.sop.step_of_record(r.step_no, r.phase)) for r in history],
        documents=[(r, document_title(r), scans) for r, scans in documents],
        purposes=PURPOSES,
        attachments=attachments,
    )
    return render_pdf("documents/berkas.html", **context)


def _document(complaint, record, identity, revealed) -> bytes:
    if record.document == "buku_registrasi":  # the complaint's own entry of the register
        from datetime import date

        from models.dates import to_wib

        day: date = to_wib(complaint.received_at).date()
        return render_register(register_book(day, day, identity=identity,
                                             only=Complaint.id == complaint.id))  # fmt: skip
    template, context = record_document(complaint, record, identity=identity, revealed=revealed)
    return render_pdf(template, **context)


def _attachment(attachment: Attachment) -> bytes:
    """The attachment's own pages (a PDF) or a page holding it (an image, scaled to fit)."""
    from pypdf import PdfReader, PdfWriter  # (7 MB: imported by the case file, not every process)
    from pypdf.errors import PdfReadError

    if attachment.mime_type == "application/pdf":
        try:
            reader = PdfReader(BytesIO(attachment.content))
            if reader.is_encrypted:
                raise PdfReadError("encrypted")
            out = BytesIO()
            writer = PdfWriter()
            for page in reader.pages:
                writer.add_page(page)
            writer.write(out)
            return out.getvalue()
        except (PdfReadError, ValueError, KeyError, OSError):
            return _notice_page(attachment, "berkas PDF ini terkunci atau rusak, sehingga "
                                            "tidak dapat disertakan; unduh dari halaman "
                                            "pengaduan.")  # fmt: skip
    return _image_page(attachment)


def _page() -> tuple[float, float]:
    from reportlab.lib.units import mm

    width, height = (float(x.removesuffix("mm")) for x in page_size(agency_settings()).split())
    return width * mm, height * mm


def _image_page(attachment: Attachment) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from models.pdf import _FONT, _register_fonts

    _register_fonts()
    size = _page()
    out = BytesIO()
    canvas = Canvas(out, pagesize=size)
    margin = 20 * mm
    canvas.setFont(_FONT, 9)
    canvas.drawString(margin, size[1] - margin + 6 * mm, f"Lampiran: {attachment.filename}")
    try:
        image = ImageReader(BytesIO(attachment.content))
    except Exception:  # noqa: BLE001 - an image the library cannot read: say so on its page
        canvas.drawString(margin, size[1] / 2, "Gambar ini tidak dapat dibaca; unduh dari "
                                               "halaman pengaduan.")  # fmt: skip
    else:
        room = (size[0] - 2 * margin, size[1] - 2 * margin)
        canvas.drawImage(image, margin, margin, width=room[0], height=room[1],
                         preserveAspectRatio=True, anchor="n")  # fmt: skip
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _notice_page(attachment: Attachment, why: str) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from models.pdf import _FONT, _register_fonts

    _register_fonts()
    size = _page()
    out = BytesIO()
    canvas = Canvas(out, pagesize=size)
    canvas.setFont(_FONT, 10)
    canvas.drawString(20 * mm, size[1] - 25 * mm, f"Lampiran: {attachment.filename}")
    canvas.drawString(20 * mm, size[1] - 32 * mm, why)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _joined(parts: list[Part], title: str) -> bytes:
    """The parts one after another, each an entry of the PDF's outline."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        first = len(writer.pages)
        for page in PdfReader(BytesIO(part.pdf)).pages:
            writer.add_page(page)
        writer.add_outline_item(title=part.title, page_number=first)
    writer.add_metadata({"/Title": title})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
