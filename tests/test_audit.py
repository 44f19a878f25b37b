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


def test_the_history_names_rows_and_kinds_never_ids_or_codes(app, client, auth):
    """An appointment reads with the official's name and the role's label; an SOP outcome
    with its step, its form's label and its place in the list (issue 19: "step_id: — → 23",
    "Jabatan: — → 1", "Formulir: disposition" no longer)."""
    from models.accounts import ROLE_LABELS, Role
    from models.kinds import FORM_LABELS
    from tests.conftest import user_id
    from tests.workflow_helpers import user

    kabid = user_id(app, "kabid")
    auth.login("admin")
    plt = {
        "user_id": str(kabid),
        "kind": "Plt.",
        "role": "kadis",
        "position": "Kepala Dinas",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
        "basis": "SP 800/123/2026",
    }
    assert auth.post("/admin/penugasan/new/", plt).status_code == 302
    with app.app_context():
        name = user("kabid").full_name
        from admin_views.audit import _changes_text
        from models import Sop, SopOutcome, SopStep

        step = db.session.scalar(select(SopStep).join(Sop).where(Sop.code == "SOP.50",
                                                                 SopStep.no == 3))  # fmt: skip
        outcome = {"step_id": [None, step.id], "form": [None, "disposition"],
                   "position": [None, 1]}  # fmt: skip
        text = _changes_text(outcome, SopOutcome.__tablename__)
        assert f"Langkah SOP: — → SOP.50 rev. {step.sop.revision} langkah 3" in text
        assert f"Formulir: — → {FORM_LABELS['disposition']}" in text and "Urutan: — → 1" in text
    page = client.get("/admin/riwayat-administrasi/").get_data(as_text=True)
    assert f"Pegawai: — → {name}" in page and f"Peran: — → {ROLE_LABELS[Role.KADIS]}" in page
    assert "user_id" not in page and "id: — →" not in page and "weekday" not in page
