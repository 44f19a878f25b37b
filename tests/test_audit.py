"""The history of administration: every change to accounts and configuration, who and when."""

from sqlalchemy import select

from models import db
from models.audit import AdminChange
from tests.test_users import NEW_USER, _user


def _changes(app, table):
    with app.app_context():
        return db.session.scalars(
            select(AdminChange).where(AdminChange.table == table).order_by(AdminChange.id)
        ).all()


def test_creating_and_editing_an_account_is_recorded_without_the_password(app, client, auth):
    auth.login("admin")
    assert auth.post("/admin/pengguna/new/", NEW_USER).status_code == 302
    user = _user(app, "fo2")
    edit = {**NEW_USER, "role": "kasi", "position": "Kasi Monev", "password": "",
            "password_confirm": ""}  # fmt: skip
    url = f"/admin/pengguna/edit/?id={user.id}"
    assert auth.post(url, edit).status_code == 302
    created, changed = _changes(app, "user")[-2:]
    assert created.action == "create" and changed.action == "update"
    assert created.actor_name.startswith("Administrator") or "(admin)" in created.actor_name
    assert created.changes["username"] == [None, "fo2"]
    assert created.changes["kata sandi"] == ["", "(diganti)"]
    assert changed.changes == {"role": ["fo", "kasi"], "position": ["Petugas Front Office",
                                                                   "Kasi Monev"]}  # fmt: skip
    everything = " ".join(str(c.changes) for c in _changes(app, "user"))
    assert user.password_hash not in everything and "Loket-2026" not in everything


def test_the_history_is_the_admins_page_and_reads_in_indonesian(app, client, auth):
    auth.login("admin")
    auth.post("/admin/pengguna/new/", NEW_USER)
    page = client.get("/admin/riwayat-administrasi/").get_data(as_text=True)
    assert "Pengguna" in page and "dibuat" in page and "Lina Marlina" in page
    export = client.get("/admin/riwayat-administrasi/ekspor/csv/")
    assert export.status_code == 200 and "Lina Marlina" in export.get_data(as_text=True)
    export.close()
    auth.logout()
    auth.login("kadis")
    assert client.get("/admin/riwayat-administrasi/").status_code == 403
    assert client.get("/admin/riwayat-administrasi/ekspor/csv/").status_code == 403


def test_loading_the_sop_data_by_command_is_recorded_as_the_system(app):
    sop_rows = _changes(app, "sop")
    assert sop_rows and all(c.actor_name == "Sistem (perintah baris)" for c in sop_rows)
    assert {c.action for c in sop_rows} == {"create"}
