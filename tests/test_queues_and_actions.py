"""The officials' queues, the complaint page and its actions, through the HTTP stack."""

import re

import pytest
from sqlalchemy import select

from models import Attachment, Complaint, db
from models.workflow import step_numbers
from tests.workflow_helpers import (
    FORMS,
    SOP_50_WALK,
    act,
    closing,
    register_complaint,
    registration,
)

QUEUES = {
    "kadis": "/admin/antrian/kadis/",
    "kabid": "/admin/antrian/kabid/",
    "kasi": "/admin/antrian/kasi/",
    "teknis1": "/admin/antrian/tim-teknis/",
    "fo": "/admin/antrian/fo/",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%demo\n"


def _reg_numbers(html: str) -> set[str]:
    return set(re.findall(r"\d{4}/PGD/417\.514\.3/\d{4}", html))


@pytest.fixture
def office(app):
    """Four complaints waiting on the Kadis, Kabid, Kasi and Tim Teknis (teknis1, teknis2)."""
    with app.app_context():
        at_kadis = register_complaint("curhat_ning_ita")
        at_kabid = register_complaint("media_sosial")
        act(at_kabid, "kadis", "arahan")
        at_kasi = register_complaint("kantor")
        act(at_kasi, "kadis", "arahan")
        act(at_kasi, "kabid", "perintah_kasi")
        at_team = register_complaint("media_sosial")
        for who, outcome in [("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "rakor")]:
            act(db.session.get(Complaint, at_team.id), who, outcome)
        return {
            k: (c.id, c.reg_number)
            for k, c in {
                "kadis": at_kadis,
                "kabid": at_kabid,
                "kasi": at_kasi,
                "team": at_team,
            }.items()
        }


def test_each_queue_shows_exactly_its_complaints(client, auth, office):
    expected = {
        "kadis": {office["kadis"][1]},
        "kabid": {office["kabid"][1], office["team"][1]},  # the Kabid leads the meeting
        "kasi": {office["kasi"][1]},
        "teknis1": {office["team"][1]},
        "fo": set(),
    }
    for username, url in QUEUES.items():
        auth.login(username)
        response = client.get(url)
        assert response.status_code == 200, url
        assert _reg_numbers(response.get_data(as_text=True)) == expected[username], username
        auth.logout()


def test_a_team_member_not_invited_sees_an_empty_queue(client, auth, office):
    auth.login("teknis3")
    html = client.get("/admin/antrian/tim-teknis/").get_data(as_text=True)
    assert _reg_numbers(html) == set()
    page = client.get(f"/admin/antrian/tim-teknis/details/?id={office['team'][0]}")
    assert page.status_code == 404


@pytest.mark.parametrize("username", ["fo", "kadis", "kabid", "kasi", "teknis1", "admin"])
def test_another_roles_queue_answers_403(client, auth, username):
    auth.login(username)
    own = QUEUES.get(username)
    for url in QUEUES.values():
        if url == own:
            continue
        if username == "kabid" and url == QUEUES["teknis1"]:
            continue
        assert client.get(url).status_code == 403, (username, url)


def test_the_team_never_opens_the_all_complaints_list(client, auth, office):
    auth.login("teknis1")
    assert client.get("/admin/pengaduan/").status_code == 403
    assert client.get(f"/admin/pengaduan/details/?id={office['team'][0]}").status_code == 403


@pytest.mark.parametrize("username", ["fo", "kadis", "kabid", "kasi", "admin"])
def test_the_all_complaints_list_shows_everything_to_the_register_keepers(
    client, auth, office, username
):
    auth.login(username)
    html = client.get("/admin/pengaduan/").get_data(as_text=True)
    assert _reg_numbers(html) == {n for _, n in office.values()}


def test_get_one_refuses_another_queues_complaint(client, auth, office):
    auth.login("kadis")
    assert client.get(f"/admin/antrian/kadis/details/?id={office['kadis'][0]}").status_code == 200
    for other in ("kabid", "kasi", "team"):
        url = f"/admin/antrian/kadis/details/?id={office[other][0]}"
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("query", ["?id=1,2", "?id=abc", "?id=-1", "?id=99999", ""])
def test_forged_ids_are_refused_without_500(client, auth, office, query):
    auth.login("kadis")
    assert client.get(f"/admin/antrian/kadis/details/{query}").status_code == 404
    assert client.get(f"/admin/pengaduan/details/{query}").status_code == 404


def _post_action(auth, view_url, complaint_id, outcome, data, version=None):
    page = f"{view_url}details/?id={complaint_id}"
    form = {"outcome": outcome, **data}
    if version is not None:
        form["version"] = str(version)
    return auth.post(f"{view_url}aksi/?id={complaint_id}", form, form_page=page)


def _forms(app, outcome):
    with app.app_context():
        return FORMS[outcome]()


def test_kadis_disposes_from_the_queue_and_the_complaint_moves_on(app, client, auth, office):
    cid = office["kadis"][0]
    auth.login("kadis")
    page = client.get(f"/admin/antrian/kadis/details/?id={cid}").get_data(as_text=True)
    assert "Simpan: Arahan tindak lanjut" in page and "Simpan: Minta pendapat Kabid PKPL" in page
    response = _post_action(auth, "/admin/antrian/kadis/", cid, "arahan", _forms(app, "arahan"))
    assert response.status_code == 302
    with app.app_context():
        c = db.session.get(Complaint, cid)
        assert c.current_step_no == 4 and c.current_actor == "kabid"
        assert step_numbers(c) == [1, 2, 3]
    queue = client.get("/admin/antrian/kadis/").get_data(as_text=True)
    assert "Tersimpan" in queue  # the saved action, confirmed where he lands
    rows = queue[queue.index('class="table') :]  # the queue's rows, after the confirmation
    assert office["kadis"][1] not in rows


def test_a_role_posting_anothers_step_gets_403_and_nothing_changes(app, client, auth, office):
    cid = office["kadis"][0]
    auth.login("kasi")
    response = _post_action(auth, "/admin/pengaduan/", cid, "arahan", _forms(app, "arahan"))
    assert response.status_code == 403
    assert "Menunggu disposisi Kepala Dinas" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Complaint, cid).current_step_no == 3


def test_the_page_says_why_no_action_is_offered(client, auth, office):
    auth.login("kabid")
    html = client.get(f"/admin/pengaduan/details/?id={office['kadis'][0]}").get_data(as_text=True)
    assert "Menunggu disposisi Kepala Dinas" in html
    assert 'name="outcome"' not in html


def test_a_second_official_acting_on_a_loaded_page_is_told_who_acted(app, client, auth, office):
    cid = office["kadis"][0]
    with app.app_context():
        version = db.session.get(Complaint, cid).version
    auth.login("kadis")
    first = _post_action(auth, "/admin/antrian/kadis/", cid, "arahan", _forms(app, "arahan"),
                         version=version)  # fmt: skip
    assert first.status_code == 302
    again = _post_action(auth, "/admin/pengaduan/", cid, "minta_pendapat",
                         _forms(app, "minta_pendapat"), version=version)  # fmt: skip
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "Sudah ditindaklanjuti oleh Dr. Bambang Hariyanto" in html
    with app.app_context():
        c = db.session.get(Complaint, cid)
        assert step_numbers(c) == [1, 2, 3] and c.current_step_no == 4


def test_bad_action_input_is_explained_and_nothing_moves(app, client, auth, office):
    cid = office["kadis"][0]
    auth.login("kadis")
    response = _post_action(auth, "/admin/antrian/kadis/", cid, "arahan",
                            {**_forms(app, "arahan"), "instruction": ""})  # fmt: skip
    assert response.status_code == 400
    assert "Catatan disposisi wajib diisi." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Complaint, cid).current_step_no == 3


def test_history_cannot_be_edited_or_deleted_through_any_url(app, client, auth, office):
    auth.login("admin")
    for rule in app.url_map.iter_rules():
        assert "step_record" not in rule.rule and "riwayat/edit" not in rule.rule
    for path, on_get in (("/admin/pengaduan/edit/?id=1", 302), ("/admin/pengaduan/delete/", 405),
                         ("/admin/pengaduan/new/", 302)):  # fmt: skip
        assert client.get(path).status_code == on_get, path


def test_fo_registers_with_attachments_through_the_form(app, client, auth):
    auth.login("fo")
    with app.app_context():
        data = registration("media_sosial")
    data["attachments"] = [(__import__("io").BytesIO(PNG), "tangkapan layar.png"),
                           (__import__("io").BytesIO(PDF), "surat.pdf")]  # fmt: skip
    response = auth.post("/admin/pengaduan/registrasi/", data,
                         content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        c = db.session.scalar(select(Complaint))
        assert c.sop.code == "SOP.50" and c.current_step_no == 3
        names = sorted(a.filename for a in c.attachments)
        assert names == ["surat.pdf", "tangkapan_layar.png"]
        attachment = db.session.scalar(select(Attachment).where(Attachment.filename == "surat.pdf"))
        cid, aid = c.id, attachment.id
    download = client.get(f"/admin/pengaduan/lampiran/{aid}?id={cid}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 not an image", "foto.png", "bukan gambar (PNG/JPEG/GIF) atau PDF"),
        (b"<html><script>alert(1)</script>", "x.pdf", "bukan gambar"),
        (b"%PDF-" + b"0" * (200 * 1024), "besar.pdf", "melebihi 5 MB"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(
    app, client, auth, content, name, message, monkeypatch
):
    import io

    # A 100 KB limit stands in for 5 MB: the test client spools bigger bodies to files it
    # never closes.
    monkeypatch.setattr("models.step_forms.MAX_FILE_BYTES", 100 * 1024)
    auth.login("fo")
    with app.app_context():
        data = registration("media_sosial")
    data["attachments"] = [(io.BytesIO(content), name)]
    response = auth.post("/admin/pengaduan/registrasi/", data,
                         content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Complaint.id))) == 0


@pytest.mark.parametrize("username", ["kadis", "kabid", "kasi", "teknis1", "admin"])
def test_only_the_front_office_registers(client, auth, username):
    auth.login(username)
    assert client.get("/admin/pengaduan/registrasi/").status_code == 403


def test_social_media_complaint_through_all_ten_steps_by_http(app, client, auth):
    """The story of the issue: each official acts from their own queue, to selesai."""
    auth.login("fo")
    with app.app_context():
        data = registration("media_sosial")
    assert auth.post("/admin/pengaduan/registrasi/", data).status_code == 302
    with app.app_context():
        cid = db.session.scalar(select(Complaint.id))
    auth.logout()
    for username, queue, outcome in SOP_50_WALK:
        auth.login(username)
        listing = client.get(f"/admin/antrian/{queue}/").get_data(as_text=True)
        assert "/PGD/" in listing, (username, outcome)
        response = _post_action(auth, f"/admin/antrian/{queue}/", cid, outcome,
                                _forms(app, outcome))  # fmt: skip
        assert response.status_code == 302, (username, outcome, response.get_data(as_text=True))
        auth.logout()
    with app.app_context():
        c = db.session.get(Complaint, cid)
        assert c.status == "closed"
        answer, dispatch = closing(c, "answer"), closing(c, "dispatch")
        assert step_numbers(c) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, answer, dispatch]
    auth.login("kadis")
    html = client.get(f"/admin/pengaduan/details/?id={cid}").get_data(as_text=True)
    assert "Selesai" in html and html.count("<tr>") >= 12


