"""The Buku Registrasi as printed from a complaint and with long unbroken text (issue 20
item 4): one complaint's own entry, every word inside its cell."""

import io

from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy import select

from models import StepRecord, db
from models.dates import format_date_short, to_wib, today_wib
from models.pdf import _FONT, REGISTER_COLUMNS, _register_fonts, wrapped
from tests.workflow_helpers import FORMS, SOP_50_WALK, act, register_complaint, user

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


def _book_text(client) -> str:
    """The Buku Registrasi of today as the reader prints it, its words on one line."""
    day = today_wib().isoformat()
    response = client.get(f"/admin/pengaduan/buku-registrasi/?first={day}&last={day}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    return " ".join(" ".join((p.extract_text() or "").split()) for p in pages)


def test_the_register_tells_where_each_complaint_went_and_how_it_was_answered(app, client, auth):
    """Every column of the book (DOCUMENTS.md), filled from the walk: the officials the
    dispositions and orders went to, the answer's Hal, the closing day and the remarks; an
    anonymous complaint's identity and the answer's body, which may name it, masked."""
    with app.app_context():
        walked = register_complaint(description="Permohonan NIB " * 20)
        for who, _queue, outcome in SOP_50_WALK:
            act(walked, who, outcome)
        anonymous = register_complaint(is_anonymous="y", subject="Pungutan loket")
        for who, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi"),
                             ("kasi", "jawab")):  # fmt: skip
            act(anonymous, who, outcome)
        kabid, kasi = user("kabid"), user("kasi")
        answer = FORMS["jawaban_tertulis"]()
        people = [f"{kabid.full_name} ({kabid.position})", f"{kasi.full_name} ({kasi.position})"]
        db.session.refresh(walked)
        assert walked.addressed_to == "; ".join(people)  # once each, in order
        assert walked.answer_subject == answer["subject"]
        closed = format_date_short(to_wib(walked.closed_at).date())
    auth.login("kadis")
    text = _book_text(client)
    for heading, _key, _share in REGISTER_COLUMNS:
        assert " ".join(heading.split()) in text, heading
    flat = text.replace(" ", "")
    for person in people:  # a cell may break a name anywhere: compare without spaces
        assert person.replace(" ", "") in flat
    assert answer["subject"].replace(" ", "") in flat
    assert answer["body"][:30].replace(" ", "") in flat  # the identity is shown: the opening
    assert "Jl.Majapahit" in flat and "0812-3456-7890" in flat  # Alamat / Kontak
    assert "PermohonanNIBPermohonanNIB" in flat and "…" in text  # Uraian singkat, cut short
    assert closed.replace(" ", "") in flat
    assert "Anonim" in text and "Dirahasiakan" in text
    # The anonymous complaint's answer shows its Hal only: its body is printed once, above.
    assert flat.count(answer["body"][:30].replace(" ", "")) == 1
