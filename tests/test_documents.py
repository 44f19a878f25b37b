"""Printed documents, read back from the PDF: size, numbers, names, NIPs, Plt., escaping."""

import io
import re
import socket
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from models import ActingAppointment, AgencySettings, Complaint, StepRecord, db
from models.workflow import advance, register
from tests.test_calendar import wib
from tests.workflow_helpers import FORMS, SOP_50_WALK, registration, user

F4 = (609.4, 935.4)  # 215 x 330 mm in points
HALF_F4 = (609.4, 467.7)  # 215 x 165 mm: the Lembar Disposisi
A4 = (595.3, 841.9)
HOSTILE = '<img src="http://evil.example/x.png"> <script>alert(1)</script> & "kutip"'


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _size(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width), 1), round(float(box.height), 1)


WALK = [(who, outcome) for who, _queue, outcome in SOP_50_WALK]


@pytest.fixture
def answered(app):
    """A SOP.50 complaint walked to the end on Wednesday 25 November 2026."""
    with app.app_context():
        c = register(user("fo"), registration("media_sosial", received_at="2026-11-25T08:00",
                                              subject=HOSTILE),
                     now=wib(2026, 11, 25, 8, 10))  # fmt: skip
        for minute, (who, outcome) in enumerate(WALK, 1):
            data = FORMS[outcome]()
            if outcome == "rakor":
                data["day"] = "2026-11-25"
            if outcome == "terkirim":
                data["sent_on"] = "2026-11-25"
            advance(c.id, user(who), outcome, data, now=wib(2026, 11, 25, 9, minute * 5))
        records = {}  # each document's first record: the Kadis's disposition of step 3
        for r in db.session.scalars(
            select(StepRecord).where(StepRecord.complaint_id == c.id,
                                     StepRecord.document.is_not(None)).order_by(StepRecord.seq)
        ):  # fmt: skip
            records.setdefault(r.document, r.id)
        return c.id, records


def _get(client, complaint_id, record_id, base="/admin/pengaduan/"):
    return client.get(f"{base}dokumen/{record_id}?id={complaint_id}")


def test_each_document_prints_from_the_complaint_page(client, auth, answered):
    complaint_id, records = answered
    assert set(records) == {"buku_registrasi", "lembar_disposisi", "undangan_rakor",
                            "berita_acara", "resume", "surat_dinas"}  # fmt: skip
    auth.login("kasi")
    page = client.get(f"/admin/pengaduan/details/?id={complaint_id}").get_data(as_text=True)
    for code, record_id in records.items():
        assert f"dokumen/{record_id}?id={complaint_id}" in page, code
        response = _get(client, complaint_id, record_id)
        assert response.status_code == 200, code
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.data.startswith(b"%PDF")


def test_lembar_disposisi_reads_back(client, auth, answered):
    complaint_id, records = answered
    auth.login("kadis")
    pdf = _get(client, complaint_id, records["lembar_disposisi"]).data
    text = _text(pdf)
    assert _size(pdf) == HALF_F4
    assert "LEMBAR DISPOSISI" in text and "/PGD/417.514.3/2026" in text
    assert "PEMERINTAH KOTA MOJOKERTO" in text
    assert "Untuk ditindaklanjuti" in text and "Sri Wahyuni" in text
    assert "Dr. Bambang Hariyanto, S.Sos., M.Si." in text
    assert "NIP. 19750210 199803 1 004" in text
    assert "Tgl. 25 November 2026" in text  # beside the paraf


def test_surat_dinas_has_number_date_and_signature(client, auth, answered):
    complaint_id, records = answered
    auth.login("fo")
    text = _text(_get(client, complaint_id, records["surat_dinas"]).data)
    assert re.search(r"Nomor : 065/\d+/417\.514\.3/2026", text)
    assert "Mojokerto, 25 November 2026" in text
    for label in ("Sifat", "Lampiran", "Hal", "Yth. Sdr. Budi Santoso", "Tembusan"):
        assert label in text
    assert "NIP. 19750210 199803 1 004" in text and "Plt." not in text


