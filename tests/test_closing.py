"""A complaint's life beside its SOP's steps: its class and overall limit (set at registration
or by the Kabid, reminded, counted), merging a duplicate into the complaint it repeats, and
forwarding one that is not the agency's to the agency it belongs to (the Surat Pelimpahan read
back from the PDF) — through the pages, on SQLite and PostgreSQL."""

import csv
import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from admin_views.complaint_export import EXPORT_HEADERS
from models import Complaint, ComplaintClass, OtherAgency, StepRecord, db
from models.calendar import load_calendar
from models.citizen_messages import CitizenMessage
from models.dates import to_wib
from models.duplicates import REASONS
from models.notifications import Notice, Notification, sweep
from models.recap import ANSWERED, build_recap, parse_period
from models.tracking import public_timeline
from models.types import utcnow
from models.workflow import history_of, step_numbers
from tests.workflow_helpers import SOP_50_WALK, act, register_complaint, user

PAGE = "/admin/pengaduan/details/?id={}"


def _class(code: str) -> ComplaintClass:
    return db.session.scalar(select(ComplaintClass).where(ComplaintClass.code == code))


def _agency(code: str = "dukcapil") -> OtherAgency:
    return db.session.scalar(select(OtherAgency).where(OtherAgency.code == code))


def _switch(auth, username: str) -> None:
    auth.logout()
    auth.login(username)


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# -- class and overall limit --------------------------------------------------------------------


def test_a_class_set_at_registration_gives_the_overall_due_moment_and_the_kabid_changes_it(
    app, client, auth
):
    with app.app_context():
        light, heavy = _class("ringan"), _class("berkadar")
        c = register_complaint(class_id=str(light.id))
        calendar = load_calendar()
        assert c.class_id == light.id
        assert c.class_due_at == calendar.add(c.received_at, {"working_days": light.limit_days})
        assert c.received_at < c.class_due_soon_at < c.class_due_at
        cid, version, heavy_id = c.id, c.version, heavy.id
        heavy_due = calendar.add(c.received_at, {"working_days": heavy.limit_days})
    auth.login("kasi")  # only the Kabid changes it, whatever the page shows
    assert auth.post(f"/admin/pengaduan/kelas/?id={cid}", {"class_id": heavy_id},
                     form_page="/admin/").status_code == 403  # fmt: skip
    _switch(auth, "kabid")
    page = client.get(PAGE.format(cid)).get_data(as_text=True)
    assert 'id="kelas"' in page and "Ringan" in page and 'action="/admin/pengaduan/kelas/' in page
    bad = auth.post(f"/admin/pengaduan/kelas/?id={cid}", {"class_id": "99999", "version": version},
                    form_page=PAGE.format(cid))  # fmt: skip
    assert bad.status_code == 400 and "Pilih kelas pengaduan" in bad.get_data(as_text=True)
    done = auth.post(f"/admin/pengaduan/kelas/?id={cid}", {"class_id": heavy_id,
                     "version": version}, form_page=PAGE.format(cid))  # fmt: skip
    assert done.status_code == 302
    with app.app_context():
        c = db.session.get(Complaint, cid)
        assert (c.class_id, c.class_due_at) == (heavy_id, heavy_due)
        record = db.session.scalar(select(StepRecord).where(StepRecord.complaint_id == cid)
                                   .order_by(StepRecord.seq.desc()).limit(1))  # fmt: skip
        assert record.phase == "class" and record.data["before"] == "Ringan"
        assert record.actor.username == "kabid" and c.status == "in_progress"
        # A class change finishes no step: the path taken and the citizen's timeline are as
        # they were (no step was taken after the registration).
        history = history_of(c)
        assert step_numbers(c, history) == step_numbers(c, history[:-1])
        stages = {s.label: s.at for s in public_timeline(c, history)}
        assert stages["Diregistrasi"] is not None and stages["Ditindaklanjuti"] is None


