"""Master data in the admin: channels, platforms, jenis and disposition marks.

The admin adds, edits, deactivates and reactivates rows, never deletes them; a deactivated
row leaves the forms at once but stays on every complaint and document that used it.
"""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from models import Channel, Complaint, DispositionMark, Jenis, Platform, StepRecord, db
from tests.conftest import user_id
from tests.workflow_helpers import act, register_complaint

LISTS = {"/admin/kanal/": Channel, "/admin/platform/": Platform, "/admin/jenis/": Jenis,
         "/admin/tanda-disposisi/": DispositionMark}  # fmt: skip
HOTLINE = {"code": "whatsapp_hotline", "name": "WhatsApp hotline", "sop_code": "SOP.50",
           "ordering": "10", "active": "y"}  # fmt: skip


def _row(app, model, code):
    with app.app_context():
        return db.session.scalar(select(model).where(model.code == code))


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def _select(page: str, name: str) -> list[str]:
    """The labels of the options of the select `name` on `page`."""
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select {name}"
    return re.findall(r"<option[^>]*>([^<]*)</option>", match.group(1))


def _set_active(auth, url, row_ids, active: bool):
    return auth.post(f"{url}action/", {"action": "aktifkan" if active else "nonaktifkan",
                                       "rowid": [str(i) for i in row_ids]},
                     form_page=url)  # fmt: skip


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    response.close()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_a_new_channel_is_offered_at_once_on_the_registration_form(app, client, auth):
    auth.login("admin")
    page = client.get("/admin/kanal/new/").get_data(as_text=True)
    assert _select(page, "sop_code") == ["— pilih SOP —", "SOP.48", "SOP.49", "SOP.50"]
    response = auth.post("/admin/kanal/new/", HOTLINE)
    assert response.status_code == 302
    channel = _row(app, Channel, "whatsapp_hotline")
    assert (channel.name, channel.sop_code, channel.ordering, channel.active) == (
        "WhatsApp hotline", "SOP.50", 10, True)  # fmt: skip
    assert not channel.needs_platform and not channel.needs_tracking_number
    listing = client.get("/admin/kanal/").get_data(as_text=True)
    assert "WhatsApp hotline" in listing and "whatsapp_hotline" in listing
    auth.logout()

    auth.login("fo")
    form = client.get("/admin/pengaduan/registrasi/").get_data(as_text=True)
    assert "WhatsApp hotline" in _select(form, "channel_id")
    with app.app_context():  # and a complaint through it follows the channel's SOP
        complaint = register_complaint("whatsapp_hotline")
        assert complaint.sop.code == "SOP.50"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "kantor"}, "Kode kantor sudah dipakai oleh kanal lain."),
        ({"code": " Kantor "}, "Kode kantor sudah dipakai oleh kanal lain."),
        ({"code": "whatsapp hotline"}, "Kode hanya boleh huruf kecil, angka dan garis bawah"),
        ({"code": "wa-hotline"}, "Kode hanya boleh huruf kecil, angka dan garis bawah"),
        ({"code": ""}, "Kode wajib diisi."),
        ({"name": "   "}, "Nama wajib diisi."),
        ({"name": "x" * 121}, "Nama paling banyak 120 karakter."),
        ({"sop_code": "SOP.99"}, "Pilih SOP yang terdaftar: SOP.48, SOP.49, SOP.50."),
        ({"sop_code": ""}, "Pilih SOP yang terdaftar"),
        ({"ordering": "satu"}, "Urutan"),
    ],
)
def test_bad_channel_input_is_explained_and_nothing_is_saved(app, auth, change, message):
    auth.login("admin")
    before = _count(app, Channel)
    response = auth.post("/admin/kanal/new/", {**HOTLINE, **change})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(app, Channel) == before


def test_a_duplicate_code_is_refused_in_every_list(app, auth):
    auth.login("admin")
    for url, code in (("/admin/platform/", "instagram"), ("/admin/jenis/", "saran"),
                      ("/admin/tanda-disposisi/", "arsip")):  # fmt: skip
        model = LISTS[url]
        before = _count(app, model)
        response = auth.post(f"{url}new/", {"code": code, "name": "Baru", "ordering": "1"})
        assert response.status_code == 200
        assert f"Kode {code} sudah dipakai" in response.get_data(as_text=True)
        assert _count(app, model) == before