def test_outgoing_numbers_are_consecutive_without_gaps(app, answered):
    """Every numbered document (models/kinds.py) takes the next number: the walk's invitation,
    Berita Acara, resume (Telaahan Staf) and answer letter."""
    from models.kinds import DOCUMENTS

    complaint_id, _records = answered
    with app.app_context():
        rows = db.session.scalars(select(StepRecord).where(
            StepRecord.complaint_id == complaint_id, StepRecord.document.is_not(None))
            .order_by(StepRecord.seq)).all()  # fmt: skip
        numbered = [r.document for r in rows if DOCUMENTS[r.document].numbered]
        numbers = [r.document_number for r in rows if r.document_number]
    assert "resume" in numbered and len(numbered) == len(numbers)
    assert numbers == [f"065/{n}/417.514.3/2026" for n in range(1, len(numbers) + 1)]


def test_berita_acara_spells_the_day_and_is_signed_by_the_kabid(client, auth, answered):
    complaint_id, records = answered
    auth.login("kabid")
    text = _text(_get(client, complaint_id, records["berita_acara"]).data)
    assert "BERITA ACARA" in text
    assert "Rabu tanggal dua puluh lima bulan November tahun dua ribu dua puluh enam" in text
    assert "Ir. Hendra Kurniawan" in text  # present, in the attendance table
    assert "NIP. 19780822 200312 2 005" in text  # the Kabid leads and signs


def test_undangan_and_resume_read_back(client, auth, answered):
    complaint_id, records = answered
    auth.login("kasi")
    invitation = _text(_get(client, complaint_id, records["undangan_rakor"]).data)
    assert "Undangan Rapat Koordinasi" in invitation
    assert "Rabu, 25 November 2026" in invitation and "09.00 WIB" in invitation
    assert "Ruang Rapat Lt. 2" in invitation and "Rina Puspitasari" in invitation
    resume = _text(_get(client, complaint_id, records["resume"]).data)
    assert "TELAAHAN STAF" in resume and "Saran tindak" in resume


def test_hostile_complaint_text_prints_as_text_and_nothing_is_fetched(
    client, auth, answered, monkeypatch
):
    complaint_id, records = answered

    def refuse(*_args, **_kwargs):
        raise AssertionError("a document tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    auth.login("kadis")
    text = _text(_get(client, complaint_id, records["lembar_disposisi"]).data)
    assert '<img src="http://evil.example/x.png">' in text
    assert "<script>alert(1)</script>" in text


def test_plt_signs_when_acting_under_an_appointment(app, client, auth):
    with app.app_context():
        db.session.add(ActingAppointment(
            user_id=user("kabid").id, role="kadis", kind="Plt.",
            position="Kepala Dinas Penanaman Modal PTSP dan Naker",
            starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31),
        ))  # fmt: skip
        db.session.commit()
        c = register(user("fo"), registration("curhat_ning_ita", received_at="2026-11-25T08:00"),
                     now=wib(2026, 11, 25, 8, 10))  # fmt: skip
        record = advance(c.id, user("kabid"), "arahan", FORMS["arahan"](),
                         now=wib(2026, 11, 25, 9, 0))  # fmt: skip
        cid, rid = c.id, record.id
    auth.login("kabid")
    text = _text(_get(client, cid, rid).data)
    assert "Plt. KEPALA DINAS PENANAMAN MODAL PTSP DAN NAKER" in text
    assert "NIP. 19780822 200312 2 005" in text


def test_paper_size_a4_comes_from_the_settings(app, client, auth, answered):
    complaint_id, records = answered
    with app.app_context():
        db.session.get(AgencySettings, 1).paper_size = "A4"
        db.session.commit()
    auth.login("kadis")
    assert _size(_get(client, complaint_id, records["surat_dinas"]).data) == A4