def test_queue_filters_overdue_and_channel(app, client, auth, office):
    from datetime import timedelta

    with app.app_context():
        c = db.session.get(Complaint, office["kadis"][0])
        c.due_at = c.due_at - timedelta(days=2)
        c.step_started_at = c.step_started_at - timedelta(days=2)
        db.session.commit()
        late_number = c.reg_number
        late = register_complaint("media_sosial").reg_number  # on time
    auth.login("kadis")
    html = client.get("/admin/antrian/kadis/").get_data(as_text=True)
    assert _reg_numbers(html) == {late_number, late}
    assert "Terlambat" in html
    overdue_index = _filter_index(html, "Terlambat")
    html = client.get(f"/admin/antrian/kadis/?flt0_{overdue_index}=1").get_data(as_text=True)
    assert _reg_numbers(html) == {late_number}


def _filter_index(html, name):
    match = re.search(r"\"" + name + r"\": \[\{\"arg\": \"(\d+)\"", html)
    assert match, name
    return match.group(1)


def test_queue_count_badge_in_the_menu(client, auth, office):
    auth.login("kabid")
    html = client.get("/admin/").get_data(as_text=True)
    assert re.search(r"Antrian Kabid\s*<span[^>]*queue-count[^>]*>2</span>", html)


def test_kadis_disposes_several_at_once_and_forged_ids_are_ignored(app, client, auth, office):
    with app.app_context():
        second = register_complaint("media_sosial")
        second_id = second.id
    mine = [office["kadis"][0], second_id]
    forged = [office["kasi"][0], office["team"][0], 987654]
    auth.login("kadis")
    response = auth.post("/admin/antrian/kadis/action/",
                         {"action": "bersama", "rowid": [str(i) for i in mine + forged]},
                         form_page="/admin/antrian/kadis/")  # fmt: skip
    assert response.status_code == 302
    target = response.headers["Location"]
    assert "/admin/antrian/kadis/bersama/" in target
    page = client.get(target).get_data(as_text=True)
    assert office["kasi"][1] not in page and office["kadis"][1] in page
    with app.app_context():
        data = FORMS["arahan"]()
    posted = auth.post("/admin/antrian/kadis/bersama/",
                       {**data, "outcome": "arahan",
                        "ids": ",".join(str(i) for i in mine + forged)},
                       form_page=target)  # fmt: skip
    assert posted.status_code == 302
    with app.app_context():
        for cid in mine:
            assert db.session.get(Complaint, cid).current_step_no == 4
        assert db.session.get(Complaint, office["kasi"][0]).current_step_no == 5
        assert db.session.get(Complaint, office["team"][0]).current_step_no == 6


