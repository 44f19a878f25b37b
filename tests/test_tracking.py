"""The citizen follows a complaint by its tracking code: the front office's receipt shows the
code once, the public page shows the public stages with their dates and, once sent, the
answer letter — never notes, instructions or officials' names — and guessing is held back."""

import io
import re

from pypdf import PdfReader

from models import Complaint, db
from models.tracking import ALPHABET, CODE_LENGTH, code_hash, format_code
from tests.workflow_helpers import act, register_complaint, registration

CODE = re.compile(r'id="kode-lacak-teks">([A-Z0-9-]+)<')


def _register_at_the_desk(app, auth) -> tuple[int, str]:
    """The front office registers a complaint through its form; return (id, code shown)."""
    with app.app_context():
        data = registration("kantor", subject="Antrean loket perizinan lama",
                            complainant_name="Siti Aminah")  # fmt: skip
    auth.login("fo")
    response = auth.post("/admin/pengaduan/registrasi/", data)
    assert response.status_code == 302 and "/tanda-terima/" in response.headers["Location"]
    receipt = auth._client.get(response.headers["Location"]).get_data(as_text=True)
    code = CODE.search(receipt).group(1)
    assert "<svg" in receipt and f"/lacak/?kode={code}" in receipt  # QR code and link
    complaint_id = int(re.search(r"id=(\d+)", response.headers["Location"]).group(1))
    return complaint_id, code


def test_the_receipt_shows_the_code_once_and_only_its_hash_is_kept(app, client, auth):
    complaint_id, code = _register_at_the_desk(app, auth)
    plain = code.replace("-", "")
    assert len(plain) == CODE_LENGTH and set(plain) <= set(ALPHABET)
    again = client.get(f"/admin/pengaduan/tanda-terima/?id={complaint_id}").get_data(as_text=True)
    assert plain not in again.replace("-", "") and "tidak disimpan" in again
    with app.app_context():
        stored = db.session.get(Complaint, complaint_id).tracking_hash
        assert stored == code_hash(plain) and plain not in stored


def test_the_citizen_follows_the_public_stages_to_the_answer_letter(app, client):
    with app.app_context():
        c = register_complaint("curhat_ning_ita", complainant_name="Siti Aminah")
        code, number = c.tracking_code, c.reg_number
    page = client.get(f"/lacak/?kode={format_code(code).lower()}")  # typed in lower case
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and number in text
    done = re.findall(r'<li class="done">\s*<span class="timeline-label">(\w+)', text)
    assert done == ["Diterima", "Diregistrasi"]
    assert "Baca surat jawaban" not in text
    assert client.get(f"/lacak/surat/?kode={code}").status_code == 404
    with app.app_context():
        c = db.session.get(Complaint, c.id)
        act(c, "kadis", "arahan", instruction="Catatan internal: periksa OSS.")
        act(c, "kabid", "perintah_kasi")
        act(c, "kasi", "jawab", body="Dengan hormat, loket perizinan kini buka pukul 07.30.")
        page = client.get(f"/lacak/?kode={code}").get_data(as_text=True)
        done = re.findall(r'<li class="done">\s*<span class="timeline-label">(\w+)', page)
        assert done == ["Diterima", "Diregistrasi", "Ditindaklanjuti", "Dijawab"]
        assert "Baca surat jawaban" not in page  # written, not yet sent
        act(db.session.get(Complaint, c.id), "fo", "terkirim")
    page = client.get(f"/lacak/?kode={code}").get_data(as_text=True)
    done = re.findall(r'<li class="done">\s*<span class="timeline-label">(\w+)', page)
    assert done == ["Diterima", "Diregistrasi", "Ditindaklanjuti", "Dijawab", "Selesai"]
    for internal in ("Catatan internal", "periksa OSS", "Bambang", "Sri Wahyuni", "Agus",
                     "Siti Aminah", "/admin"):  # fmt: skip
        assert internal not in page, internal
    letter = client.get(f"/lacak/surat/?kode={code}")
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.data)).pages)
    assert "loket perizinan kini buka pukul 07.30" in words and number in words