def test_the_overall_limit_is_reminded_when_near_and_escalated_when_passed(app):
    with app.app_context():
        c = register_complaint(class_id=str(_class("ringan").id))
        soon = c.class_due_soon_at + timedelta(minutes=1)
        calendar = load_calendar()
        while not calendar.is_open(soon):  # the sweep speaks while the office is open
            soon += timedelta(minutes=30)
        if soon >= c.class_due_at:
            soon = c.class_due_soon_at
        sweep(soon, calendar)
        soon_notes = db.session.scalars(select(Notification).where(
            Notification.complaint_id == c.id, Notification.subject.contains("segera tiba"),
            Notification.channel == "app")).all()  # fmt: skip
        assert {n.recipient.username for n in soon_notes} == {"kadis"}  # the step's holder
        late = c.class_due_at + timedelta(minutes=1)
        while not calendar.is_open(late):
            late += timedelta(minutes=30)
        sweep(late, calendar)
        sweep(late + timedelta(minutes=5), calendar)  # once an office day
        late_notes = db.session.scalars(select(Notification).where(
            Notification.complaint_id == c.id, Notification.subject.contains("terlewati"),
            Notification.channel == "app")).all()  # fmt: skip
        assert {n.recipient.username for n in late_notes} == {"kadis", "kabid"}
        assert all("Batas selesai" in n.body for n in late_notes)
        # Apart from the step's own late reminders (which count the notices of its stage).
        overall = db.session.scalars(select(Notice).where(Notice.key.startswith("overall-"))).all()
        assert len(overall) == 2 and all(n.complaint_id is None for n in overall)


# -- merging ------------------------------------------------------------------------------------


