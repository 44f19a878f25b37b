"""The front office imports SP4N-LAPOR! reports (the admin export, or one keyed in): new ones
wait for registration in the channel SP4N-LAPOR!, a second import creates nothing, a changed
report is reported and not overwritten, a bad file is refused whole with its line numbers;
registered, a report's LAPOR! fields are the complaint's, found by its Tracking ID."""

import csv
import io
import re

from sqlalchemy import func, select

from admin_views.complaint_export import EXPORT_HEADERS
from admin_views.submissions import SAMPLE
from models import Complaint, db
from models.lapor import LAPOR_CHANNEL, RESULTS
from models.lapor_file import read_reports
from models.submission import Submission
from tests.conftest import csrf_token

IMPORT = "/admin/formulir-daring/impor-lapor/"


def _upload(client, content: bytes, name="ekspor.csv"):
    token = csrf_token(client, IMPORT)
    return client.post(IMPORT, data={"csrf_token": token, "mode": "berkas",
                                     "upload": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")  # fmt: skip


def _results(page: str) -> list[tuple[str, str]]:
    rows = re.findall(r"<tr[^>]*><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td>", page)
    return [(tid, result) for _line, tid, result in rows]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_sample_export_is_imported_once_and_a_change_is_reported(app, client, auth):
    sample = SAMPLE.read_bytes()
    ids = [r.tracking_id for r in read_reports(sample, "contoh")]
    auth.login("fo")
    first = _upload(client, sample)
    assert first.status_code == 200
    assert _results(first.get_data(as_text=True)) == [(i, RESULTS["created"]) for i in ids]
    with app.app_context():
        made = db.session.scalars(select(Submission).order_by(Submission.id)).all()
        assert [s.lapor_tracking_id for s in made] == ids
        assert {s.channel.code for s in made} == {LAPOR_CHANNEL}
        assert all(s.status == "waiting" and s.due_at > s.received_at for s in made)
        assert made[2].is_anonymous and made[2].is_confidential and made[2].name == ""
    again = _upload(client, sample)
    assert _results(again.get_data(as_text=True)) == [(i, RESULTS["same"]) for i in ids]
    changed = sample.replace(b"NIB belum terbit setelah dua minggu", b"NIB belum terbit juga")
    third = _results(_upload(client, changed).get_data(as_text=True))
    assert third[0] == (ids[0], RESULTS["changed"])
    with app.app_context():
        assert _count(Submission) == len(ids)
        kept = db.session.scalar(select(Submission.subject).where(
            Submission.lapor_tracking_id == ids[0]))  # fmt: skip
        assert kept == "NIB belum terbit setelah dua minggu"  # not overwritten
    listing = client.get("/admin/formulir-daring/").get_data(as_text=True)
    assert f"LAPOR! {ids[1]}" in listing


def test_a_malformed_file_is_refused_whole_with_its_lines(app, client, auth):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    broken = lines[:2] + [",,kemarin,,,,Keluhan,Mungkin,Tidak,,"] + lines[2:]
    auth.login("fo")
    response = _upload(client, "\n".join(broken).encode())
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Tidak ada laporan yang diimpor" in text
    assert "Baris 3:" in text and "Tracking ID kosong" in text and "klasifikasi" in text
    with app.app_context():
        assert _count(Submission) == 0


def test_one_report_keyed_in_is_checked_like_a_line_of_the_export(app, client, auth):
    auth.login("fo")
    form = {"mode": "satu", "tracking_id": "LPR-5555", "reported_at": "2026-11-30T08:00",
            "title": "Papan reklame roboh", "text": "Di Jl. Majapahit.",
            "classification": "Pengaduan", "category": "Reklame"}  # fmt: skip
    missing = auth.post(IMPORT, {**form, "text": ""})
    assert missing.status_code == 400 and "isi laporan kosong" in missing.get_data(as_text=True)
    done = auth.post(IMPORT, form)
    assert _results(done.get_data(as_text=True)) == [("LPR-5555", RESULTS["created"])]


def test_a_registered_report_keeps_its_lapor_fields_and_is_found_by_its_id(app, client, auth):
    auth.login("fo")
    _upload(client, SAMPLE.read_bytes())
    with app.app_context():
        s = db.session.scalar(select(Submission).where(Submission.lapor_tracking_id
                                                       == "LPR-2H8V5N"))  # fmt: skip
        sid, received = s.id, s.received_at
    page = client.get(f"/admin/formulir-daring/registrasi/?id={sid}").get_data(as_text=True)
    data = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    data.update(
        jenis_id=re.search(r'<option selected value="(\d+)">', page).group(1),
        subject="Syarat izin reklame", description="Apa saja syaratnya?",
        complainant_name="", is_anonymous="y",
    )  # fmt: skip
    data.pop("lapor_tracking_no", None)  # the report's own Tracking ID is kept regardless
    response = client.post(f"/admin/formulir-daring/registrasi/?id={sid}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        c = db.session.scalar(select(Complaint))
        assert (c.lapor_tracking_no, c.lapor_classification, c.lapor_category) == (
            "LPR-2H8V5N",
            "permintaan_informasi",
            "Perizinan Non Berusaha",
        )
        assert c.received_at == received and c.channel.code == LAPOR_CHANNEL
        assert c.jenis.code == "informasi"  # the classification's jenis, as prefilled
        number = c.reg_number
    found = client.get("/admin/pengaduan/?search=lpr-2h8v5n").get_data(as_text=True)
    assert number in found
    export = client.get("/admin/pengaduan/ekspor/csv/")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    export.close()  # the export's spooled file goes with the response
    row = next(r for r in rows if r[0] == number)
    assert row[EXPORT_HEADERS.index("Klasifikasi LAPOR!")] == "Permintaan informasi"
