"""The interface speaks Indonesian and shows the SOPs as the paper does, to every official."""

from datetime import UTC, date, datetime

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from admin_views.i18n import TRANSLATIONS_DIR
from models.dates import format_date_long, format_day_date, format_moment

ENGLISH_ON_ADMIN_PAGES = ["Save", "Cancel", "Delete", "Search", "Filter", "Create", "List",
                          "Home", "Add Filter", "items", "Edit"]  # fmt: skip


def test_moments_are_shown_in_wib_with_indonesian_months():
    moment = datetime(2026, 11, 28, 7, 5, tzinfo=UTC)  # 14.05 in Jakarta
    assert format_moment(moment) == "28 Nov 2026 14.05 WIB"
    assert format_moment(datetime(2026, 8, 16, 17, 30, tzinfo=UTC)) == "17 Agu 2026 00.30 WIB"
    assert format_date_long(date(2026, 11, 28)) == "28 November 2026"
    assert format_day_date(date(2026, 11, 28)) == "Sabtu, 28 November 2026"


def test_naive_moments_are_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        format_moment(datetime(2026, 11, 28, 7, 5))


def test_moments_are_stored_in_utc_and_read_back_aware(app):
    from models import User, db

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "fo"))
        assert user.created_at.tzinfo is not None
        assert user.created_at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("domain", ["admin", "wtforms"])
def test_compiled_catalogs_match_their_sources(domain):
    folder = TRANSLATIONS_DIR / "id" / "LC_MESSAGES"
    with open(folder / f"{domain}.po", "rb") as f:
        po = read_po(f)
    with open(folder / f"{domain}.mo", "rb") as f:
        mo = read_mo(f)

    def entries(catalog):
        def key(x):
            return tuple(x) if isinstance(x, list | tuple) else x

        return {key(m.id): key(m.string) for m in catalog if m.id}

    po_entries, mo_entries = entries(po), entries(mo)
    assert po_entries == mo_entries, f"run: make translations ({domain}.mo is stale)"
    assert all(po_entries.values()), "an entry is untranslated"


@pytest.mark.parametrize(
    "path", ["/admin/pengguna/", "/admin/pengguna/new/", "/admin/sop/", "/admin/penugasan/"]
)
def test_admin_pages_show_no_english_buttons(client, auth, path):
    auth.login("admin")
    html = client.get(path).get_data(as_text=True)
    for word in ENGLISH_ON_ADMIN_PAGES:
        assert f">{word}<" not in html and f">{word} <" not in html, (path, word)
        assert f'value="{word}"' not in html, (path, word)


def test_flask_admin_plurals_and_wtforms_messages_are_indonesian(client, auth):
    auth.login("admin")
    html = client.get("/admin/pengguna/").get_data(as_text=True)
    assert "Tambah" in html and "Cari" in html
    response = auth.post("/admin/penugasan/new/", {"user_id": "", "kind": "Plt.", "role": "kadis"})
    html = response.get_data(as_text=True)
    assert "Pilih pegawai yang ditugaskan." in html or "Pilihan tidak valid" in html
    assert "Not a valid" not in html and "This field is required" not in html


def test_wtforms_built_in_messages_are_translated(app):
    from admin_views.i18n import wtforms_translations

    t = wtforms_translations()
    assert t.gettext("This field is required.") == "Kolom ini wajib diisi."
    assert t.gettext("Not a valid integer value.") != "Not a valid integer value."


@pytest.mark.parametrize("role", ["fo", "kadis", "kabid", "kasi", "teknis1", "admin"])
def test_every_official_reads_the_sops_as_on_paper(app, client, auth, role):
    from models import Sop, db

    auth.login(role)
    listing = client.get("/admin/sop/").get_data(as_text=True)
    assert "065/SOP.48/417.514.3/2021" in listing and "065/SOP.50/417.514.3/2021" in listing
    with app.app_context():
        sop50 = db.session.scalar(db.select(Sop).where(Sop.code == "SOP.50"))
    page = client.get(f"/admin/sop/details/?id={sop50.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    expected = (
        "Nomor SOP", "Tgl Efektif", "03-01-2022", "HERYANA DODIK MURTONO",
        "NIP. 19780727 199703 1 002", "Kelengkapan", "Waktu", "Output",
        "Tim Teknis berkoordinasi dipimpin Kepala Bidang", "1 hari", "180 menit",
    )  # fmt: skip
    for text in expected:
        assert text in html, text
    with app.app_context():
        steps = db.session.get(Sop, sop50.id).steps
        assert html.count('id="langkah-') == len(steps)
        closing = [s.no for s in steps if not s.on_paper]
    assert closing and html.count('class="closing-stage"') == len(closing)
    assert "Tahap penutup setelah tabel SOP" in html


def test_reconstructed_sop_49_says_so(app, client, auth):
    from models import Sop, db

    auth.login("kasi")
    with app.app_context():
        sop49 = db.session.scalar(db.select(Sop).where(Sop.code == "SOP.49"))
    html = client.get(f"/admin/sop/details/?id={sop49.id}").get_data(as_text=True)
    assert "Direkonstruksi" in html
    with app.app_context():
        assert html.count('id="langkah-') == len(db.session.get(Sop, sop49.id).steps)


@pytest.mark.parametrize("query", ["?id=999999", "?id=1,2", "?id=abc", ""])
def test_unknown_sop_ids_answer_404_not_500(client, auth, query):
    auth.login("kasi")
    assert client.get(f"/admin/sop/details/{query}").status_code == 404


# Flask-Admin sends a page it does not allow back to the list; its delete takes POST only.
@pytest.mark.parametrize(("path", "on_get"), [("/admin/sop/new/", 302),
                                              ("/admin/sop/edit/?id=1", 302),
                                              ("/admin/sop/delete/", 405)])  # fmt: skip
def test_sops_cannot_be_changed_from_the_sop_pages(app, client, auth, path, on_get):
    from models import Sop, SopStep, db
    from tests.conftest import csrf_token

    auth.login("admin")
    with app.app_context():
        before = (db.session.query(Sop).count(), db.session.query(SopStep).count())
    assert client.get(path).status_code == on_get
    token = csrf_token(client, "/admin/sop/")
    response = client.post(path, data={"id": "1", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/sop/")
    with app.app_context():
        assert (db.session.query(Sop).count(), db.session.query(SopStep).count()) == before


def test_home_shows_what_waits_and_what_is_late(app, client, auth):
    from datetime import timedelta

    from models import Complaint, db
    from tests.workflow_helpers import register_complaint

    with app.app_context():
        late = register_complaint("curhat_ning_ita")
        register_complaint("curhat_ning_ita")
        c = db.session.get(Complaint, late.id)
        c.due_at = c.due_at - timedelta(days=3)
        db.session.commit()
    auth.login("kadis")
    html = client.get("/admin/").get_data(as_text=True)
    assert "Antrian Kepala Dinas" in html
    assert 'title="menunggu">2<' in html and "1 terlambat" in html
    assert "Pengaduan masuk per minggu" in html and "<svg" in html
    auth.logout()
    auth.login("admin")
    assert "Peran Anda tidak memiliki antrian." in client.get("/admin/").get_data(as_text=True)
