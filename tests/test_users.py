"""User management is the admin's: create, edit, reset password, deactivate, never delete."""

import pytest
from sqlalchemy import select

from models import ActingAppointment, User, db
from tests.conftest import PASSWORD, user_id

NEW_USER = {
    "username": "fo2",
    "full_name": "Lina Marlina, A.Md.",
    "nip": "19950101 202012 2 001",
    "position": "Petugas Front Office",
    "rank": "Pengatur (II/c)",
    "role": "fo",
    "active": "y",
    "password": "loket-depan-pagi-hari",
    "password_confirm": "loket-depan-pagi-hari",
}


def _user(app, username):
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username))


def test_admin_creates_an_account_that_can_log_in(app, client, auth):
    auth.login("admin")
    response = auth.post("/admin/pengguna/new/", NEW_USER)
    assert response.status_code == 302
    user = _user(app, "fo2")
    assert user.nip == "199501012020122001"
    assert user.nip_display == "19950101 202012 2 001"
    assert user.role == "fo" and user.active
    assert user.password_hash != "loket-depan-pagi-hari"
    auth.logout()
    assert auth.login("fo2", "loket-depan-pagi-hari").status_code == 302


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nip": "12345"}, "NIP harus terdiri dari 18 digit angka."),
        ({"nip": "19780727 199703 1 00x"}, "NIP harus terdiri dari 18 digit angka."),
        ({"nip": "197502101998031004"}, "NIP ini sudah terdaftar pada pengguna lain."),
        ({"username": "kadis"}, "Nama pengguna ini sudah dipakai."),
        ({"username": "Nama Spasi"}, "Nama pengguna hanya boleh huruf kecil"),
        ({"full_name": ""}, "Nama lengkap wajib diisi."),
        ({"password": "", "password_confirm": ""}, "Kata sandi wajib diisi untuk akun baru."),
        ({"password": "pendek1", "password_confirm": "pendek1"}, "Kata sandi minimal 15 karakter."),
        # NIST SP 800-63B: common, sequential and name-derived passwords are refused.
        (
            {"password": "password12345678", "password_confirm": "password12345678"},
            "terlalu mudah ditebak",
        ),
        (
            {"password": "123456789012345a", "password_confirm": "123456789012345a"},
            "terlalu mudah ditebak",
        ),
        (
            {"password": "marlina-fo2-2026", "password_confirm": "marlina-fo2-2026"},
            "tidak boleh memuat nama",
        ),
        (
            {"password": "mojokerto123456789", "password_confirm": "mojokerto123456789"},
            "terlalu mudah ditebak",
        ),
        ({"password_confirm": "lain-2026"}, "Kedua kata sandi tidak sama."),
        ({"email": "marlina@@dinas"}, "Alamat email tidak valid"),
        ({"whatsapp": "0321-330900"}, "Nomor WhatsApp harus nomor seluler Indonesia"),
    ],
)
def test_bad_input_on_the_user_form_is_explained_and_nothing_is_saved(app, auth, change, message):
    auth.login("admin")
    with app.app_context():
        before = db.session.scalar(select(db.func.count(User.id)))
    response = auth.post("/admin/pengguna/new/", {**NEW_USER, **change})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == before


def _edit(app, auth, username, **changes):
    """Post the user form for `username` as it stands, with `changes` (None drops a field)."""
    user = _user(app, username)
    form = {
        "username": user.username, "full_name": user.full_name, "nip": user.nip,
        "position": user.position, "rank": user.rank, "role": user.role, "active": "y",
        "password": "", "password_confirm": "", **changes,
    }  # fmt: skip
    form = {k: v for k, v in form.items() if v is not None}
    return auth.post(f"/admin/pengguna/edit/?id={user.id}", form)


def test_admin_resets_a_password_and_the_old_one_stops_working(app, auth):
    auth.login("admin")
    new = "jeruk-manis-di-meja-kerja"
    response = _edit(app, auth, "kasi", password=new, password_confirm=new)
    assert response.status_code == 302
    auth.logout()
    assert auth.login("kasi", PASSWORD).status_code == 400
    assert auth.login("kasi", new).status_code == 302


