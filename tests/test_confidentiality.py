"""Complainants' identities (Perpres 76/2013): masked where not needed, revealed only with a
logged reason, never to the Tim Teknis; confidential reports only to the officials on their path.
"""

import io

from pypdf import PdfReader
from sqlalchemy import select

from models import db
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
