"""The way around the office (issue 19, first pieces): a complaint that has left a queue says
where it went, the front office registers from the menu and the home page, a wrong method is
answered in Indonesian."""

import re

from sqlalchemy import select

from models import Complaint, db
from models.workflow import offered_outcomes
from tests.conftest import PASSWORD
from tests.test_closing import PAGE, _switch
from tests.workflow_helpers import act, register_complaint


def test_a_complaint_that_left_the_queue_says_where_it_went(app, client, auth):
    with app.app_context():
        c = register_complaint()
        act(c, "kadis", "arahan")
        cid, number = c.id, c.reg_number
    auth.login("kadis")  # an old bookmark of his queue's page
    moved = client.get(f"/admin/antrian/kadis/details/?id={cid}")
    text = moved.get_data(as_text=True)
    assert moved.status_code == 404 and 'id="sudah-berpindah"' in text and number in text
    assert "Menunggu tindak lanjut Kabid" in text and PAGE.format(cid) in text
    _switch(auth, "teknis1")  # who does not read the register learns nothing
    hidden = client.get(f"/admin/antrian/tim-teknis/details/?id={cid}")
    assert hidden.status_code == 404 and number not in hidden.get_data(as_text=True)


def test_the_front_office_registers_from_the_menu_and_the_home_page(client, auth):
    auth.login("fo")
    home = client.get("/admin/").get_data(as_text=True)
    assert home.count('href="/admin/antrian/fo/registrasi/"') >= 2  # the menu and the button
    _switch(auth, "kasi")
    assert 'href="/admin/antrian/fo/registrasi/"' not in client.get("/admin/").get_data(
        as_text=True
    )


def test_a_wrong_method_is_answered_in_indonesian(client, auth):
    auth.login("kasi")
    wrong = client.get("/admin/pengaduan/gabung/?id=1")
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 405 and "buka dari menu" in text
    assert "Method Not Allowed" not in text


def test_after_acting_the_official_lands_on_the_next_thing_to_do(app, client, auth):
    """The same complaint when its next stage is theirs too (the Kepala Dinas studies the
    resume, then instructs: steps 8 → 9 of SOP.50), otherwise the next complaint of their
    queue, otherwise the queue; the saved action is confirmed on arrival."""
    from tests.conftest import csrf_token
    from tests.workflow_helpers import FORMS, SOP_50_WALK

    with app.app_context():
        first, second = register_complaint(subject="Satu"), register_complaint(subject="Dua")
        for who, _queue, outcome in SOP_50_WALK[:5]:  # to the Kadis's study of the resume
            act(first, who, outcome)
        ids = first.id, second.id, first.version, second.version
        numbers = first.reg_number, second.reg_number
    auth.login("kadis")
    queue = "/admin/antrian/kadis/"

    def do(cid, version, outcome):
        page = f"{queue}details/?id={cid}"
        with app.app_context():
            form = FORMS[outcome]()
        data = {**form, "outcome": outcome, "version": version,
                "csrf_token": csrf_token(client, page)}  # fmt: skip
        return client.post(f"{queue}aksi/?id={cid}", data=data)

    studied = do(ids[0], ids[2], "dipelajari")
    assert studied.location.endswith(f"details/?id={ids[0]}")  # step 9 is his as well
    landed = client.get(studied.location).get_data(as_text=True)
    assert "Tersimpan" in landed and numbers[0] in landed
    with app.app_context():
        version = db.session.get(Complaint, ids[0]).version
    instructed = do(ids[0], version, "perintah_kabid")
    assert instructed.location.endswith(f"details/?id={ids[1]}")  # the next in his queue
    disposed = do(ids[1], ids[3], "arahan")
    assert disposed.location.endswith(queue)  # nothing else waits


def test_forms_say_what_they_need_before_they_are_sent(app, client, auth):
    """Required fields are marked on the form; the disposition's boxes say that one must be
    ticked; a form sent without a tick says it once (issue 19 item 5)."""
    import re

    from tests.conftest import csrf_token

    with app.app_context():
        c = register_complaint()
        cid, version = c.id, c.version
    auth.login("fo")
    form = client.get("/admin/antrian/fo/registrasi/").get_data(as_text=True)
    assert re.search(r'Pokok pengaduan</label><span class="required-mark"', form)
    assert not re.search(r'Alamat</label><span class="required-mark"', form)
    _switch(auth, "kadis")
    page = f"/admin/antrian/kadis/details/?id={cid}"
    shown = client.get(page).get_data(as_text=True)
    assert re.search(r'Dengan hormat harap<span class="required-mark"[^>]*> \*</span></legend>\s*'
                     r'<small[^>]*>Centang sedikitnya satu\.', shown)  # fmt: skip
    sent = client.post(f"/admin/antrian/kadis/aksi/?id={cid}", data={
        "outcome": "arahan", "version": version, "sifat": "Biasa", "instruction": "Segera.",
        "csrf_token": csrf_token(client, page)})  # fmt: skip
    assert sent.status_code == 400
    assert sent.get_data(as_text=True).count("Centang sedikitnya satu isian") == 1


