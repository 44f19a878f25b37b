"""Hostile input through the registration form and a step form: stored and shown as text in
the list, the complaint page, the export and the printed documents; limits enforced with an
Indonesian message; nothing half-saved."""

import csv
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from admin_views.complaint_export import EXPORT_HEADERS
from models import Complaint, StepRecord, db
from tests.workflow_helpers import SOP_50_WALK, registration

# Text an attacker (or an unlucky citizen) might type; every one must come back as typed.
CORPUS = {
    "script": "<script>alert('x')</script>",
    "event handler": '"><img src=x onerror=alert(1)>',
    "javascript link": "javascript:alert(document.cookie)",
    "csv formula": '=HYPERLINK("http://evil.example","klik")',
    "plus formula": "+62 812-3456-7890",
    "minus formula": "-2+3+cmd|' /C calc'!A0",
    "at formula": "@SUM(A1:A9)",
    "right-to-left": "Pengaduan \u202etxt.exe\u202c tentang izin",
    "emoji": "Mohon bantuan 🙏🏽 izin usaha 🇮🇩",
    "quotes and ampersand": 'Izin "PT Maju & Jaya" <tidak> terbit',
    "template syntax": "{{ config }} {% raw %} ${7*7}",
}
# Control characters are dropped; NUL would break PostgreSQL and means nothing to a reader.
CONTROLS = "Izin\x00 usaha\x07 belum\x1b[31m terbit"


def _register(app, auth, **fields):
    with app.app_context():
        data = registration("kantor", **fields)
    return auth.post("/admin/pengaduan/registrasi/", data)


def _export(client):
    response = client.get("/admin/pengaduan/ekspor/csv/")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    response.close()
    return rows


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_text_is_kept_and_shown_only_as_text(app, client, auth, name):
    text = CORPUS[name]
    auth.login("fo")
    response = _register(app, auth, subject=text[:300], description=text,
                         complainant_name=text[:200])  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        assert complaint.subject == text and complaint.description == text
        cid = complaint.id
    for url in ("/admin/pengaduan/", f"/admin/pengaduan/details/?id={cid}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "{{ config }}" not in text or "{{ config }}" in page  # not evaluated
    subject = _export(client)[1][EXPORT_HEADERS.index("Pokok pengaduan")]
    assert subject in (text, "'" + text)  # a formula gets an apostrophe, nothing else changes
    assert subject[0] not in "=+-@"
    auth.logout()
    auth.login("kadis")
    page = client.get(f"/admin/antrian/kadis/details/?id={cid}").get_data(as_text=True)
    assert "<script>alert" not in page
    with app.app_context():
        record = db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == cid, StepRecord.document.is_not(None)))  # fmt: skip
    if record:
        pdf = client.get(f"/admin/pengaduan/dokumen/{record}?id={cid}")
        words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)

        def visible(s):
            return "".join(ch for ch in s if ch.isascii() and not ch.isspace())

        assert visible(text)[:10] in visible(words)


def test_control_characters_are_dropped_not_stored(app, client, auth):
    auth.login("fo")
    assert _register(app, auth, subject=CONTROLS, description=CONTROLS).status_code == 302
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        assert complaint.subject == "Izin usaha belum[31m terbit"
        assert "\x00" not in complaint.description


