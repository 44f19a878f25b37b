"""Verifiable prints: the code under each document's QR code opens a public page that says
whether the printout is genuine, and nothing of the complainant."""

import io
import json
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from models import StepRecord, db, integrity, verification
from models.verification import ALPHABET
from tests.test_documents import _get, _text
from tests.workflow_helpers import SOP_50_WALK, act, register_complaint

NAME = "Sulastri Wahyuningsih"
SUBJECT = "Dugaan pungutan liar di loket perizinan"
CODE_RE = re.compile(r"Kode verifikasi: ([0-9A-Z]{5}-[0-9A-Z]{5})")
PRINTED = ("lembar_disposisi", "undangan_rakor", "berita_acara", "resume", "surat_dinas")


@pytest.fixture
def walked(app):
    """A confidential SOP.50 complaint walked to the end: (complaint id, {document: record})."""
    with app.app_context():
        c = register_complaint("media_sosial", complainant_name=NAME, subject=SUBJECT,
                               is_confidential="y")  # fmt: skip
        for who, _queue, outcome in SOP_50_WALK:
            act(c, who, outcome)
        records = {}
        for r in db.session.scalars(select(StepRecord).where(
                StepRecord.complaint_id == c.id, StepRecord.document.is_not(None))
                .order_by(StepRecord.seq)):  # fmt: skip
            records.setdefault(r.document, r.id)
        return c.id, records


def _code(pdf: bytes) -> str:
    match = CODE_RE.search(_text(pdf))
    assert match, "no verification code in the PDF"
    return match.group(1)


def _print(client, walked, document: str) -> bytes:
    complaint_id, records = walked
    response = _get(client, complaint_id, records[document])
    assert response.status_code == 200, document
    return response.data


def _one_changed(code: str) -> str:
    i = 3
    return code[:i] + ALPHABET[(ALPHABET.index(code[i]) + 1) % 32] + code[i + 1 :]


def test_every_document_carries_a_code_that_verifies_without_login(client, auth, walked):
    auth.login("kadis")  # sees identities: the name is on the printout, not on the page
    codes = {document: _code(_print(client, walked, document)) for document in PRINTED}
    assert len(set(codes.values())) == len(PRINTED)
    auth.logout()
    for document, code in codes.items():
        response = client.get(f"/cek/{code}")
        assert response.status_code == 200, document
        page = response.get_data(as_text=True)
        assert 'id="asli"' in page and "Dokumen asli" in page
        assert code in page
        assert NAME not in page and SUBJECT not in page and "Budi" not in page
        assert "Jabatan penanda tangan" in page
        assert "/admin" not in page  # leads nowhere inside
        assert "Content-Security-Policy" in response.headers
    letter = client.get(f"/cek/{codes['surat_dinas']}").get_data(as_text=True)
    assert "Surat Dinas Jawaban" in letter and "KEPALA DINAS" in letter.upper()


def test_the_page_shows_kind_number_date_and_hash(app, client, auth, walked):
    auth.login("kasi")
    code = _code(_print(client, walked, "undangan_rakor"))
    with app.app_context():
        record = db.session.get(StepRecord, walked[1]["undangan_rakor"])
        number, digest = record.document_number, verification.content_hash(record)
        facts = verification.public_facts(record)
    assert number
    page = client.get(f"/cek/{code}").get_data(as_text=True)
    assert "Undangan Rapat Koordinasi" in page and number in page
    assert facts["date"] in page
    assert verification.short_hash(digest) in page
    # The same fingerprint is printed on the document.
    assert verification.short_hash(digest) in _text(_print(client, walked, "undangan_rakor"))


def test_a_reprint_has_the_same_code_and_the_form_accepts_it_typed(client, auth, walked):
    auth.login("kabid")
    first = _code(_print(client, walked, "resume"))
    assert _code(_print(client, walked, "resume")) == first
    auth.logout()
    typed = " " + first.replace("-", "").lower().replace("0", "o") + " "
    response = client.get("/cek/", query_string={"kode": typed})
    assert response.status_code == 200 and 'id="asli"' in response.get_data(as_text=True)
    assert client.get("/cek/").status_code == 200  # the empty form


def test_a_code_changed_by_one_character_is_not_found(client, auth, walked):
    auth.login("kadis")
    code = _code(_print(client, walked, "lembar_disposisi"))
    auth.logout()
    for wrong in (_one_changed(code), code[:-1], code + "7", "!!!!!-?????"):
        response = client.get("/cek/", query_string={"kode": wrong})
        assert response.status_code == 404, wrong
        page = response.get_data(as_text=True)
        assert 'id="tidak-cocok"' in page and 'id="asli"' not in page


def test_a_record_altered_in_the_database_no_longer_verifies(app, client, auth, walked):
    auth.login("kasi")
    code = _code(_print(client, walked, "surat_dinas"))
    assert client.get(f"/cek/{code}").status_code == 200
    with app.app_context():
        record_id = walked[1]["surat_dinas"]
        connection = db.session.connection()
        integrity.uninstall(connection, ("step_record",))  # what only the schema owner can do
        data = db.session.get(StepRecord, record_id).data
        forged = {**data, "body": data["body"] + " Tambahan yang tidak pernah ditandatangani."}
        connection.execute(text("UPDATE step_record SET data = :data WHERE id = :id"),
                           {"data": json.dumps(forged), "id": record_id})  # fmt: skip
        integrity.install(connection, ("step_record",))
        db.session.commit()
    assert client.get(f"/cek/{code}").status_code == 404


def test_wrong_codes_are_held_back_like_the_tracking_page(app, client, walked, monkeypatch):
    monkeypatch.setitem(app.config, "TRACK_MAX_FAILURES", 2)
    for _ in range(2):
        assert client.get("/cek/AAAAA-AAAAA").status_code == 404
    held = client.get("/cek/AAAAA-AAAAA")
    assert held.status_code == 429 and "menit" in held.get_data(as_text=True)


def test_the_qr_code_is_an_image_in_the_pdf(client, auth, walked):
    auth.login("kadis")
    pdf = _print(client, walked, "lembar_disposisi")
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    assert len(page.images) >= 1
    assert "/cek/" in _text(pdf)


def test_the_code_is_made_of_the_record_and_the_key(app, walked, monkeypatch):
    with app.app_context():
        record = db.session.get(StepRecord, walked[1]["berita_acara"])
        code = verification.code_of(record)
        assert verification.check(code) is record
        monkeypatch.setitem(app.config, "DOCUMENT_SEAL_KEY", "another key")
        assert verification.code_of(record) != code
        assert verification.check(code) is None


def test_the_surat_pelimpahan_verifies_too(app, client, auth):
    from models.closing import forward
    from tests.test_closing import _agency
    from tests.workflow_helpers import user

    with app.app_context():
        c = register_complaint(complainant_name=NAME, subject=SUBJECT)
        act(c, "kadis", "arahan")
        record = forward(c.id, user("kabid"), _agency("dlh").id, "Bukan kewenangan kami.")
        walked = (c.id, {"surat_pelimpahan": record.id})
        number = record.document_number
    auth.login("kabid")
    code = _code(_print(client, walked, "surat_pelimpahan"))
    auth.logout()
    page = client.get(f"/cek/{code}").get_data(as_text=True)
    assert 'id="asli"' in page and "Surat Pelimpahan Pengaduan" in page and number in page
    assert NAME not in page and SUBJECT not in page
