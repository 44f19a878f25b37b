"""Text carried from step to step (issue 19 item 4): the Kabid's resume after a meeting starts
from its Berita Acara, the answer letter from a template the admin keeps by jenis (its
placeholders filled, a hidden identity never), and a draft of a step's form is kept on the
server to finish later."""

import html
import re

from sqlalchemy import func, select

from models import AnswerTemplate, Complaint, Jenis, StepDraft, db
from models.answer_templates import PLACEHOLDERS
from models.dates import format_date_long, to_wib
from models.workflow import offered_outcomes
from tests.conftest import csrf_token
from tests.test_closing import _switch
from tests.workflow_helpers import FORMS, SOP_50_WALK, act, register_complaint

KASI_PAGE = "/admin/antrian/kasi/details/?id={}"


def _to_the_kasis_letter(app, **registration):
    """A Curhat Ning Ita complaint (SOP.48) brought to the Kasi's written answer."""
    with app.app_context():
        c = register_complaint(channel="curhat_ning_ita", **registration)
        act(c, "kadis", "arahan")
        act(c, "kabid", "perintah_kasi")
        assert "jawab" in [o.code for o in offered_outcomes(c)]
        return c.id, c.version, c.reg_number, c.subject, to_wib(c.received_at)


def _textarea(page: str, name: str, prefix: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*id="{prefix}-{name}"[^>]*>(.*?)</textarea>'
                      rf'|<textarea[^>]*id="{prefix}-{name}"[^>]*name="{name}"[^>]*>(.*?)</textarea>',
                      page, re.S)  # fmt: skip
    assert found, f"no {name} in the {prefix} form"
    return html.unescape(found.group(1) or found.group(2) or "").strip()


def test_the_kabids_resume_starts_from_the_berita_acara(app, client, auth):
    with app.app_context():
        c = register_complaint()
        for who, _queue, outcome in SOP_50_WALK[:4]:  # to the Kabid's resume after the meeting
            act(c, who, outcome)
        minutes = FORMS["berita_acara"]()
        cid = c.id
    auth.login("kabid")
    page = client.get(f"/admin/antrian/kabid/details/?id={cid}").get_data(as_text=True)
    assert _textarea(page, "conclusion", "resume_ba") == minutes["conclusion"]
    assert _textarea(page, "analysis", "resume_ba") == minutes["considerations"]
    assert "Dari Berita Acara" in page


def test_the_answer_letter_starts_from_a_template_of_its_jenis(app, client, auth):
    cid, _version, number, subject, received = _to_the_kasis_letter(app)
    auth.login("kasi")
    page = client.get(KASI_PAGE.format(cid)).get_data(as_text=True)
    with app.app_context():
        jenis_id = db.session.get(Complaint, cid).jenis_id
        offered = db.session.scalars(
            select(AnswerTemplate).where(
                AnswerTemplate.active.is_(True),
                (AnswerTemplate.jenis_id == jenis_id) | AnswerTemplate.jenis_id.is_(None),
            )
        ).all()
        names = [t.name for t in offered]
        others = db.session.scalars(select(AnswerTemplate.name).where(
            AnswerTemplate.jenis_id != jenis_id)).all()  # fmt: skip
    assert names and all(html.escape(n) in page for n in names)
    assert not any(f">{html.escape(n)}" in page for n in others)  # other jenis: not offered
    bodies = [html.unescape(b) for b in re.findall(r'data-body="([^"]*)"', page)]
    assert bodies and all(number in b or subject in b for b in bodies)
    assert any(format_date_long(received) in b for b in bodies)
    assert not any("{" + name + "}" in b for b in bodies for name in PLACEHOLDERS)
    assert any("Sdr. " in b for b in bodies)


def test_a_template_never_names_a_complainant_the_writer_may_not_see(app, client, auth):
    cid, *_rest = _to_the_kasis_letter(app, complainant_name="Rahasia Sekali", is_confidential="y")
    auth.login("kasi")
    page = client.get(KASI_PAGE.format(cid)).get_data(as_text=True)
    bodies = [html.unescape(b) for b in re.findall(r'data-body="([^"]*)"', page)]
    assert bodies and "Rahasia Sekali" not in page
    assert any("Sdr. Pengadu" in b for b in bodies)