@pytest.mark.parametrize(("field", "size", "message"), [
    ("subject", 301, "tidak boleh lebih dari 300 karakter"),
    ("complainant_name", 201, "tidak boleh lebih dari 200 karakter"),
    ("description", 20001, "tidak boleh lebih dari 20000 karakter"),
])  # fmt: skip
def test_over_long_text_is_refused_with_a_message_and_nothing_saved(
    app, client, auth, field, size, message
):
    auth.login("fo")
    response = _register(app, auth, **{field: "x" * size})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 0
        assert db.session.scalar(select(func.count(StepRecord.id))) == 0


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(("name", "stored"), [
    ("../../etc/passwd.png", "etc_passwd.png"),
    ("..\\..\\windows\\system32.png", None),
    ("<script>alert(1)</script>.png", "scriptalert1_script.png"),
    ("laporan.exe", "laporan.png"),  # the name follows what the content is
    ("a" * 300 + ".png", None),
])  # fmt: skip
def test_oddly_named_uploads_are_stored_under_a_safe_name(app, client, auth, name, stored):
    from models import Attachment

    auth.login("fo")
    with app.app_context():
        data = registration("kantor")
    data["attachments"] = [(io.BytesIO(PNG), name)]
    response = auth.post("/admin/pengaduan/registrasi/", data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        filename, aid, cid = attachment.filename, attachment.id, attachment.complaint_id
    assert "/" not in filename and "\\" not in filename and ".." not in filename
    assert len(filename) <= 204 and filename.endswith(".png")
    if stored:
        assert filename == stored
    download = client.get(f"/admin/pengaduan/lampiran/{aid}?id={cid}")
    assert download.status_code == 200 and download.data == PNG
    disposition = download.headers["Content-Disposition"]
    assert "/" not in disposition and "<" not in disposition


def test_more_than_five_files_are_refused_and_nothing_saved(app, client, auth):
    auth.login("fo")
    with app.app_context():
        data = registration("kantor")
    data["attachments"] = [(io.BytesIO(PNG), f"foto{i}.png") for i in range(6)]
    response = auth.post("/admin/pengaduan/registrasi/", data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Paling banyak 5 berkas lampiran." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_a_database_error_reaches_the_official_as_a_message_not_sql(app, client, auth, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from tests.workflow_helpers import FORMS, register_complaint

    with app.app_context():
        complaint = register_complaint("kantor")
        cid, version = complaint.id, complaint.version
        form = FORMS["arahan"]()

    def locked(*_args, **_kwargs):
        raise OperationalError("UPDATE complaint SET version=? WHERE complaint.id = ?", {},
                               Exception("database is locked"))  # fmt: skip

    monkeypatch.setattr("admin_views.complaint_page.advance", locked)
    auth.login("kadis")
    response = auth.post(f"/admin/antrian/kadis/aksi/?id={cid}",
                         {**form, "outcome": "arahan", "version": version},
                         form_page=f"/admin/antrian/kadis/details/?id={cid}")  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Basis data sedang sibuk" in page and "belum tersimpan" in page
    assert "UPDATE" not in page and "locked" not in page
    with app.app_context():
        assert db.session.get(Complaint, cid).current_actor == "kadis"


# One string with a bit of everything, short enough for the shortest text field (100).
HOSTILE = (
    "<script>alert('x')</script>\"><img src=x onerror=alert(1)>=SUM(A1)"
    "\u202eexe\u202c🙏🏽{{ config }}\x00\x07"
)
TEXT_FIELDS = {"instruction", "matter", "facts", "analysis", "conclusion", "recommendation",
               "place", "agenda", "discussion", "considerations", "note", "subject", "enclosure",
               "addressee", "addressee_place", "body", "copies"}  # fmt: skip


def _visible(s):
    return "".join(ch for ch in s if ch.isascii() and not ch.isspace())


def test_hostile_text_through_every_step_form_is_kept_and_printed_as_text(app, client, auth):
    """SOP.50 from registration to selesai with the string in every free-text field of every
    step: stored without the control characters, escaped on every page, printed as text."""
    from tests.workflow_helpers import FORMS, register_complaint

    expected = HOSTILE.replace("\x00", "").replace("\x07", "")
    with app.app_context():
        cid = register_complaint("media_sosial").id
    for username, queue, outcome in SOP_50_WALK:
        with app.app_context():
            form = {k: (HOSTILE if k in TEXT_FIELDS else v) for k, v in FORMS[outcome]().items()}
            version = db.session.get(Complaint, cid).version
        auth.login(username)
        page_url = f"/admin/antrian/{queue}/details/?id={cid}"
        response = auth.post(f"/admin/antrian/{queue}/aksi/?id={cid}",
                             {**form, "outcome": outcome, "version": version},
                             form_page=page_url)  # fmt: skip
        assert response.status_code == 302, (outcome, response.get_data(as_text=True)[-800:])
        auth.logout()
    auth.login("kadis")
    page = client.get(f"/admin/pengaduan/details/?id={cid}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page
    with app.app_context():
        records = db.session.scalars(select(StepRecord).where(
            StepRecord.complaint_id == cid).order_by(StepRecord.seq)).all()  # fmt: skip
        stored = [
            x
            for r in records
            for k, v in (r.data or {}).items()
            if k in TEXT_FIELDS
            for x in (v if isinstance(v, list) else [v])
        ]  # copies: one per line
        documents = [r.id for r in records if r.document and r.document != "buku_registrasi"]
    assert len(stored) >= 20 and set(stored) == {expected}
    assert len(documents) >= 7  # disposisi, perintah, undangan, berita acara, resume, surat …
    for record in documents:
        pdf = client.get(f"/admin/pengaduan/dokumen/{record}?id={cid}")
        assert pdf.status_code == 200, record
        words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
        assert _visible("<script>alert('x')</script>") in _visible(words), record


@pytest.mark.parametrize(("outcome", "field", "size", "message"), [
    ("arahan", "instruction", 5001, "tidak boleh lebih dari 5000 karakter"),
    ("rakor", "place", 201, "tidak boleh lebih dari 200 karakter"),
    ("jawab", "body", 20001, "tidak boleh lebih dari 20000 karakter"),
    ("jawab", "enclosure", 101, "tidak boleh lebih dari 100 karakter"),
])  # fmt: skip
def test_over_long_step_text_is_refused_with_a_message_and_nothing_moves(
        app, client, auth, outcome, field, size, message):  # fmt: skip
    from tests.workflow_helpers import FORMS, act, register_complaint

    with app.app_context():
        complaint = register_complaint("curhat_ning_ita" if outcome == "jawab" else "media_sosial")
        if outcome != "arahan":  # to the Kasi
            act(complaint, "kadis", "arahan")
            act(complaint, "kabid", "perintah_kasi")
        cid, actor, version = complaint.id, complaint.current_actor, complaint.version
        form = {**FORMS[outcome](), field: "x" * size}
        before = db.session.scalar(select(func.count(StepRecord.id)))
    username = {"kadis": "kadis", "kasi": "kasi", "kabid": "kabid"}[actor]
    auth.login(username)
    queue = f"/admin/antrian/{username}/"
    response = auth.post(f"{queue}aksi/?id={cid}", {**form, "outcome": outcome,
                                                    "version": version},
                         form_page=f"{queue}details/?id={cid}")  # fmt: skip
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Isian belum lengkap" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(StepRecord.id))) == before
        complaint = db.session.get(Complaint, cid)
        assert (complaint.current_actor, complaint.version) == (actor, version)
