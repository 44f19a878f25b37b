"""The Buku Registrasi as printed from a complaint and with long unbroken text (issue 20
item 4): one complaint's own entry, every word inside its cell."""

import io

from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy import select

from models import StepRecord, db
from models.pdf import _FONT, _register_fonts, wrapped
from tests.workflow_helpers import register_complaint

LINK = "https://oss.go.id/informasi/" + "a1b2c3" * 40  # a pasted link: no space to break at


def test_a_word_wider_than_its_cell_is_broken_inside_it():
    _register_fonts()
    for text in (LINK, f"Izin belum terbit {LINK} mohon dibantu", "pendek"):
        lines = wrapped(text, _FONT, 7.5, 80)
        assert all(stringWidth(line, _FONT, 7.5) <= 80 for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost


def test_printing_the_register_from_a_complaint_prints_its_entry_only(app, client, auth):
    with app.app_context():
        mine = register_complaint("kantor", subject=f"Reklame {LINK}")
        register_complaint("kantor", subject="Antrean loket terlalu lama")  # the same day
        record = db.session.scalar(
            select(StepRecord.id).where(
                StepRecord.complaint_id == mine.id, StepRecord.document == "buku_registrasi"
            )
        )
        cid, number = mine.id, mine.reg_number  # fmt: skip
    auth.login("kadis")  # who follows the whole register
    response = client.get(f"/admin/pengaduan/dokumen/{record}?id={cid}")
    assert response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "(1 pengaduan)" in text and number in text and "Antrean loket" not in text
    assert LINK[:40] in text.replace("\n", "")  # the link is printed, broken inside its cell
