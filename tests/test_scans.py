"""The signed copy and the proof of dispatch (issue 20 item 7): after printing, an official
files the signed scan of a document and the front office the proof that the letter went out;
both stand beside the document, in the history and in the case file. Only real PDFs and
images, only by whom it is theirs to file."""

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from models import Attachment, StepRecord, db
from tests.conftest import csrf_token
from tests.test_case_file import _pdf, _png, _walked
from tests.test_closing import _switch

PAGE = "/admin/pengaduan/details/?id={}"


def _record(app, cid, document) -> int:
    with app.app_context():
        return db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == cid, StepRecord.document == document))  # fmt: skip


def _file(client, cid, record, purpose, content, name):
    return client.post(f"/admin/pengaduan/scan/{record}?id={cid}", data={
        "purpose": purpose, "csrf_token": csrf_token(client, PAGE.format(cid)),
        "berkas": (io.BytesIO(content), name)}, content_type="multipart/form-data")  # fmt: skip


def test_a_signed_scan_and_the_proof_of_dispatch_stand_beside_the_letter(app, client, auth):
    cid, _titles = _walked(app)
    letter = _record(app, cid, "surat_dinas")
    auth.login("kasi")
    done = _file(client, cid, letter, "signed", _pdf(1), "surat-ttd.pdf")
    assert done.status_code == 302
    page = client.get(done.location).get_data(as_text=True)
    assert "Scan bertanda tangan" in page and "surat-ttd.pdf" in page and "tersimpan" in page
    _switch(auth, "fo")
    sent = _file(client, cid, letter, "dispatch", _png(), "resi-pos.png")
    assert sent.status_code == 302
    page = client.get(PAGE.format(cid)).get_data(as_text=True)
    assert "Bukti pengiriman" in page and "resi-pos.png" in page
    history = page[page.index("Riwayat penanganan") :]
    assert "surat-ttd.pdf" in history and "resi-pos.png" in history  # on the letter's record
    lampiran = re.search(r"<th>Lampiran</th><td>(.*?)</td>", page, re.S).group(1)
    assert "surat-ttd.pdf" not in lampiran  # not one of the complaint's own files
    with app.app_context():
        scan_id = db.session.scalar(select(Attachment.id).where(
            Attachment.filename == "surat-ttd.pdf"))  # fmt: skip
    download = client.get(f"/admin/pengaduan/lampiran/{scan_id}?id={cid}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    reader = PdfReader(io.BytesIO(client.get(f"/admin/pengaduan/berkas/?id={cid}").data))
    outline = [item.title for item in reader.outline]
    at = next(i for i, t in enumerate(outline) if t.endswith("Surat Dinas Jawaban"))
    assert outline[at + 1:at + 3] == ["Scan bertanda tangan: surat-ttd.pdf",
                                      "Bukti pengiriman: resi-pos.png"]  # fmt: skip


def test_only_real_scans_by_whom_it_is_theirs_to_file(app, client, auth):
    cid, _titles = _walked(app)
    letter = _record(app, cid, "surat_dinas")
    disposition = _record(app, cid, "lembar_disposisi")
    auth.login("kasi")
    fake = _file(client, cid, letter, "signed", b"MZ\x90\x00 not a scan", "surat.pdf")
    assert fake.status_code == 302
    assert "bukan gambar (PNG/JPEG/GIF) atau PDF" in client.get(fake.location).get_data(
        as_text=True)  # fmt: skip
    assert _file(client, cid, letter, "dispatch", _png(), "x.png").status_code == 403  # FO's
    assert _file(client, cid, letter, "lain", _png(), "x.png").status_code == 403
    _switch(auth, "fo")  # a disposition sheet does not go out: no proof of dispatch for it
    assert _file(client, cid, disposition, "dispatch", _png(), "x.png").status_code == 403
    _switch(auth, "admin")
    assert _file(client, cid, letter, "signed", _pdf(1), "x.pdf").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Attachment.id).where(
            Attachment.purpose.is_not(None))) is None  # fmt: skip
