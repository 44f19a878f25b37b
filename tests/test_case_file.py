"""The case file (berkas pengaduan, issue 20 item 5): one PDF of a walked complaint — a cover
with its path and history, every document its steps produced in order, every attachment (a PDF
as its own pages, an image on a page) — read back with pypdf; masked for a reader who may not
see identities."""

import hashlib
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from models import Complaint, StepRecord, db
from models.kinds import DOCUMENT_TITLES
from models.workflow import advance, register
from tests.workflow_helpers import FORMS, SOP_50_WALK, registration, user


def _file(name: str, mime: str, content: bytes) -> dict:
    return {"filename": name, "mime_type": mime, "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(), "content": content}  # fmt: skip


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _pdf(pages: int) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    for n in range(1, pages + 1):
        canvas.drawString(72, 720, f"Bukti pengadu halaman {n}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _walked(app, **overrides) -> tuple[int, list[str]]:
    """A SOP.50 complaint with a photo and a two-page PDF, walked to selesai: its id and the
    titles of its documents in the order its steps produced them."""
    with app.app_context():
        files = [_file("foto-lokasi.png", "image/png", _png()),
                 _file("bukti.pdf", "application/pdf", _pdf(2))]  # fmt: skip
        c = register(user("fo"), registration("media_sosial", **overrides), files)
        for who, _queue, outcome in SOP_50_WALK:
            advance(c.id, user(who), outcome, FORMS[outcome]())
        titles = [DOCUMENT_TITLES[d] for d in db.session.scalars(
            select(StepRecord.document).where(StepRecord.complaint_id == c.id,
                                              StepRecord.document.is_not(None))
            .order_by(StepRecord.seq))]  # fmt: skip
        return c.id, titles


def _pages(pdf: bytes) -> list[str]:
    return [
        re.sub(r"\s+", " ", p.extract_text() or "").strip()
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


def test_the_case_file_holds_cover_history_documents_and_attachments_in_order(app, client,
                                                                               auth):  # fmt: skip
    cid, titles = _walked(app)
    auth.login("kabid")
    response = client.get(f"/admin/pengaduan/berkas/?id={cid}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    reader = PdfReader(io.BytesIO(pdf))
    outline = [item.title for item in reader.outline]
    assert outline[0] == "Sampul dan riwayat penanganan"
    assert [re.sub(r"^\d+\. ", "", t) for t in outline[1:-2]] == titles  # each, in order
    assert outline[-2:] == ["Lampiran: foto-lokasi.png", "Lampiran: bukti.pdf"]
    pages = _pages(pdf)
    with app.app_context():
        number = db.session.get(Complaint, cid).reg_number
    assert "BERKAS PENGADUAN" in pages[0] and number in pages[0]
    assert "tepat waktu" in " ".join(pages[:2]) or "terlambat" in " ".join(pages[:2])
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert "foto-lokasi.png" in pages[starts[-2]]  # the photo on a page of its own
    assert pages[-2:] == ["Bukti pengadu halaman 1", "Bukti pengadu halaman 2"]  # the PDF's own
    assert len(pages) == starts[-1] + 2


def test_the_case_file_masks_the_complainant_for_who_may_not_see_identities(app, client,
                                                                           auth):  # fmt: skip
    cid, _titles = _walked(app, complainant_name="Siti Rahasia", is_confidential="y")
    auth.login("kabid")
    shown = " ".join(_pages(client.get(f"/admin/pengaduan/berkas/?id={cid}").data))
    assert "Siti Rahasia" not in shown  # confidential: masked until a logged reveal
    auth.logout()
    auth.login("fo")
    page = client.get(f"/admin/pengaduan/details/?id={cid}").get_data(as_text=True)
    assert f"/admin/pengaduan/berkas/?id={cid}" in page  # offered on the complaint's page


def test_a_team_member_gets_the_case_file_only_of_a_complaint_in_his_list(app, client, auth):
    cid, _titles = _walked(app)
    auth.login("teknis1")
    assert client.get(f"/admin/antrian/tim-teknis/berkas/?id={cid}").status_code == 404
    assert client.get(f"/admin/pengaduan/berkas/?id={cid}").status_code == 403