def test_editing_without_a_new_password_keeps_the_old_one(app, auth):
    auth.login("admin")
    assert _edit(app, auth, "kabid", position="Kepala Bidang PKPL").status_code == 302
    assert _user(app, "kabid").position == "Kepala Bidang PKPL"
    auth.logout()
    assert auth.login("kabid", PASSWORD).status_code == 302


def test_admin_deactivates_an_account_and_it_can_no_longer_log_in(app, auth):
    auth.login("admin")
    assert _edit(app, auth, "fo", active=None).status_code == 302  # the box unticked
    assert _user(app, "fo").active is False
    auth.logout()
    assert auth.login("fo").status_code == 400


def test_admin_cannot_lock_themselves_out(app, auth):
    auth.login("admin")
    html = _edit(app, auth, "admin", role="fo", active=None).get_data(as_text=True)
    assert "Anda tidak dapat mencabut peran administrator Anda sendiri." in html
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in html
    assert _user(app, "admin").role == "admin"


def test_users_cannot_be_deleted_by_any_url(app, client, auth):
    fo = user_id(app, "fo")
    auth.login("admin")
    response = auth.post("/admin/pengguna/delete/", {"id": str(fo)}, form_page="/admin/pengguna/")
    assert response.status_code == 302  # back to the list: Flask-Admin allows no delete here
    assert _user(app, "fo") is not None
    assert "/admin/pengguna/delete/" not in client.get("/admin/pengguna/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["fo", "kadis", "kabid", "kasi", "teknis1"])
@pytest.mark.parametrize(
    "path",
    ["/admin/pengguna/", "/admin/pengguna/new/", "/admin/pengguna/edit/?id=1",
     "/admin/penugasan/", "/admin/penugasan/new/"],
)  # fmt: skip
def test_other_roles_get_403_on_user_management(client, auth, role, path):
    auth.login(role)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["fo", "kasi"])
def test_other_roles_cannot_create_users_by_post(app, auth, role):
    auth.login(role)
    response = auth.post("/admin/pengguna/new/", NEW_USER, form_page="/admin/")
    assert response.status_code == 403
    assert _user(app, "fo2") is None


def test_admin_appoints_a_plt_kepala_dinas(app, auth):
    kabid = user_id(app, "kabid")
    auth.login("admin")
    response = auth.post(
        "/admin/penugasan/new/",
        {"user_id": str(kabid), "kind": "Plt.", "role": "kadis",
         "position": "Kepala Dinas Penanaman Modal PTSP dan Tenaga Kerja",
         "starts_on": "2026-12-01", "ends_on": "2026-12-31", "basis": "SP 800/123/2026"},
    )  # fmt: skip
    assert response.status_code == 302
    from datetime import date

    with app.app_context():
        user = db.session.get(User, kabid)
        assert user.holds("kadis", date(2026, 12, 15))
        assert not user.holds("kadis", date(2027, 1, 1))
        assert user.appointment_for("kadis", date(2026, 12, 1)).kind == "Plt."
    export = auth._client.get("/admin/penugasan/export/csv/")  # the list's Ekspor menu
    text = export.get_data().decode("utf-8-sig")
    export.close()
    assert export.status_code == 200 and "text/csv" in export.content_type
    assert "Plt.,Kepala Dinas,Kepala Dinas Penanaman Modal PTSP" in text
    assert "01-12-2026,31-12-2026,SP 800/123/2026" in text