def test_buku_registrasi_is_landscape_masks_identities_and_counts_pages(app, client, auth):
    with app.app_context():
        for i in range(60):
            register(user("fo"), registration(
                "kantor", received_at=f"2026-11-{2 + i % 20:02d}T09:00",
                complainant_name=f"Warga Nomor {i}", is_confidential="y" if i == 7 else "",
                subject=f"Pokok {i} {HOSTILE}"), now=wib(2026, 11, 25, 9, 0))  # fmt: skip
        numbers = set(db.session.scalars(select(Complaint.reg_number)))
    auth.login("fo")
    response = client.get("/admin/pengaduan/buku-registrasi/?first=2026-11-01&last=2026-11-30")
    assert response.status_code == 200
    pdf = response.data
    width, height = _size(pdf)
    assert (height, width) == F4  # landscape
    text = _text(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= 2 and f"halaman 1 dari {pages}" in text
    assert all(n in text for n in numbers)
    assert "Warga Nomor 7" not in text and "Dirahasiakan" in text
    assert "Warga Nomor 8" in text and "<script>alert(1)</script>" in text


@pytest.mark.parametrize("query", ["?first=2026-11-30&last=2026-11-01", "?first=x&last=y",
                                   "?first=2025-01-01&last=2026-12-31"])  # fmt: skip
def test_buku_registrasi_refuses_bad_periods(client, auth, query):
    auth.login("fo")
    response = client.get(f"/admin/pengaduan/buku-registrasi/{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "tidak boleh sebelum" in html or "tidak valid" in html or "satu tahun" in html


def test_the_team_cannot_print_from_the_register_and_ids_are_checked(client, auth, answered):
    complaint_id, records = answered
    auth.login("teknis1")
    assert _get(client, complaint_id, records["surat_dinas"]).status_code == 403
    assert client.get("/admin/pengaduan/buku-registrasi/").status_code == 403
    auth.logout()
    auth.login("kasi")
    assert _get(client, complaint_id + 999, records["surat_dinas"]).status_code == 404
    assert client.get(f"/admin/pengaduan/dokumen/999999?id={complaint_id}").status_code == 404


def test_admin_sets_the_letterhead_logo_and_patterns(app, client, auth, answered):
    complaint_id, records = answered
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
        b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )  # a 1x1 PNG
    auth.login("admin")
    with app.app_context():
        s = db.session.get(AgencySettings, 1)
        form = {name: getattr(s, name) or "" for name in (
            "government", "agency", "agency_short", "division", "address", "phone", "fax",
            "website", "email", "city", "place", "postcode", "head_position", "unit_code",
            "registration_number_pattern", "letter_number_pattern")}  # fmt: skip
    assert 'name="invitation_signer"' in client.get("/admin/kop-surat/").get_data(as_text=True)
    form.update(paper_size="A4", agency="DINAS UJI COBA\nDAN TENAGA KERJA",
                invitation_signer="kabid", logo=(io.BytesIO(png), "logo.png"))  # fmt: skip
    response = auth.post("/admin/kop-surat/", form, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(AgencySettings, 1)
        assert saved.invitation_signer == "kabid" and "\n" in saved.agency  # kop lines kept
    text = _text(_get(client, complaint_id, records["lembar_disposisi"]).data)
    assert "DINAS UJI COBA" in text
    bad = {**form, "logo": (io.BytesIO(b"GIF89a..."), "x.gif"), "letter_number_pattern": "065/"}
    response = auth.post("/admin/kop-surat/", bad, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Logo harus berkas PNG atau JPEG." in html and "harus memuat {seq}" in html


def test_the_surat_dinas_closes_once_whoever_wrote_the_closing(app, client, auth, answered):
    """The standard closing follows a body without one; after the officer's own closing line
    ("Demikian kami sampaikan, …") nothing is appended (issue 19)."""
    from tests.workflow_helpers import act, register_complaint

    own = (
        "NIB Saudara telah terbit.\n\nDemikian kami sampaikan, atas perhatian Saudara terima kasih."
    )
    with app.app_context():
        c = register_complaint()
        for who, _queue, outcome in SOP_50_WALK:
            extra = {"body": own} if outcome == "jawaban_tertulis" else {}
            act(db.session.get(Complaint, c.id), who, outcome, **extra)
        letter = db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == c.id, StepRecord.document == "surat_dinas"))  # fmt: skip
        cid = c.id
    auth.login("fo")
    mine = _text(_get(client, cid, letter).data)
    standard = _text(_get(client, answered[0], answered[1]["surat_dinas"]).data)
    assert mine.count("Demikian") == 1 and "Demikian kami sampaikan" in mine
    assert standard.count("Demikian") == 1 and "Demikian disampaikan" in standard


# -- issue 20: the forms of tata naskah dinas ------------------------------------------------


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _record(app, complaint_id, outcome) -> int:
    with app.app_context():
        return db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == complaint_id, StepRecord.outcome == outcome))  # fmt: skip