def test_an_anonymous_complainants_letter_keeps_the_name_hidden(app, client):
    with app.app_context():
        c = register_complaint("curhat_ning_ita", is_anonymous="y", complainant_name="Siti")
        code = c.tracking_code
        for who, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "jawab"),
                             ("fo", "terkirim")):  # fmt: skip
            act(db.session.get(Complaint, c.id), who, outcome, addressee="Sdr. Siti")
    letter = client.get(f"/lacak/surat/?kode={code}")
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.data)).pages)
    assert "Siti" not in words and "Dirahasiakan" in words


def test_wrong_and_unknown_codes_look_alike_and_guessing_is_held_back(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRACK_MAX_FAILURES", 3)
    with app.app_context():
        code = register_complaint("kantor").tracking_code
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    answers = [client.get("/lacak/", query_string={"kode": typed})
               for typed in (wrong, "KX7M2QPA9RTE", "' OR 1=1 --")]  # fmt: skip
    assert [a.status_code for a in answers] == [404, 404, 404]
    messages = {re.search(r'role="alert">([^<]+)<', a.get_data(as_text=True)).group(1)
                for a in answers}  # fmt: skip
    assert len(messages) == 1 and "tidak ditemukan" in messages.pop()
    held = client.get(f"/lacak/?kode={code}")  # even the right code waits now
    assert held.status_code == 429 and "Coba lagi dalam" in held.get_data(as_text=True)
    assert f'value="{code}"' in held.get_data(as_text=True)  # what was typed stays


def test_a_lost_code_is_replaced_and_stops_working(app, client, auth):
    complaint_id, old = _register_at_the_desk(app, auth)
    page = client.get(f"/admin/pengaduan/details/?id={complaint_id}").get_data(as_text=True)
    assert "Buat kode lacak baru" in page
    with app.app_context():
        version = db.session.get(Complaint, complaint_id).version
    response = auth.post(f"/admin/pengaduan/kode-lacak/?id={complaint_id}", {},
                         form_page=f"/admin/pengaduan/details/?id={complaint_id}")  # fmt: skip
    new = CODE.search(client.get(response.headers["Location"]).get_data(as_text=True)).group(1)
    assert new != old
    auth.logout()
    assert client.get(f"/lacak/?kode={old}").status_code == 404
    assert client.get(f"/lacak/?kode={new}").status_code == 200
    with app.app_context():  # a new code is no step: nobody at the complaint is told "acted"
        assert db.session.get(Complaint, complaint_id).version == version


def test_the_public_pages_carry_the_policy_and_lead_nowhere_inside(client):
    page = client.get("/lacak/")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "/admin" not in page.get_data(as_text=True)
    assert client.get("/lacak/?kode=a%00b").status_code == 400
    assert client.get("/lacak/?kode=" + "x" * 5000).status_code == 404


def test_crafted_codes_answer_in_indonesian_never_an_error(app, client, monkeypatch):
    from tests.test_hostile_params import ENGLISH, HOSTILE

    monkeypatch.setitem(app.config, "TRACK_MAX_FAILURES", 1000)
    for path in ("/lacak/", "/lacak/surat/"):
        for value in HOSTILE:
            response = client.get(path, query_string={"kode": value})
            text = response.get_data(as_text=True)
            assert response.status_code in (400, 404), (path, value, response.status_code)
            assert not any(word in text for word in ENGLISH), (path, value)


def test_the_guessing_limit_is_read_from_the_environment(app, db_config, monkeypatch):
    """A production host sets it in its environment file (deploy/pengaduan.env.example), as
    the README's settings say: the app reads it there, not only from its config."""
    from tests.conftest import make_app

    monkeypatch.setenv("TRACK_MAX_FAILURES", "2")
    host = make_app(db_config)
    client = host.test_client()
    answers = [client.get("/lacak/", query_string={"kode": f"KX7M2QPA9RT{c}"}).status_code
               for c in "EFG"]  # fmt: skip
    assert answers == [404, 404, 429]
    with host.app_context():
        db.session.remove()
        db.engine.dispose()