def test_the_tim_teknis_membership_is_a_filtered_user_list_that_exports(app, client, auth):
    auth.login("admin")
    page = client.get("/admin/pengguna/").get_data(as_text=True)
    assert "/admin/pengguna/export/csv/" in page  # the Ekspor menu
    # The Peran filter, as the list's filter bar writes it into the address.
    import json
    import re

    groups = json.loads(re.search(r'id="filter-groups-data"[^>]*>(.*?)<', page, re.S).group(1))
    (peran,) = [f for f in groups["Peran"] if f["operation"] == "sama dengan"]
    assert ["tim_teknis", "Tim Teknis"] in peran["options"]
    flt = f"flt0_{peran['arg']}"
    listing = client.get(f"/admin/pengguna/?{flt}=tim_teknis").get_data(as_text=True)
    export = client.get(f"/admin/pengguna/ekspor/csv/?{flt}=tim_teknis")
    rows = export.get_data().decode("utf-8-sig").strip().splitlines()
    export.close()
    assert rows[0].startswith("Nama pengguna,Nama lengkap,NIP")
    assert sorted(r.split(",")[0] for r in rows[1:]) == ["teknis1", "teknis2", "teknis3"]
    table = listing.split("model-list")[1].split("</table>")[0]
    assert "Tim Teknis" in table and "Kepala Dinas" not in table


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_on": "2026-11-01"}, "Tanggal selesai tidak boleh sebelum tanggal mulai."),
        ({"role": "kabid"}, "Pegawai ini sudah memegang peran tersebut."),
        ({"starts_on": "kemarin"}, "Tanggal mulai wajib diisi"),
    ],
)
def test_bad_appointments_are_refused_with_a_reason(app, auth, change, message):
    kabid = user_id(app, "kabid")
    auth.login("admin")
    form = {"user_id": str(kabid), "kind": "Plt.", "role": "kadis", "position": "Kepala Dinas",
            "starts_on": "2026-12-01", "ends_on": "2026-12-31", "basis": ""}  # fmt: skip
    response = auth.post("/admin/penugasan/new/", {**form, **change})
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(ActingAppointment.id))) == 0


def test_create_user_command_makes_the_first_admin(app, runner):
    result = runner.invoke(
        args=["create-user", "--username", "superadmin", "--full-name", "Admin Kedua",
              "--nip", "19900101 201501 1 001", "--password", "gajah-biru-lari-sore"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = _user(app, "superadmin")
    assert user.role == "admin" and user.check_password("gajah-biru-lari-sore")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username", "admin"], "sudah dipakai"),
        (["--username", "x1", "--nip", "123"], "NIP harus terdiri dari 18 digit angka."),
        (["--username", "x2", "--password", "pendek"], "Kata sandi minimal 15 karakter."),
        (["--username", "x3", "--password", "qwertyuiop123456"], "terlalu mudah ditebak"),
    ],
)
def test_create_user_command_refuses_bad_input(app, runner, args, message):
    base = {"--full-name": "Seseorang", "--password": "gajah-biru-lari-sore"}
    extra = [x for k, v in base.items() if k not in args for x in (k, v)]
    result = runner.invoke(args=["create-user", *args, *extra])
    assert result.exit_code != 0
    assert message in result.output


def test_seed_demo_prints_a_generated_password_that_works(empty_app):
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "fo, kadis, kabid, kasi, teknis1, teknis2, teknis3, admin" in result.output
    password = result.output.split("Kata sandi akun demo: ")[1].splitlines()[0].strip()
    assert "Pengaduan contoh dibuat: 40." in result.output
    with empty_app.app_context():
        for username in ("fo", "kadis", "teknis3", "admin"):
            user = db.session.scalar(select(User).where(User.username == username))
            assert user.check_password(password)
            assert len(user.nip) == 18
    again = runner.invoke(args=["seed-demo"])
    assert "sudah ada" in again.output


def test_admin_sets_an_officials_email_and_whatsapp_in_their_normal_form(app, auth):
    auth.login("admin")
    response = _edit(app, auth, "kasi", email=" Agus@Dinas.Example ", whatsapp="+62 812 3456 7890")
    assert response.status_code == 302
    kasi = _user(app, "kasi")
    assert (kasi.email, kasi.whatsapp) == ("Agus@dinas.example", "6281234567890")