def test_the_code_stays_fixed_when_a_row_is_edited(app, client, auth):
    auth.login("admin")
    jenis = _row(app, Jenis, "saran")
    url = f"/admin/jenis/edit/?id={jenis.id}"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="code"[^>]*readonly', page)
    response = auth.post(url, {"code": "usul", "name": "Saran dan usul", "ordering": "3",
                               "active": "y"})  # fmt: skip
    assert response.status_code == 302
    edited = _row(app, Jenis, "saran")
    assert edited.name == "Saran dan usul" and edited.id == jenis.id
    assert _row(app, Jenis, "usul") is None


def test_master_data_is_never_deleted(app, client, auth):
    auth.login("admin")
    for url, model in LISTS.items():
        row = _row(app, model, _first_code(app, model))
        page = client.get(url).get_data(as_text=True)
        assert f"{url}delete/" not in page
        response = auth.post(f"{url}delete/", {"id": str(row.id)}, form_page=url)
        assert response.status_code == 404
        response = auth.post(f"{url}action/", {"action": "delete", "rowid": [str(row.id)]},
                             form_page=url)  # fmt: skip
        assert response.status_code == 302
        assert _row(app, model, row.code) is not None, url


def _first_code(app, model) -> str:
    with app.app_context():
        return db.session.scalar(select(model.code).order_by(model.id).limit(1))


def test_a_deactivated_jenis_leaves_the_form_but_stays_on_earlier_complaints(app, client, auth):
    saran = _row(app, Jenis, "saran")
    with app.app_context():
        complaint = register_complaint("kantor", jenis_id=str(saran.id))
        complaint_id, reg_number = complaint.id, complaint.reg_number
    auth.login("fo")
    assert "Saran" in _select(client.get("/admin/pengaduan/registrasi/").get_data(as_text=True),
                              "jenis_id")  # fmt: skip
    auth.logout()

    auth.login("admin")
    response = _set_active(auth, "/admin/jenis/", [saran.id], False)
    assert response.status_code == 302
    listing = client.get("/admin/jenis/").get_data(as_text=True)
    assert "1 jenis dinonaktifkan: Saran." in listing
    assert _row(app, Jenis, "saran").active is False
    auth.logout()

    auth.login("fo")
    offered = _select(client.get("/admin/pengaduan/registrasi/").get_data(as_text=True),
                      "jenis_id")  # fmt: skip
    assert "Saran" not in offered and "Pengaduan" in offered
    auth.logout()

    auth.login("kadis")
    page = client.get(f"/admin/pengaduan/details/?id={complaint_id}").get_data(as_text=True)
    assert "<tr><th>Jenis</th><td>Saran</td></tr>" in page
    rows = _csv(client.get("/admin/pengaduan/ekspor/csv/"))
    jenis_column = rows[0].index("Jenis")
    assert [r[jenis_column] for r in rows[1:] if r[0] == reg_number] == ["Saran"]


def test_a_reactivated_jenis_is_offered_again(app, client, auth):
    saran = _row(app, Jenis, "saran")
    auth.login("admin")
    _set_active(auth, "/admin/jenis/", [saran.id], False)
    assert _set_active(auth, "/admin/jenis/", [saran.id], True).status_code == 302
    assert "1 jenis diaktifkan: Saran." in client.get("/admin/jenis/").get_data(as_text=True)
    assert _row(app, Jenis, "saran").active is True
    auth.logout()
    auth.login("fo")
    assert "Saran" in _select(client.get("/admin/pengaduan/registrasi/").get_data(as_text=True),
                              "jenis_id")  # fmt: skip


def test_the_aktif_box_of_the_edit_form_deactivates_too(app, auth):
    auth.login("admin")
    x = _row(app, Platform, "x")
    response = auth.post(f"/admin/platform/edit/?id={x.id}",
                         {"code": "x", "name": "X/Twitter", "ordering": "2"})  # fmt: skip
    assert response.status_code == 302
    assert _row(app, Platform, "x").active is False


