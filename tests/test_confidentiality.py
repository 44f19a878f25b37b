"""Complainants' identities (Perpres 76/2013): masked where not needed, revealed only with a
logged reason, never to the Tim Teknis; confidential reports only to the officials on their path.
"""

import io

from pypdf import PdfReader
from sqlalchemy import select

from models import Complaint, StepRecord, db
from models.identity import IdentityReveal
from tests.workflow_helpers import act, register_complaint

NAME = "Sri Rahayu Wulandari"


def _page(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def test_an_anonymous_complainant_is_shown_only_after_a_logged_reason(app, client, auth):
    with app.app_context():
        complaint = register_complaint("kantor", complainant_name=NAME, is_anonymous="y")
        cid = complaint.id
    auth.login("kadis")
    url = f"/admin/antrian/kadis/details/?id={cid}"
    status, page = _page(client, url)
    assert status == 200 and NAME not in page and "Dirahasiakan" in page
    assert "Buka identitas (tercatat)" in page
    reveal = f"/admin/antrian/kadis/ungkap/?id={cid}"
    short = auth.post(reveal, {"reason": "perlu"}, form_page=url)
    assert short.status_code == 400 and NAME not in short.get_data(as_text=True)
    assert "paling sedikit 10 karakter" in short.get_data(as_text=True)
    opened = auth.post(reveal, {"reason": "Perlu menghubungi pengadu untuk klarifikasi data."},
                       form_page=url)  # fmt: skip
    assert opened.status_code == 200 and NAME in opened.get_data(as_text=True)
    assert NAME not in _page(client, url)[1]  # for that page only
    with app.app_context():
        logged = db.session.scalars(select(IdentityReveal)).all()
        assert [(r.user.username, r.complaint_id) for r in logged] == [("kadis", cid)]
        assert logged[0].reason.startswith("Perlu menghubungi")
    auth.logout()
    auth.login("admin")
    status, listing = _page(client, "/admin/pembukaan-identitas/")
    assert status == 200 and "Perlu menghubungi pengadu" in listing
    assert _page(client, f"/admin/pengaduan/details/?id={cid}")[1].count(NAME) == 0


def _at_the_meeting(app):
    """An ordinary (not anonymous) SOP.50 complaint waiting for the Tim Teknis's minutes."""
    with app.app_context():
        complaint = register_complaint("media_sosial", complainant_name=NAME,
                                       complainant_contact="0812-9999-0000")  # fmt: skip
        for who, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "rakor")):
            act(complaint, who, outcome)
        return complaint.id


def test_the_tim_teknis_never_sees_who_complained(app, client, auth):
    cid = _at_the_meeting(app)
    auth.login("teknis1")
    url = f"/admin/antrian/tim-teknis/details/?id={cid}"
    status, page = _page(client, url)
    assert status == 200 and NAME not in page and "0812-9999-0000" not in page
    assert "Buka identitas" not in page
    refused = auth.post(f"/admin/antrian/tim-teknis/ungkap/?id={cid}",
                        {"reason": "Ingin tahu siapa pengadunya."}, form_page=url)  # fmt: skip
    assert refused.status_code == 403
    export = client.get("/admin/antrian/tim-teknis/ekspor/csv/")
    text = export.get_data().decode("utf-8-sig")
    export.close()
    assert NAME not in text and "Dirahasiakan" in text
    links = [line for line in page.split('"') if "/dokumen/" in line]
    assert links, "the disposition sheet is linked"
    pdf = client.get(links[0].replace("&amp;", "&"))
    assert pdf.status_code == 200
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert NAME not in words and "Dirahasiakan" in words
    with app.app_context():
        assert db.session.scalars(select(IdentityReveal)).all() == []
    auth.logout()
    auth.login("kasi")  # who answers the complainant sees the name
    assert NAME in _page(client, f"/admin/pengaduan/details/?id={cid}")[1]


def test_a_confidential_report_is_seen_only_on_its_path(app, client, auth):
    with app.app_context():
        secret = register_complaint("kantor", subject="Dugaan pungutan di loket",
                                    is_confidential="y")  # fmt: skip
        sid = secret.id
    details = f"/admin/pengaduan/details/?id={sid}"
    for username in ("kabid", "kasi", "admin"):  # not on its path yet
        auth.login(username)
        assert _page(client, details)[0] == 404
        assert "Dugaan pungutan" not in _page(client, "/admin/pengaduan/")[1]
        auth.logout()
    for username in ("fo", "kadis"):  # every complaint passes them
        auth.login(username)
        assert _page(client, details)[0] == 200
        auth.logout()
    with app.app_context():
        act(secret, "kadis", "arahan")  # disposed to the Kabid: now on his path
    auth.login("kabid")
    assert _page(client, details)[0] == 200
    assert "Dugaan pungutan" in _page(client, "/admin/pengaduan/")[1]
    auth.logout()
    auth.login("kasi")
    assert _page(client, details)[0] == 404