def test_lembar_disposisi_prints_every_field_ticked_or_not(app, client, auth, answered):
    """Half F4, one page; every field of the standard sheet, all four Sifat boxes, a box for
    each official the sheet may go to, every active mark ticked or not; the outcome's name is
    no instruction; a sheet of a step with no addressee says whom it goes back to."""
    from models.documents import SIFAT_BOXES
    from models.masterdata import DispositionMark, offered
    from models.step_forms import SIFAT

    complaint_id, records = answered
    with app.app_context():
        marks = [m.name for m in offered(DispositionMark)]
        step = db.session.get(StepRecord, records["lembar_disposisi"])
        chosen, sifat, reg = step.data["marks"], step.data["sifat"], step.complaint.reg_number
        label, kabid = step.outcome_label, user("kabid").full_name
    assert marks and set(SIFAT_BOXES) == set(SIFAT)
    auth.login("kadis")
    pdf = _get(client, complaint_id, records["lembar_disposisi"]).data
    pages = _pages(pdf)
    assert _size(pdf) == HALF_F4 and len(pages) == 1
    text = pages[0]
    for field in ("Surat dari", "No. Surat", "Tgl. Surat", "Diterima Tgl.", f"No. Agenda : {reg}",
                  "Sifat", "Hal", "Diteruskan kepada Sdr.:", "Dengan hormat harap:", "Catatan:",
                  "Paraf:", "Tgl. 25 November 2026", "NIP. 19750210 199803 1 004"):  # fmt: skip
        assert field in text, field
    for box in SIFAT_BOXES:
        assert f"[{'X' if box == sifat else ' '}] {box}" in text, box
    for name in marks:
        assert f"[{'X' if name in chosen else ' '}] {name}" in text, name
    assert f"[X] {kabid}" in text and label not in text

    studied = _get(client, complaint_id, _record(app, complaint_id, "dipelajari")).data
    text = _text(studied)
    assert "Resume dipelajari" not in text
    assert f"Dikembalikan kepada Sdr.: [X] {kabid}" in text  # the resume came from the Kabid
    assert all(f"[ ] {box}" in text for box in SIFAT_BOXES)


def test_kop_keeps_the_agency_lines_as_set(app, client, auth, answered):
    """The admin's line breaks stand; a name set on one line is cut before "DAN", never after
    it, at a size at which each line fits the text column."""
    from models.documents import AGENCY_SIZES, _width, agency_lines

    lines, size = agency_lines("DINAS SATU PINTU DAN\nTENAGA KERJA", 400)
    assert lines == ["DINAS SATU PINTU DAN", "TENAGA KERJA"] and size == AGENCY_SIZES[0]
    with app.app_context():
        name = db.session.get(AgencySettings, 1).agency
    lines, size = agency_lines(name, 340)
    assert " ".join(lines) == name and len(lines) == 2
    assert lines[1].startswith("DAN ") and not lines[0].endswith(" DAN")
    assert all(_width(line, size) <= 340 for line in lines)
    with app.app_context():
        db.session.get(AgencySettings, 1).agency = "DINAS PENANAMAN MODAL\nDAN TENAGA KERJA"
        db.session.commit()
    auth.login("kasi")
    pdf = _get(client, answered[0], answered[1]["resume"]).data
    kop = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert re.search(r"\n\s*DINAS PENANAMAN MODAL\s*\n\s*DAN TENAGA KERJA\s*\n", kop)