def test_a_deactivated_mark_leaves_the_kadis_form_but_not_printed_sheets(app, client, auth):
    with app.app_context():
        disposed = register_complaint("kantor")
        act(disposed, "kadis", "arahan", marks=["siapkan_bahan", "ditindaklanjuti"])
        sheet = db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == disposed.id,
            StepRecord.document == "lembar_disposisi"))  # fmt: skip
        waiting = register_complaint("kantor")
        disposed_id, waiting_id = disposed.id, waiting.id
    auth.login("kadis")
    page = client.get(f"/admin/pengaduan/details/?id={disposed_id}").get_data(as_text=True)
    document = f"/admin/pengaduan/dokumen/{sheet}?id={disposed_id}"
    assert document in page
    assert "[X] Siapkan bahan" in _pdf_text(client.get(document))
    form = client.get(f"/admin/pengaduan/details/?id={waiting_id}").get_data(as_text=True)
    assert 'value="siapkan_bahan"' in form and "Siapkan bahan" in form
    auth.logout()

    auth.login("admin")
    mark = _row(app, DispositionMark, "siapkan_bahan")
    assert _set_active(auth, "/admin/tanda-disposisi/", [mark.id], False).status_code == 302
    auth.logout()

    auth.login("kadis")
    form = client.get(f"/admin/pengaduan/details/?id={waiting_id}").get_data(as_text=True)
    assert 'value="siapkan_bahan"' not in form and "Siapkan bahan" not in form
    assert 'value="ditindaklanjuti"' in form
    assert "[X] Siapkan bahan" in _pdf_text(client.get(document))
    # A forged post of the withdrawn mark is refused.
    kabid = user_id(app, "kabid")
    response = auth.post(f"/admin/pengaduan/aksi/?id={waiting_id}",
                         {"outcome": "arahan", "sifat": "Biasa", "marks": "siapkan_bahan",
                          "to_user": str(kabid), "instruction": "Siapkan bahan rapat."},
                         form_page=f"/admin/pengaduan/details/?id={waiting_id}")  # fmt: skip
    with app.app_context():
        assert db.session.get(Complaint, waiting_id).current_actor == "kadis"
    assert response.status_code == 400
    assert "Ada isian disposisi yang tidak dikenal." in response.get_data(as_text=True)


def test_the_last_active_row_cannot_be_deactivated(app, client, auth):
    auth.login("admin")
    with app.app_context():
        marks = db.session.scalars(select(DispositionMark.id).order_by(DispositionMark.id)).all()
    response = _set_active(auth, "/admin/tanda-disposisi/", marks, False)
    assert response.status_code == 302
    page = client.get("/admin/tanda-disposisi/").get_data(as_text=True)
    assert "sedikitnya satu tanda disposisi harus tetap aktif" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(DispositionMark.id)).where(
            DispositionMark.active.is_(False))) == 0  # fmt: skip
    _set_active(auth, "/admin/tanda-disposisi/", marks[1:], False)
    last = _row(app, DispositionMark, _first_code(app, DispositionMark))
    response = auth.post(f"/admin/tanda-disposisi/edit/?id={last.id}",
                         {"code": last.code, "name": last.name, "ordering": "0"})  # fmt: skip
    assert response.status_code == 200
    assert "Sedikitnya satu tanda disposisi harus tetap aktif." in response.get_data(as_text=True)
    assert _row(app, DispositionMark, last.code).active is True


@pytest.mark.parametrize("url", LISTS)
def test_master_data_is_the_admins_only(app, client, auth, url):
    row = _row(app, LISTS[url], _first_code(app, LISTS[url]))
    auth.login("kadis")
    for path in ("", "new/", f"edit/?id={row.id}", "ekspor/csv/", "ekspor/xlsx/",
                 "export/csv/"):  # fmt: skip
        assert client.get(f"{url}{path}").status_code == 403, path
    for path, data in (("new/", {"code": "baru", "name": "Baru", "ordering": "1"}),
                       (f"edit/?id={row.id}", {"code": row.code, "name": "Diubah",
                                               "ordering": "1"}),
                       ("action/", {"action": "nonaktifkan", "rowid": str(row.id)}),
                       ("delete/", {"id": str(row.id)})):  # fmt: skip
        assert auth.post(f"{url}{path}", data, form_page="/admin/").status_code == 403, path
    unchanged = _row(app, LISTS[url], row.code)
    assert (unchanged.name, unchanged.active) == (row.name, row.active)
    assert _row(app, LISTS[url], "baru") is None


def test_changes_appear_in_the_admin_history_with_old_and_new_values(app, client, auth):
    auth.login("admin")
    auth.post("/admin/kanal/new/", HOTLINE)
    hotline = _row(app, Channel, "whatsapp_hotline")
    _set_active(auth, "/admin/kanal/", [hotline.id], False)
    auth.post(f"/admin/kanal/edit/?id={hotline.id}",
              {**HOTLINE, "name": "Hotline WhatsApp", "active": ""})  # fmt: skip
    page = client.get("/admin/riwayat-administrasi/").get_data(as_text=True)
    assert "Kanal" in page and "dibuat" in page and "diubah" in page
    assert "Kode: — → whatsapp_hotline" in page
    assert "Aktif: Ya → Tidak" in page
    assert "Nama: WhatsApp hotline → Hotline WhatsApp" in page
    rows = _csv(client.get("/admin/riwayat-administrasi/ekspor/csv/"))
    changes = [r[5] for r in rows[1:] if r[3] == "Kanal"]
    assert "Aktif: Ya → Tidak" in changes
    assert "Nama: WhatsApp hotline → Hotline WhatsApp" in changes