def test_a_duplicate_across_channels_is_merged_and_both_numbers_stay_in_the_register(
    app, client, auth, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")  # the citizen's e-mail is queued
    with app.app_context():
        first = register_complaint(
            "kantor",
            subject="Izin reklame papan nama belum terbit",
            complainant_contact="budi@example.com, 0812-3456-7890",
        )
        again = register_complaint("media_sosial", subject="Papan reklame saya belum ada izin",
                                   complainant_contact="budi@example.com")  # fmt: skip
        code = again.tracking_code
        pid, pnum, did, dnum, version = (first.id, first.reg_number, again.id, again.reg_number,
                                         again.version)  # fmt: skip
    auth.login("teknis1")  # the Tim Teknis does not merge
    assert auth.post(f"/admin/pengaduan/gabung/?id={did}", {"into": pnum, "reason": "sama"},
                     form_page="/admin/").status_code in (403, 404)  # fmt: skip
    _switch(auth, "fo")
    page = client.get(PAGE.format(did)).get_data(as_text=True)
    assert 'id="mirip"' not in page  # looked for when asked, not on every view of the page
    page = client.get(PAGE.format(did) + "&mirip=1").get_data(as_text=True)
    card = page[page.index('id="mirip"') :]
    assert pnum in card and REASONS["contact"] in card  # found by the e-mail, across channels
    path = f"/admin/pengaduan/gabung/?id={did}"
    for into, reason, why in ((dnum, "sama", "dirinya sendiri"),
                              ("9999/PGD/X/2026", "sama", "tidak ditemukan"),
                              (pnum, "", "wajib diisi")):  # fmt: skip
        refused = auth.post(path, {"into": into, "reason": reason, "version": version},
                            form_page=PAGE.format(did))  # fmt: skip
        text = refused.get_data(as_text=True)
        assert refused.status_code == 400 and why in text
        assert f'value="{into}"' in text  # what was typed is kept
    done = auth.post(path, {"into": pnum, "reason": "Pengadu dan pokok yang sama",
                            "version": version}, form_page=PAGE.format(did))  # fmt: skip
    assert done.status_code == 302
    with app.app_context():
        merged = db.session.get(Complaint, did)
        assert (merged.status, merged.closed_as, merged.merged_into_id) == ("closed", "merge", pid)
        assert merged.status_text == f"Digabung ke {pnum}"
        told = db.session.scalar(select(CitizenMessage).where(
            CitizenMessage.complaint_id == did, CitizenMessage.event == "merged"))  # fmt: skip
        assert told is not None and pnum in told.body and dnum in told.body
    merged_page = client.get(PAGE.format(did)).get_data(as_text=True)
    assert 'id="digabung"' in merged_page and pnum in merged_page
    primary_page = client.get(PAGE.format(pid)).get_data(as_text=True)
    assert 'id="gabungan"' in primary_page and dnum in primary_page
    listing = client.get("/admin/pengaduan/").get_data(as_text=True)
    arg = re.search(r'"Cara selesai": \[\{"arg": "(\d+)"', listing).group(1)
    merged_list = client.get(f"/admin/pengaduan/?flt0_{arg}=merge").get_data(as_text=True)
    assert dnum in merged_list and pnum not in merged_list
    assert "SOP.50 · Digabung" in merged_list
    export = client.get("/admin/pengaduan/ekspor/csv/")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    export.close()
    status = {r[0]: r[EXPORT_HEADERS.index("Status")] for r in rows[1:]}
    assert (status[dnum], status[pnum]) == ("Digabung", "Dalam proses")
    again_refused = auth.post(path, {"into": pnum, "reason": "x", "version": version},
                              form_page=PAGE.format(pid))  # fmt: skip
    assert again_refused.status_code in (400, 409)
    # The register keeps both numbers; the merged one says where it went.
    day = to_wib(utcnow()).date().isoformat()
    book = client.get(f"/admin/pengaduan/buku-registrasi/?first={day}&last={day}")
    words = _pdf_text(book.data)
    assert pnum in words and dnum in words and "Digabung ke" in words
    # The citizen's tracking page follows the primary's progress, without its letter or survey.
    auth.logout()
    track = client.get(f"/lacak/?kode={code}").get_data(as_text=True)
    assert 'id="digabung"' in track and pnum in track and "Penilaian layanan" not in track


def test_merging_into_a_merged_complaint_is_refused_and_earlier_merges_follow(app, auth):
    with app.app_context():
        a, b, c = (register_complaint(subject=f"Pengaduan {n}") for n in ("satu", "dua", "tiga"))
        from models.closing import merge

        merge(b.id, user("fo"), a.reg_number, "sama")
        assert "sudah digabung" in _refused(lambda: merge(c.id, user("fo"), b.reg_number, "x"))
        merge(a.id, user("kabid"), c.reg_number, "sama juga")  # a, and b with it, follow c
        assert db.session.get(Complaint, b.id).merged_into_id == c.id
        assert db.session.get(Complaint, a.id).merged_into_id == c.id


def _refused(call) -> str:
    from models.workflow import ActionRefused

    try:
        call()
    except ActionRefused as refused:
        db.session.rollback()
        return refused.message
    raise AssertionError("not refused")


# -- forwarding ---------------------------------------------------------------------------------


def test_the_kadis_forwards_a_complaint_and_prints_the_surat_pelimpahan(app, client, auth,
                                                                        monkeypatch):  # fmt: skip
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")  # the citizen's e-mail is queued
    with app.app_context():
        c = register_complaint(subject="KTP elektronik belum jadi",
                               complainant_contact="siti@example.com")  # fmt: skip
        agency = _agency()
        cid, code, number, version = c.id, c.tracking_code, c.reg_number, c.version
        agency_id, agency_name = agency.id, agency.name
    auth.login("kasi")
    assert auth.post(f"/admin/pengaduan/limpahkan/?id={cid}", {"agency_id": agency_id,
                     "reason": "x"}, form_page="/admin/").status_code == 403  # fmt: skip
    _switch(auth, "kabid")  # it waits on the Kadis's disposition, not on the Kabid
    assert auth.post(f"/admin/pengaduan/limpahkan/?id={cid}", {"agency_id": agency_id,
                     "reason": "x"}, form_page="/admin/").status_code == 403  # fmt: skip
    _switch(auth, "kadis")
    path = f"/admin/antrian/kadis/limpahkan/?id={cid}"
    page = f"/admin/antrian/kadis/details/?id={cid}"
    reason = "Penerbitan KTP elektronik adalah kewenangan Dinas Kependudukan dan Pencatatan Sipil."
    refused = auth.post(path, {"agency_id": "", "reason": reason, "version": version},
                        form_page=page)  # fmt: skip
    assert refused.status_code == 400 and reason in refused.get_data(as_text=True)  # kept
    done = auth.post(path, {"agency_id": agency_id, "reason": reason, "version": version},
                     form_page=page)  # fmt: skip
    assert done.status_code == 302 and done.location.endswith(PAGE.format(cid))
    with app.app_context():
        c = db.session.get(Complaint, cid)
        assert (c.status, c.closed_as, c.forwarded_to_id) == ("closed", "forward", agency_id)
        record = db.session.scalar(
            select(StepRecord).where(StepRecord.complaint_id == cid, StepRecord.phase == "forward")
        )
        letter_no, record_id = record.document_number, record.id
        message = db.session.scalar(select(CitizenMessage).where(
            CitizenMessage.complaint_id == cid, CitizenMessage.event == "forwarded"))  # fmt: skip
        assert message is not None and agency_name in message.body and reason in message.body
    assert letter_no  # the next outgoing number
    shown = client.get(PAGE.format(cid)).get_data(as_text=True)
    assert 'id="dilimpahkan"' in shown and f"/dokumen/{record_id}" in shown
    pdf = client.get(f"/admin/pengaduan/dokumen/{record_id}?id={cid}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    words = re.sub(r"\s+", " ", _pdf_text(pdf.data))
    for expected in (letter_no, number, agency_name, "Pelimpahan pengaduan masyarakat",
                     "KTP elektronik belum jadi", "KEPALA DINAS"):  # fmt: skip
        assert expected in words, expected
    auth.logout()
    track = client.get(f"/lacak/?kode={code}").get_data(as_text=True)
    assert 'id="dilimpahkan"' in track and agency_name in track
    assert "Penilaian layanan" not in track


def test_the_kabid_forwards_what_the_kadis_disposed_to_him(app):
    with app.app_context():
        c = register_complaint()
        act(c, "kadis", "arahan")
        from models.closing import forward

        record = forward(c.id, user("kabid"), _agency("dlh").id, "Bukan kewenangan kami.")
        assert record.actor_role == "kabid" and record.document == "surat_pelimpahan"


# -- the recap ----------------------------------------------------------------------------------


def test_the_recap_counts_how_complaints_ended_and_the_share_closed_within_their_class(app):
    from models.closing import forward, merge

    with app.app_context():
        light = _class("ringan")
        answered = register_complaint(class_id=str(light.id))
        for who, _queue, outcome in SOP_50_WALK:
            act(answered, who, outcome)
        kept = register_complaint(class_id=str(light.id))
        merge(register_complaint().id, user("fo"), kept.reg_number, "sama")
        forward(register_complaint().id, user("kadis"), _agency().id, "Bukan kewenangan kami.")
        month = to_wib(utcnow()).strftime("%Y-%m")
        recap = build_recap(parse_period("bulan", month))
        ended = dict(recap.by_closure)
        assert (ended[ANSWERED], ended["Digabung"], ended["Dilimpahkan"]) == (1, 1, 1)
        share = next(c for c in recap.by_class if c.label == light.label)
        assert (share.closed, share.met) == (1, 1)  # answered the same day: within its limit


def test_a_forwarded_lapor_report_gets_its_follow_up_without_the_name(app, client, auth):
    from models.closing import forward
    from models.lapor import followup_text, pending_followups
    from models.workflow import history_of

    with app.app_context():
        c = register_complaint("lapor", complainant_name="Siti Aminah")
        reason = (
            "Izin trayek angkutan adalah kewenangan Dinas Perhubungan; Siti Aminah diberi tahu."
        )
        forward(c.id, user("kadis"), _agency("dishub").id, reason)
        c = db.session.get(Complaint, c.id)
        assert [p.id for p in db.session.scalars(pending_followups())] == [c.id]
        text = followup_text(c, history_of(c))
        assert c.lapor_tracking_no in text and _agency("dishub").name in text
        assert "Siti Aminah" not in text and "Pelapor diberi tahu" in text
        cid = c.id
    auth.login("fo")
    page = client.get(PAGE.format(cid)).get_data(as_text=True)
    assert 'id="tindak-lanjut"' in page and "dilimpahkan kepada" in page


def test_the_registration_form_offers_the_classes_of_the_master_data(app, client, auth):
    auth.login("fo")
    form = client.get("/admin/antrian/fo/registrasi/").get_data(as_text=True)
    with app.app_context():
        labels = [c.label for c in db.session.scalars(select(ComplaintClass))]
    assert 'name="class_id"' in form and all(label in form for label in labels)


# -- the master data ------------------------------------------------------------------------------


def test_the_admin_sets_a_class_limit_and_adds_an_agency_both_recorded(app, client, auth):
    with app.app_context():
        light = _class("ringan")
        light_id, before = light.id, light.limit_days
        form = {"code": light.code, "name": light.name,
                                    "ordering": str(light.ordering), "active": "y"}  # fmt: skip
    auth.login("admin")
    edit = f"/admin/kelas-pengaduan/edit/?id={light_id}"
    for bad, why in (
        ("0", "1–60 hari kerja"),
        ("61", "1–60 hari kerja"),
        ("dua", "bilangan bulat"),
    ):
        refused = auth.post(edit, {**form, "limit_days": bad}).get_data(as_text=True)
        assert why in refused, bad
    assert auth.post(edit, {**form, "limit_days": "3"}).status_code == 302
    added = auth.post("/admin/instansi-pelimpahan/new/", {
        "code": "bpn", "name": "Kantor Pertanahan Kota Mojokerto",
        "address": "Jl. Jayanegara, Mojokerto", "ordering": "9", "active": "y"})  # fmt: skip
    assert added.status_code == 302
    history = client.get("/admin/riwayat-administrasi/").get_data(as_text=True)
    assert f"Batas waktu (hari kerja): {before} → 3" in history and "Kelas pengaduan" in history
    assert "Instansi tujuan pelimpahan" in history
    with app.app_context():
        c = register_complaint(class_id=str(light_id))
        assert c.class_due_at == load_calendar().add(c.received_at, {"working_days": 3})
        cid = c.id
    _switch(auth, "kadis")
    page = client.get(f"/admin/antrian/kadis/details/?id={cid}").get_data(as_text=True)
    assert "Kantor Pertanahan Kota Mojokerto" in page  # offered for forwarding at once