def _head_position(app) -> str:
    with app.app_context():
        return " ".join(db.session.get(AgencySettings, 1).head_position.upper().split())


def test_signature_blocks_name_the_kadis_in_full_and_a_n_when_the_kabid_signs(
    app, client, auth, answered
):
    """The Kepala Dinas signs with his position in full, as the agency sets it; an answer
    letter the Kabid signs for him carries "a.n. KEPALA DINAS …," above the Kabid's own."""
    from tests.workflow_helpers import act, register_complaint, uid

    head = _head_position(app)
    assert head.endswith("KOTA MOJOKERTO")
    auth.login("fo")
    own = _text(_get(client, answered[0], answered[1]["surat_dinas"]).data)
    assert f"{head}, " in own and "a.n." not in own
    with app.app_context():
        c = register_complaint()
        for who, _queue, outcome in SOP_50_WALK:
            extra = {"signatory": str(uid("kabid"))} if outcome == "jawaban_tertulis" else {}
            act(db.session.get(Complaint, c.id), who, outcome, **extra)
        letter = db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == c.id, StepRecord.document == "surat_dinas"))  # fmt: skip
        cid = c.id
    text = _text(_get(client, cid, letter).data)
    assert f"a.n. {head}, KEPALA BIDANG PENGADUAN, KEBIJAKAN DAN PELAPORAN LAYANAN," in text
    assert "NIP. 19780822 200312 2 005" in text


def test_a_surat_pelimpahan_the_kabid_signs_carries_a_n_and_the_kadis_signs_his_own(
    app, client, auth
):
    """The Surat Pelimpahan goes out in the Kepala Dinas's name (DocumentKind.in_heads_name):
    forwarded by the Kabid it is signed "a.n. KEPALA DINAS …," above the Kabid's position;
    forwarded by the Kepala Dinas himself, with no a.n."""
    from models.closing import forward
    from models.masterdata import OtherAgency
    from tests.workflow_helpers import act, register_complaint, user

    head = _head_position(app)
    with app.app_context():
        agency = db.session.scalar(select(OtherAgency).where(OtherAgency.active.is_(True)))
        by_kabid = register_complaint()
        act(by_kabid, "kadis", "arahan")  # disposed to the Kabid: he may forward it
        kabid_letter = forward(by_kabid.id, user("kabid"), agency.id, "Bukan kewenangan kami.")
        by_kadis = register_complaint()
        kadis_letter = forward(by_kadis.id, user("kadis"), agency.id, "Bukan kewenangan kami.")
        letters = [(by_kabid.id, kabid_letter.id), (by_kadis.id, kadis_letter.id)]
    auth.login("fo")
    signed_for, own = (_text(_get(client, cid, rid).data) for cid, rid in letters)
    assert f"a.n. {head}, KEPALA BIDANG PENGADUAN, KEBIJAKAN DAN PELAPORAN LAYANAN," in signed_for
    assert "NIP. 19780822 200312 2 005" in signed_for  # the Kabid's, under his name
    assert "a.n." not in own and f"{head}, " in own


def test_undangan_is_signed_as_the_agency_sets_and_invites_the_kabid(app, client, auth, answered):
    """By default the Kepala Dinas signs the invitation, addressed to the Kabid who leads the
    meeting and the invited Tim Teknis; set to the Kabid, he signs a.n. the Kepala Dinas.
    A position in brackets is never put in brackets again."""
    from models.settings import INVITATION_SIGNERS

    complaint_id, records = answered
    head = _head_position(app)
    with app.app_context():
        invitees = db.session.get(StepRecord, records["undangan_rakor"]).data["invitees"]
    auth.login("kasi")
    text = _text(_get(client, complaint_id, records["undangan_rakor"]).data)
    assert f"{head}, Dr. Bambang Hariyanto" in text and "a.n." not in text
    assert "Sri Wahyuni, S.H., M.H., Kepala Bidang Pengaduan" in text
    assert all(f"{p['name']}, {p['position']}" in text for p in invitees)
    assert not re.search(r"\([^()]*\(", text)
    assert set(INVITATION_SIGNERS) == {"kadis", "kabid"}
    with app.app_context():
        db.session.get(AgencySettings, 1).invitation_signer = "kabid"
        db.session.commit()
    text = _text(_get(client, complaint_id, records["undangan_rakor"]).data)
    assert f"a.n. {head}, KEPALA BIDANG PENGADUAN" in text
    assert "NIP. 19780822 200312 2 005" in text and "Dr. Bambang Hariyanto" not in text


