"""The way around the office (issue 19, first pieces): a complaint that has left a queue says
where it went, the front office registers from the menu and the home page, a wrong method is
answered in Indonesian."""

from sqlalchemy import select

from models import Complaint, db
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
    assert wrong.status_code == 405 and "Buka halamannya dari menu" in text
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