def test_the_register_book_shows_a_confidential_report_only_on_its_path(app, client, auth):
    from datetime import timedelta

    from models.dates import today_wib

    with app.app_context():
        register_complaint("kantor", subject="Dugaan pungutan di loket", is_confidential="y")
        register_complaint("kantor", subject="Antrean loket terlalu lama")
        first, last = today_wib() - timedelta(days=1), today_wib()

    def book(path="/admin/pengaduan/buku-registrasi/"):
        response = client.get(f"{path}?first={first}&last={last}")
        if response.status_code != 200:
            return response.status_code, ""
        return 200, "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)

    auth.login("kasi")  # not on its path: the row keeps its number, its content is masked
    status, words = book()
    assert status == 200 and "Antrean loket" in words and "Dugaan pungutan" not in words
    assert "Pengaduan rahasia" in words and "(2 pengaduan)" in words
    with app.app_context():
        from models import Complaint

        numbers = db.session.scalars(select(Complaint.reg_number)).all()
    assert all(number in words for number in numbers)  # the book accounts for every number
    auth.logout()
    auth.login("kadis")  # every complaint passes the Kepala Dinas
    assert "Dugaan pungutan" in book()[1]
    auth.logout()
    auth.login("teknis1")  # the Tim Teknis does not follow the register, from any list
    assert book("/admin/antrian/tim-teknis/buku-registrasi/")[0] == 403
    assert "Buku registrasi" not in client.get("/admin/antrian/tim-teknis/").get_data(as_text=True)


def test_the_register_page_of_a_meeting_complaint_shows_the_tim_teknis_only_that_one(
        app, client, auth):  # fmt: skip
    cid = _at_the_meeting(app)
    with app.app_context():
        register_complaint("kantor", subject="Antrean loket terlalu lama")
        record = db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == cid, StepRecord.document == "buku_registrasi"))  # fmt: skip
    auth.login("teknis1")
    response = client.get(f"/admin/antrian/tim-teknis/dokumen/{record}?id={cid}")
    assert response.status_code == 200
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "(1 pengaduan)" in words and "Antrean loket" not in words and NAME not in words


def test_the_answer_letter_names_its_addressee_only_to_who_may_see_identities(
        app, client, auth):  # fmt: skip
    with app.app_context():
        complaint = register_complaint("curhat_ning_ita", complainant_name="Budi Santoso")
        for who, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "jawab")):
            act(complaint, who, outcome, **({"addressee": "Sdr. Budi Santoso",
                                             "addressee_place": "Jl. Majapahit 7"}
                                            if outcome == "jawab" else {}))  # fmt: skip
        cid = complaint.id
        record = db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == cid, StepRecord.document == "surat_dinas"))  # fmt: skip

    def letter():
        response = client.get(f"/admin/pengaduan/dokumen/{record}?id={cid}")
        assert response.status_code == 200
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)

    auth.login("kasi")  # signs it and sends it
    assert "Budi Santoso" in letter() and "Majapahit" in letter()
    auth.logout()
    auth.login("admin")  # administers the system, does not answer complainants
    words = letter()
    assert "Budi Santoso" not in words and "Majapahit" not in words and "Dirahasiakan" in words


def _pdf_words(response) -> str:
    assert response.status_code == 200
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)


def test_a_confidential_complainant_enters_the_answer_only_after_a_logged_reveal(
        app, client, auth, monkeypatch):  # fmt: skip
    """The Kasi's answer form does not prefill a hidden name, the letter prints it only with
    a reveal in force, and every reveal is logged."""
    import re

    with app.app_context():
        complaint = register_complaint("kantor", complainant_name=NAME, is_confidential="y",
                                       complainant_address="Jl. Kenanga 12")  # fmt: skip
        act(complaint, "kadis", "arahan")
        act(complaint, "kabid", "perintah_kasi")
        cid = complaint.id
    auth.login("kasi")
    url = f"/admin/antrian/kasi/details/?id={cid}"
    status, page = _page(client, url)
    assert status == 200 and NAME not in page and "Kenanga" not in page
    assert "Identitas pengadu dirahasiakan" in page  # said beside the empty "Kepada Yth."
    opened = auth.post(
        f"/admin/antrian/kasi/ungkap/?id={cid}",
        {"reason": "Menyusun surat jawaban kepada pengadu."},
        form_page=url,
    )
    revealed = opened.get_data(as_text=True)
    assert opened.status_code == 200 and f'value="Sdr. {NAME}"' in revealed
    with app.app_context():
        assert db.session.scalar(select(db.func.count(IdentityReveal.id))) == 1
    answer = {"addressee": f"Sdr. {NAME}", "addressee_place": "Jl. Kenanga 12"}
    with app.app_context():
        act(db.session.get(Complaint, cid), "kasi", "jawab", **answer)
        record = db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == cid, StepRecord.document == "surat_dinas"))  # fmt: skip
    letter = f"/admin/pengaduan/dokumen/{record}?id={cid}"
    words = _pdf_words(client.get(letter))  # no reveal in force: masked
    assert NAME not in words and "Kenanga" not in words and "Dirahasiakan" in words
    opened = auth.post(f"/admin/pengaduan/ungkap/?id={cid}",
                       {"reason": "Mencetak surat jawaban untuk dikirim."},
                       form_page=f"/admin/pengaduan/details/?id={cid}")  # fmt: skip
    link = (
        re.search(
            rf'href="([^"]*/dokumen/{record}[^"]*reveal=\d+[^"]*)"', opened.get_data(as_text=True)
        )
        .group(1)
        .replace("&amp;", "&")
    )
    words = _pdf_words(client.get(link))
    assert NAME in words and "Kenanga" in words
    reveal_id = link.rsplit("reveal=", 1)[1]
    auth.logout()
    auth.login("fo")  # another official's reveal opens nothing for her
    assert NAME not in _pdf_words(client.get(f"{letter}&reveal={reveal_id}"))
    auth.logout()
    auth.login("kasi")  # her own reveal, but later than it lasts
    from datetime import timedelta

    from models.identity import REVEAL_MINUTES
    from models.types import utcnow

    later = timedelta(minutes=REVEAL_MINUTES + 1)
    monkeypatch.setattr("models.identity.utcnow", lambda: utcnow() + later)
    assert NAME not in _pdf_words(client.get(link))