def test_berita_acara_has_the_attendance_table_and_mengetahui(app, client, auth, answered):
    complaint_id, records = answered
    with app.app_context():
        attendees = db.session.get(StepRecord, records["berita_acara"]).data["attendees"]
    auth.login("kabid")
    text = _text(_get(client, complaint_id, records["berita_acara"]).data)
    assert "DAFTAR HADIR No Nama Jabatan Tanda Tangan" in text
    for n, p in enumerate(attendees, 1):
        assert f"{n} {p['name']} {p['position']} {n}." in text
    assert "Mengetahui," in text and "Pimpinan Rapat," in text
    assert "NIP. 19750210 199803 1 004" in text and "NIP. 19780822 200312 2 005" in text


def test_resume_is_a_numbered_telaahan_staf(app, client, auth, answered):
    complaint_id, records = answered
    with app.app_context():
        number = db.session.get(StepRecord, records["resume"]).document_number
    auth.login("kabid")
    text = _text(_get(client, complaint_id, records["resume"]).data)
    assert number and f"Nomor : {number}" in text
    assert "Sifat : Biasa" in text and "Lampiran : 1 (satu) berkas Berita Acara" in text
    headings = ["I. Pokok persoalan", "II. Praanggapan -", "III. Fakta yang mempengaruhi",
                "IV. Analisis", "V. Kesimpulan", "VI. Saran tindak"]  # fmt: skip
    places = [text.find(h) for h in headings]
    assert -1 not in places and places == sorted(places)


FOOTER = re.compile(r"\S+ — halaman \d+")


@pytest.mark.parametrize("document", ["surat_dinas", "berita_acara", "resume"])
def test_no_page_holds_a_signature_block_alone(app, answered, document):
    """Whatever the length of the text, the signature block's page also holds the text's
    last lines: the letter grows a paragraph at a time across the page's end and, on every
    page, what is left once the signature lines (and footer) are taken away is not empty."""
    from models.documents import record_document
    from models.pdf import render_pdf

    complaint_id, records = answered
    field = {"surat_dinas": "body", "berita_acara": "conclusion", "resume": "recommendation"}
    paragraph = ("Kalimat isi naskah yang cukup panjang untuk mengisi baris demi baris halaman "
                 "ini sampai ke ujungnya. ") * 3  # fmt: skip
    crossed = False
    with app.app_context(), app.test_request_context():
        record = db.session.get(StepRecord, records[document])
        for n in range(6, 20):
            template, context = record_document(record.complaint, record)
            context["data"] = {**context["data"], field[document]: "\n\n".join([paragraph] * n)}
            context["verification"] = None  # its own block, not the text's
            pdf = render_pdf(template, **context)
            signer = context["signer"]
            lines = [signer["behalf"], f"{signer['prefix']}{signer['position']},", signer["name"],
                     signer["rank"], f"NIP. {signer['nip']}", "Mojokerto, 25 November 2026",
                     "Pimpinan Rapat,", "Mengetahui,"]  # fmt: skip
            copies = context["data"].get("copies") or []  # below the signature, on its page
            lines += ["Tembusan:"] + [f"{i}. {c}" for i, c in enumerate(copies, 1)]
            if "head" in context:
                head = context["head"]
                lines += [f"{head['position']},", head["name"], head["rank"], f"NIP. {head['nip']}"]
            pages = _pages(pdf)
            crossed |= len(pages) > 1
            for i, page in enumerate(pages):
                rest = FOOTER.sub("", page)
                for line in filter(None, lines):
                    rest = rest.replace(line, "")
                assert rest.strip(), f"{document}, {n} paragraphs: page {i + 1} is a signature"
    assert crossed  # the text did run over a page