def test_the_kadis_filters_his_queue_by_step(app, client, auth):
    """New dispositions apart from resumes to study (issue 19 item 6): a filter of the queue by
    the open step, its choices the steps that wait on him (read from the SOP data)."""
    import json
    import re

    from models import Sop, SopStep
    from tests.workflow_helpers import SOP_50_WALK

    with app.app_context():
        new, studied = register_complaint(subject="Baru"), register_complaint(subject="Resume")
        for who, _queue, outcome in SOP_50_WALK[:5]:  # to the Kadis's study of the resume
            act(studied, who, outcome)
        sop = db.session.get(Sop, studied.sop_id)
        steps = {s.no: s.short_name for s in db.session.scalars(select(SopStep).where(
            SopStep.sop_id == sop.id, SopStep.actor == "kadis"))}  # fmt: skip
        at = (new.current_step_no, studied.current_step_no)
        numbers = (new.reg_number, studied.reg_number)
    assert set(at) <= set(steps) and at[0] != at[1]
    auth.login("kadis")
    queue = client.get("/admin/antrian/kadis/").get_data(as_text=True)
    arg = re.search(r'"Langkah": \[\{"arg": "(\d+)"', queue).group(1)
    for no in steps:  # offered (in the filters' JSON)
        assert json.dumps([f"{sop.code}:{no}", f"{sop.code} · {no}. {steps[no]}"]) in queue
    for (step, number), other in zip(zip(at, numbers, strict=True), reversed(numbers), strict=True):
        rows = client.get(f"/admin/antrian/kadis/?flt0_{arg}={sop.code}:{step}").get_data(
            as_text=True)  # fmt: skip
        assert number in rows and other not in rows


# --- typed work is never lost; one form at a time (issue 19 items 1 and 2) ----------------------

FORM_TAG = re.compile(r"<form [^>]*data-outcome=\"([a-z_]+)\"[^>]*>")


def _shown_forms(html: str) -> list[str]:
    """The outcomes whose step form the page shows (not hidden until chosen)."""
    return [m.group(1) for m in FORM_TAG.finditer(html) if " hidden" not in m.group(0)]


def _drawn_forms(html: str) -> list[str]:
    return [m.group(1) for m in FORM_TAG.finditer(html)]


def test_a_step_offers_its_outcomes_as_a_choice_and_shows_one_form(app, client, auth):
    from tests.conftest import csrf_token
    from tests.workflow_helpers import FORMS

    with app.app_context():
        c = register_complaint()
        offered = [o.code for o in offered_outcomes(c)]
        labels = [o.label for o in offered_outcomes(c)]
        cid, version = c.id, c.version
    assert len(offered) > 1  # the SOP's disposition step: a choice to make
    auth.login("kadis")
    page = f"/admin/antrian/kadis/details/?id={cid}"
    html = client.get(page).get_data(as_text=True)
    assert _drawn_forms(html) == offered and _shown_forms(html) == offered[:1]
    start = html.index('id="pilih-hasil"')
    choice = html[start : html.index("</nav>", start)]
    assert all(label in choice for label in labels)
    other = client.get(f"{page}&hasil={offered[1]}").get_data(as_text=True)
    assert _shown_forms(other) == [offered[1]]  # chosen: only that one
    assert _shown_forms(client.get(f"{page}&hasil=tidak-ada").get_data(as_text=True)) == \
        offered[:1]  # fmt: skip
    with app.app_context():
        empty = {k: "" for k in FORMS[offered[1]]()}
    failed = client.post(f"/admin/antrian/kadis/aksi/?id={cid}", data={
        **empty, "outcome": offered[1], "version": version,
        "csrf_token": csrf_token(client, page)})  # fmt: skip
    assert failed.status_code == 400
    assert _shown_forms(failed.get_data(as_text=True)) == [offered[1]]  # its errors in view