def test_a_bulk_action_with_only_forged_ids_does_nothing(app, client, auth, office):
    auth.login("kadis")
    response = auth.post("/admin/antrian/kadis/bersama/",
                         {"ids": f"{office['kasi'][0]},1;DROP", "outcome": "arahan"},
                         form_page="/admin/antrian/kadis/")  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Complaint, office["kasi"][0]).current_step_no == 5


def test_a_tim_teknis_member_made_plh_kasi_works_as_the_kasi_everywhere(app, client, auth):
    """One access rule for pages, queues and the engine: the role held today, directly or by
    an acting appointment. The pages that checked only the user's own role refused him."""
    from datetime import timedelta

    from models import ActingAppointment
    from models.dates import today_wib
    from tests.workflow_helpers import act, user

    with app.app_context():
        teknis = user("teknis2")
        db.session.add(
            ActingAppointment(
                user_id=teknis.id,
                role="kasi",
                kind="Plh.",
                position="Plh. Kasi Monev dan Pengaduan",
                starts_on=today_wib() - timedelta(days=1),
                ends_on=today_wib() + timedelta(days=1),
            )
        )
        db.session.commit()
        complaint = register_complaint("media_sosial")
        act(complaint, "kadis", "arahan")
        act(complaint, "kabid", "perintah_kasi")
        cid = complaint.id
    auth.login("teknis2")
    today = today_wib()
    for url in (
        "/admin/antrian/kasi/",
        "/admin/pengaduan/",
        "/admin/rekap/",
        f"/admin/pengaduan/buku-registrasi/?first={today}&last={today}",
        f"/admin/pengaduan/details/?id={cid}",
    ):
        assert client.get(url).status_code == 200, url
    page = f"/admin/antrian/kasi/details/?id={cid}"
    assert "Hentikan jam sementara" in client.get(page).get_data(as_text=True)
    assert auth.post(f"/admin/antrian/kasi/jeda/?id={cid}", {"reason": "Menunggu data pengadu"},
                     form_page=page).status_code == 302  # fmt: skip
    with app.app_context():
        assert db.session.get(Complaint, cid).paused_at is not None