def test_the_admin_keeps_templates_and_unknown_placeholders_are_refused(app, client, auth):
    with app.app_context():
        saran = db.session.scalar(select(Jenis.id).where(Jenis.code == "saran"))
    auth.login("admin")
    form = {"code": "terima_kasih", "name": "Terima kasih atas saran", "jenis_id": str(saran),
            "subject": "Tanggapan {nomor}", "body": "Terima kasih {sapaan}, {nama_lengkap}.",
            "ordering": "9", "active": "y"}  # fmt: skip
    refused = auth.post("/admin/templat-jawaban/new/", form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Penanda tidak dikenal: {nama_lengkap}" in text
    assert 'value="Terima kasih atas saran"' in text  # what was typed stays
    done = auth.post("/admin/templat-jawaban/new/", {**form, "body": "Terima kasih {sapaan}."})
    assert done.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(AnswerTemplate).where(AnswerTemplate.code == "terima_kasih"))
        assert row.jenis_id == saran and row.body == "Terima kasih {sapaan}."
    history = client.get("/admin/riwayat-administrasi/").get_data(as_text=True)
    assert "Templat jawaban" in history and "Saran" in history


def test_a_draft_answer_is_kept_on_the_server_and_finished_later(app, client, auth):
    cid, version, *_rest = _to_the_kasis_letter(app)
    auth.login("kasi")
    page = KASI_PAGE.format(cid)
    half = "Dengan hormat, menindaklanjuti pengaduan Saudara, bagian pertama sudah ditulis."
    with app.app_context():
        letter = FORMS["jawab"]()
    saved = client.post(f"/admin/antrian/kasi/draf/?id={cid}", data={
        **letter, "body": half, "outcome": "jawab", "version": version,
        "csrf_token": csrf_token(client, page)})  # fmt: skip
    assert saved.status_code == 302 and "hasil=jawab" in saved.location
    back = client.get(saved.location).get_data(as_text=True)
    assert "Draf tersimpan" in back and 'id="draf-jawab"' in back
    assert _textarea(back, "body", "jawab") == half
    assert f'content="aksi:{cid}:jawab"' in back  # the browser's copy is forgotten
    home = client.get("/admin/").get_data(as_text=True)  # and her home lists it
    assert 'id="draf-anda"' in home and f"details/?id={cid}&amp;hasil=jawab" in home
    _switch(auth, "kadis")  # not his step: no draft of his
    assert client.post(f"/admin/antrian/kadis/draf/?id={cid}", data={
        "outcome": "jawab", "body": "x", "csrf_token": csrf_token(client, "/admin/")}
    ).status_code in (403, 404)  # fmt: skip
    with app.app_context():
        act(db.session.get(Complaint, cid), "kasi", "jawab")  # the letter is finished and sent
        assert db.session.scalar(select(func.count(StepDraft.id))) == 0


def test_a_draft_of_an_outcome_the_step_does_not_offer_is_refused(app, client, auth):
    cid, version, *_rest = _to_the_kasis_letter(app)
    auth.login("kasi")
    refused = client.post(f"/admin/antrian/kasi/draf/?id={cid}", data={
        "outcome": "arahan", "version": version, "instruction": "x",
        "csrf_token": csrf_token(client, KASI_PAGE.format(cid))})  # fmt: skip
    assert refused.status_code == 409
    assert "tidak tersedia pada langkah SOP saat ini" in refused.get_data(as_text=True)


def test_the_berita_acara_starts_with_the_invited_members_ticked(app, client, auth):
    """Those invited to the meeting are ticked as present; whoever was absent is unticked."""
    from models.actors import invitees

    with app.app_context():
        c = register_complaint()
        for who, _queue, outcome in SOP_50_WALK[:3]:  # to the meeting's Berita Acara
            act(c, who, outcome)
        invited = {u.id for u in invitees(c.id)}
        cid = c.id
    assert invited
    auth.login("teknis1")
    page = client.get(f"/admin/antrian/tim-teknis/details/?id={cid}").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*name="attendees"[^>]*>', page)
    assert len(boxes) > len(invited)  # the Kabid and the Kasi are offered too
    ticked = {int(re.search(r'value="(\d+)"', b).group(1)) for b in boxes if " checked" in b}
    assert ticked == invited


def test_a_draft_longer_than_any_form_takes_is_refused(app, client, auth):
    from models.workflow import DRAFT_MAX_CHARS

    cid, version, *_rest = _to_the_kasis_letter(app)
    auth.login("kasi")
    refused = client.post(f"/admin/antrian/kasi/draf/?id={cid}", data={
        "outcome": "jawab", "version": version, "body": "x" * (DRAFT_MAX_CHARS + 1),
        "csrf_token": csrf_token(client, KASI_PAGE.format(cid))})  # fmt: skip
    assert refused.status_code == 400 and "Draf belum tersimpan" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(StepDraft.id))) == 0