def test_a_form_sent_after_the_session_ended_comes_back_after_logging_in(app, client, auth):
    """The Kasi types a letter, goes to lunch, clicks Simpan: the login page says the typed
    text is kept, and logging in leads back to the complaint's page (not the form's address,
    which only takes a POST); the browser's draft fills it there (the Chromium test)."""
    from tests.conftest import csrf_token

    with app.app_context():
        c = register_complaint()
        cid = c.id
    auth.login("kadis")
    page = f"/admin/antrian/kadis/details/?id={cid}"
    token = csrf_token(client, page)
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60
    sent = client.post(f"/admin/antrian/kadis/aksi/?id={cid}", headers={
        "Referer": f"http://localhost{page}"}, data={"outcome": "arahan", "_kept": "1",
        "instruction": "Segera jawab pengadu.", "csrf_token": token})  # fmt: skip
    assert sent.status_code == 302 and "/login" in sent.location
    login = client.get(sent.location).get_data(as_text=True)
    assert "Sesi Anda berakhir" in login and "tidak hilang" in login
    token = csrf_token(client, sent.location)
    back = client.post(sent.location, data={"username": "kadis", "password": PASSWORD,
                                            "csrf_token": token})  # fmt: skip
    assert back.location == page  # the form's page, where the draft is restored
    html = client.get(page).get_data(as_text=True)
    assert 'data-draft="aksi:' in html and '<meta name="draft-owner"' in html


def test_a_form_whose_token_is_gone_offers_the_way_back_in_indonesian(app, client, auth):
    with app.app_context():
        c = register_complaint()
        cid = c.id
    auth.login("kadis")
    page = f"/admin/antrian/kadis/details/?id={cid}"
    client.get(page)
    client.delete_cookie("session")  # the cookie lost: no session, no CSRF token
    sent = client.post(f"/admin/antrian/kadis/aksi/?id={cid}", headers={
        "Referer": f"http://localhost{page}"},
        data={"outcome": "arahan", "_kept": "1"})  # fmt: skip
    text = sent.get_data(as_text=True)
    assert sent.status_code == 400 and "CSRF" not in text and "tidak hilang" in text
    unkept = client.post(f"/admin/antrian/kadis/aksi/?id={cid}", headers={
        "Referer": f"http://localhost{page}"}, data={"outcome": "arahan"})  # fmt: skip
    assert "tidak hilang" not in unkept.get_data(as_text=True)  # a form no browser keeps
    link = re.search(r'id="kembali-ke-formulir" href="([^"]+)"', text).group(1)
    assert link.startswith("/login?next=") and f"details/?id%3D{cid}" in link.replace("%2F", "/")
    elsewhere = client.post(f"/admin/antrian/kadis/aksi/?id={cid}", headers={
        "Referer": "http://evil.example/admin/"}, data={"outcome": "arahan"})  # fmt: skip
    assert "evil.example" not in elsewhere.get_data(as_text=True)  # never another site


def test_the_second_tab_that_loses_the_race_keeps_the_typed_text(app, client, auth):
    """Two tabs of the Kepala Dinas's queue: the first disposes; the second's letter text
    is shown back to copy, beside who acted first, instead of being dropped."""
    from tests.conftest import csrf_token

    with app.app_context():
        c = register_complaint()
        cid, version = c.id, c.version
    auth.login("kadis")
    with app.app_context():
        act(db.session.get(Complaint, cid), "kadis", "arahan")  # the other tab, first
    typed = "Mohon Kabid menelaah persyaratan NIB pengadu dan melapor besok."
    late = client.post(f"/admin/antrian/kadis/aksi/?id={cid}", data={
        "outcome": "arahan", "version": version, "instruction": typed,
        "csrf_token": csrf_token(client, "/admin/")})  # fmt: skip
    text = late.get_data(as_text=True)
    assert late.status_code == 409 and 'id="isian-anda"' in text and typed in text
    assert "sudah ditindaklanjuti oleh" in text


def test_a_saved_action_tells_the_browser_to_forget_its_draft(app, client, auth):
    from tests.conftest import csrf_token
    from tests.workflow_helpers import FORMS

    with app.app_context():
        c = register_complaint()
        cid, version = c.id, c.version
        form = FORMS["arahan"]()
    auth.login("kadis")
    page = f"/admin/antrian/kadis/details/?id={cid}"
    done = client.post(f"/admin/antrian/kadis/aksi/?id={cid}", data={
        **form, "outcome": "arahan", "version": version,
        "csrf_token": csrf_token(client, page)})  # fmt: skip
    landed = client.get(done.location).get_data(as_text=True)
    assert f'<meta name="drafts-saved" content="aksi:{cid}:">' in landed
    assert "drafts-saved" not in client.get("/admin/").get_data(as_text=True)  # told once


def test_the_registration_form_is_kept_as_a_draft_until_it_is_saved(app, client, auth):
    from tests.workflow_helpers import registration

    auth.login("fo")
    form_page = "/admin/antrian/fo/registrasi/"
    assert 'data-draft="registrasi:meja"' in client.get(form_page).get_data(as_text=True)
    with app.app_context():
        data = registration()
    done = auth.post(form_page, data)
    assert done.status_code == 302
    landed = client.get(done.location).get_data(as_text=True)
    assert '<meta name="drafts-saved" content="registrasi:meja">' in landed