def test_a_master_data_list_exports_its_rows_in_list_order(app, client, auth):
    auth.login("admin")
    auth.post("/admin/jenis/new/", {"code": "aduan_lisan", "name": "Aduan lisan",
                                    "ordering": "0", "active": "y"})  # fmt: skip
    _set_active(auth, "/admin/jenis/", [_row(app, Jenis, "informasi").id], False)
    rows = _csv(client.get("/admin/jenis/ekspor/csv/"))
    assert rows[0] == ["Kode", "Nama", "Urutan", "Aktif"]
    assert rows[1:] == [
        ["aduan_lisan", "Aduan lisan", "0", "Ya"],
        ["pengaduan", "Pengaduan", "0", "Ya"],
        ["keluhan", "Keluhan", "1", "Ya"],
        ["masalah", "Masalah", "2", "Ya"],
        ["saran", "Saran", "3", "Ya"],
        ["pertanyaan", "Pertanyaan", "4", "Ya"],
        ["informasi", "Informasi", "5", "Tidak"],
    ]
    inactive = _csv(client.get("/admin/jenis/ekspor/csv/?flt0_0=0"))  # the Aktif filter
    assert inactive[1:] == [["informasi", "Informasi", "5", "Tidak"]]
    list_menu = client.get("/admin/jenis/").get_data(as_text=True)
    assert "/admin/jenis/export/xlsx/" in list_menu and "Ekspor" in list_menu
    response = client.get("/admin/jenis/export/xlsx/")  # the list menu's link
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    response.close()
    assert [c.value for c in sheet[1]] == ["Kode", "Nama", "Urutan", "Aktif"]
    assert sheet.max_row == 8


def test_channels_export_and_filter_by_sop(app, client, auth):
    auth.login("admin")
    auth.post("/admin/kanal/new/", HOTLINE)
    page = client.get("/admin/kanal/").get_data(as_text=True)
    assert "Perlu no. LAPOR!" in page and "Perlu platform" in page
    rows = _csv(client.get("/admin/kanal/ekspor/csv/?flt0_1=SOP.50"))
    assert rows[0] == ["Kode", "Nama", "SOP", "Perlu platform", "Perlu no. LAPOR!", "Urutan",
                       "Aktif"]  # fmt: skip
    assert rows[1:] == [
        ["media_sosial", "Media sosial", "SOP.50", "Ya", "Tidak", "2", "Ya"],
        ["lapor", "SP4N-LAPOR!", "SOP.50", "Tidak", "Ya", "3", "Ya"],
        ["formulir_daring", "Formulir daring", "SOP.50", "Tidak", "Tidak", "4", "Ya"],
        ["whatsapp_hotline", "WhatsApp hotline", "SOP.50", "Tidak", "Tidak", "10", "Ya"],
    ]


def test_a_channel_added_on_one_app_host_reaches_the_filters_of_another(app, client, auth,
                                                                        db_config):  # fmt: skip
    """Each process keeps its pick lists; a version row in the database tells the others of a
    change within PICKLIST_CHECK_SECONDS (here: at once)."""
    from tests.conftest import PASSWORD, csrf_token, make_app

    host_b = make_app(db_config, PICKLIST_CHECK_SECONDS=0)
    on_b = host_b.test_client()
    token = csrf_token(on_b, "/login")
    on_b.post("/login", data={"username": "fo", "password": PASSWORD, "csrf_token": token})
    assert "Hotline WhatsApp" not in on_b.get("/admin/pengaduan/").get_data(as_text=True)
    auth.login("admin")  # on host A
    added = auth.post("/admin/kanal/new/", {"code": "hotline_wa", "name": "Hotline WhatsApp",
                                            "sop_code": "SOP.50", "ordering": "9",
                                            "active": "y"})  # fmt: skip
    assert added.status_code == 302
    assert "Hotline WhatsApp" in on_b.get("/admin/pengaduan/").get_data(as_text=True)
    with host_b.app_context():
        db.session.remove()
        db.engine.dispose()
