"""A coordination meeting that moves (issue 20 item 3): whoever called it or leads it records
the new day, time or place and why; a corrected invitation is printed with its own number,
naming the one it replaces; the invitees are told and see the new date at home; the Berita
Acara reports the meeting as moved."""

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from models import Complaint, Notification, StepRecord, db
from models.dates import format_day_date, today_wib
from tests.workflow_helpers import act, register_complaint, uid, user

KASI_PAGE = "/admin/pengaduan/details/?id={}"
MOVE = "/admin/pengaduan/rakor-pindah/?id={}"
REASON = "Kepala Dinas dipanggil rapat mendadak oleh Wali Kota"


def _meeting_called(app) -> int:
    """A SOP.50 complaint whose Kasi called a meeting of the Tim Teknis (teknis1, teknis2)."""
    with app.app_context():
        c = register_complaint()
        for who, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "rakor")):
            act(c, who, outcome)
        return c.id


def _moved(day, **overrides) -> dict:
    return {"day": day.isoformat(), "start": "13:30", "place": "Aula Lt. 3",
            "reason": REASON, **overrides}  # fmt: skip


def _text(pdf: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(pdf)).pages)  # fmt: skip


def test_the_kasi_moves_the_meeting_and_a_corrected_invitation_goes_out(app, client, auth):
    cid = _meeting_called(app)
    new_day = today_wib() + timedelta(days=3)
    with app.app_context():
        first = db.session.scalar(select(StepRecord).where(
            StepRecord.complaint_id == cid, StepRecord.document == "undangan_rakor"))  # fmt: skip
        old_number, old_place = first.document_number, first.data["place"]
    auth.login("kasi")
    page = client.get(KASI_PAGE.format(cid)).get_data(as_text=True)
    assert 'id="pindah-rakor"' in page and old_place in page  # opened with the meeting in force
    response = auth.post(MOVE.format(cid), _moved(new_day), form_page=KASI_PAGE.format(cid))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jadwal rapat diubah" in page
    with app.app_context():
        c = db.session.get(Complaint, cid)
        moved = db.session.scalar(select(StepRecord).where(
            StepRecord.complaint_id == cid, StepRecord.phase == "moved"))  # fmt: skip
        assert moved.document == "undangan_rakor" and moved.document_number != old_number
        assert (
            moved.data["moved_from"]["place"] == old_place and moved.data["replaces"] == old_number
        )
        assert c.current_actor == "tim_teknis"  # still waiting for the meeting's Berita Acara
        # the invitees and the Kabid leading it are told; the Kasi who moved it is not
        moved_notes = select(Notification).where(
            Notification.complaint_id == cid, Notification.subject.contains("Perubahan jadwal")
        )
        told = {n.recipient_id: n for n in db.session.scalars(moved_notes)}
        assert {uid("teknis1"), uid("teknis2"), uid("kabid")} <= set(told)
        assert uid("kasi") not in told
        assert (
            "Aula Lt. 3" in told[uid("teknis1")].body and "Wali Kota" in told[uid("teknis1")].body
        )
        record_id = moved.id
    pdf = client.get(f"/admin/pengaduan/dokumen/{record_id}?id={cid}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _text(pdf.data)
    assert "Perubahan Jadwal Rapat Koordinasi" in text
    assert old_number in text and old_place in text  # what it replaces
    assert format_day_date(new_day) in text and "13.30" in text and "Aula Lt. 3" in text
    assert "dipanggil rapat mendadak" in text
    with app.app_context():
        for name in ("teknis1", "teknis2"):  # the same invitees
            assert user(name).full_name in text
    # The Kabid leading it sees the new date at home; the Berita Acara reports the meeting
    # where and when it moved to.
    auth.logout()
    auth.login("kabid")
    assert "Aula Lt. 3" in client.get("/admin/").get_data(as_text=True)
    with app.app_context():
        act(db.session.get(Complaint, cid), "teknis1", "berita_acara")
        minutes = db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == cid, StepRecord.document == "berita_acara"))  # fmt: skip
    text = _text(client.get(f"/admin/pengaduan/dokumen/{minutes}?id={cid}").data)
    assert new_day.strftime("%d-%m-%Y") in text and "bertempat di Aula Lt. 3" in text


def test_only_who_called_or_leads_the_meeting_moves_it_and_never_to_the_past(app, client,
                                                                             auth):  # fmt: skip
    cid = _meeting_called(app)
    tomorrow = today_wib() + timedelta(days=1)
    for name in ("teknis1", "kadis", "fo"):  # invited, above, or the front office: 403
        auth.login(name)
        assert auth.post(MOVE.format(cid), _moved(tomorrow), form_page="/admin/").status_code == 403
        auth.logout()
    auth.login("kasi")
    page = KASI_PAGE.format(cid)
    with app.app_context():
        held = db.session.scalar(select(StepRecord.data).where(
            StepRecord.complaint_id == cid, StepRecord.document == "undangan_rakor"))  # fmt: skip
    for data, message in (
        (_moved(today_wib() - timedelta(days=1)), "Tanggal rapat tidak boleh sebelum hari ini."),
        ({**_moved(today_wib()), "day": held["day"], "start": held["start"],
          "place": held["place"]}, "Hari, jam atau tempat rapat belum diubah."),
        (_moved(tomorrow, reason=""), "Alasan perubahan wajib diisi."),
    ):  # fmt: skip
        response = auth.post(MOVE.format(cid), data, form_page=page)
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and message in text
        assert data["place"] in text and (not data["reason"] or data["reason"] in text)  # kept
    with app.app_context():
        assert not db.session.scalars(select(StepRecord).where(
            StepRecord.complaint_id == cid, StepRecord.phase == "moved")).all()  # fmt: skip
    auth.logout()
    auth.login("kabid")  # who leads it may move it too
    response = auth.post(MOVE.format(cid), _moved(tomorrow), form_page=page)
    assert response.status_code == 302
    with app.app_context():  # once the Berita Acara is written, there is no meeting to move
        act(db.session.get(Complaint, cid), "teknis1", "berita_acara")
    assert auth.post(MOVE.format(cid), _moved(tomorrow, place="Ruang lain"),
                     form_page=page).status_code == 403  # fmt: skip
