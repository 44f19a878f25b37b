"""Search and paging of the complaint lists, through the indexes built for a million rows.

Search finds registration numbers by their start and words of the subject, the description
and — for the officials who may see identities — the name, but never a hidden complainant by
name, and the admin and the Tim Teknis never by any name. A queue page costs the same few
statements however many and however varied its rows. Later pages show exactly the rows that
follow.
"""

import csv
import io
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import event, func, select, update

from models import Complaint, db
from tests.workflow_helpers import register_complaint


def _numbers(client, url) -> list[str]:
    """The registration numbers of the list's rows, in order."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    return re.findall(r'<td class="col-reg_number">\s*(\S+)\s*</td>', html)


@pytest.fixture
def register(app):
    with app.app_context():
        made = {
            "aminah": register_complaint("media_sosial", complainant_name="Siti Aminah",
                                         subject="Antrean MPP terlalu lama"),
            "hidden": register_complaint("curhat_ning_ita", complainant_name="Siti Rahasia",
                                         subject="Pungutan liar di loket", is_anonymous="y"),
            "secret": register_complaint("kantor", complainant_name="Joko Rahasia",
                                         subject="Oknum petugas meminta imbalan",
                                         is_confidential="y"),
            "other": register_complaint("kantor", complainant_name="Bambang",
                                        subject="Izin reklame belum terbit"),
        }  # fmt: skip
        return {key: c.reg_number for key, c in made.items()}


def test_search_finds_words_of_the_subject_and_name_by_their_start(client, auth, register):
    auth.login("fo")
    assert _numbers(client, "/admin/pengaduan/?search=amin") == [register["aminah"]]
    assert _numbers(client, "/admin/pengaduan/?search=ANTREAN+mpp") == [register["aminah"]]
    assert _numbers(client, "/admin/pengaduan/?search=reklame") == [register["other"]]
    assert _numbers(client, "/admin/pengaduan/?search=antrean+reklame") == []


def test_search_never_reveals_a_hidden_complainant_by_name(client, auth, register):
    auth.login("fo")
    assert _numbers(client, "/admin/pengaduan/?search=Rahasia") == []
    assert _numbers(client, "/admin/pengaduan/?search=Joko") == []
    # their reports are still found by what they are about
    assert _numbers(client, "/admin/pengaduan/?search=pungutan") == [register["hidden"]]
    assert _numbers(client, "/admin/pengaduan/?search=imbalan") == [register["secret"]]


def test_search_by_registration_number_exact_or_its_start(client, auth, register):
    auth.login("fo")
    number = register["secret"]
    assert _numbers(client, f"/admin/pengaduan/?search={number}") == [number]
    head = number.split("/")[0] + "/pgd"  # typed in small letters
    assert _numbers(client, f"/admin/pengaduan/?search={head}") == [number]
    assert _numbers(client, "/admin/pengaduan/?search=9999/PGD") == []


@pytest.mark.parametrize("term", ['"', "a*", "NEAR(", "x OR", "-", "%", "_", "' OR 1=1 --",
                                  "antrean*", '"pungutan"'])  # fmt: skip
def test_search_syntax_in_the_term_is_only_text(client, auth, register, term):
    """Quotes, stars, NEAR, OR, LIKE and SQL in a term are not operators: the term finds what
    its words find (nothing, when it has none)."""
    from models.search import search_words

    auth.login("fo")
    found = _numbers(client, "/admin/pengaduan/?" + urlencode({"search": term}))
    words = " ".join(search_words(term))
    assert found == (
        _numbers(client, "/admin/pengaduan/?" + urlencode({"search": words})) if words else []
    )
    if term in ("antrean*", '"pungutan"'):
        assert found == [register["aminah" if "antrean" in term else "hidden"]]


def test_a_search_count_agrees_with_its_rows(client, auth, app):
    with app.app_context():
        for i in range(30):
            register_complaint("kantor", subject=f"Sengketa lahan nomor {i}")
        register_complaint("kantor", subject="Hal lain")
    auth.login("fo")
    page = client.get("/admin/pengaduan/?search=sengketa").get_data(as_text=True)
    assert re.search(r"\b30\b", page)  # the pager's total
    later = _numbers(client, "/admin/pengaduan/?search=sengketa&page=1")
    assert len(later) == 5


def test_a_queue_page_costs_three_statements_whatever_its_rows(client, auth, app):
    """The user, the count and the page: no statement per row, per channel or per SOP."""
    with app.app_context():
        for channel in ("media_sosial", "curhat_ning_ita", "kantor", "lapor"):
            for _ in range(4):
                register_complaint(channel)
    auth.login("kadis")
    url = "/admin/antrian/kadis/"
    client.get(url)  # choices of the filters are read once per process
    assert len(_numbers(client, url)) == 16
    with app.app_context():
        statements = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda *args: statements.append(args[2]))  # fmt: skip
        response = client.get(url)
    assert response.status_code == 200
    assert len(statements) == 3, statements


def test_later_pages_continue_the_order_of_the_first(client, auth, app, monkeypatch):
    from seeds.bulk import seed_bulk

    with app.app_context():
        seed_bulk(80, echo=lambda line: None)
    auth.login("fo")
    response = client.get("/admin/pengaduan/ekspor/csv/")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    response.close()
    everything = [row[0] for row in rows[1:]]
    pages = [_numbers(client, f"/admin/pengaduan/?page={n}") for n in range(4)]
    assert [n for page in pages for n in page] == everything
    assert [len(p) for p in pages] == [25, 25, 25, 5]
    # the register's size comes from the daily tally; a filtered list counts its rows
    assert "Daftar (80)" in client.get("/admin/pengaduan/").get_data(as_text=True)
    with app.app_context():
        channel = db.session.scalar(select(Complaint.channel_id).limit(1))
        same = db.session.scalar(select(func.count()).where(Complaint.channel_id == channel))
    listed = client.get(f"/admin/pengaduan/?flt0_0={channel}").get_data(as_text=True)
    assert f"Daftar ({same})" in listed and same < 80
    # A page past the middle is read from the list's end: the same rows, in the same order,
    # whatever the filter or the queue (the Kabid's sorts the ids of two roles' steps).
    from admin_views.complaint_lists import ComplaintList

    for login, path, query, size in (("fo", "/admin/pengaduan/", f"flt0_0={channel}&", 4),
                                     ("kabid", "/admin/antrian/kabid/", "", 1)):  # fmt: skip
        monkeypatch.setattr(ComplaintList, "page_size", size)
        auth.logout()
        auth.login(login)
        exported = client.get(f"{path}ekspor/csv/?{query}")
        rows = list(csv.reader(io.StringIO(exported.get_data().decode("utf-8-sig"))))
        exported.close()
        expected = [row[0] for row in rows[1:]]
        pages = [
            _numbers(client, f"{path}?{query}page={n}") for n in range(len(expected) // size + 1)
        ]
        assert [n for page in pages for n in page] == expected and len(expected) >= 2 * size, path


def test_a_search_with_very_many_matches_shows_the_newest_thousand(client, auth, app):
    from seeds.bulk import seed_bulk

    with app.app_context():
        seed_bulk(1100, echo=lambda line: None)
        db.session.execute(update(Complaint).values(subject="Sengketa " + Complaint.subject))
        db.session.commit()  # (the search words follow an edited subject)
        register_complaint("kantor", subject="Sengketa paling baru")
        newest = db.session.scalar(select(Complaint.reg_number).order_by(Complaint.id.desc()))
    auth.login("fo")
    page = client.get("/admin/pengaduan/?search=sengketa").get_data(as_text=True)
    assert "Lebih dari 1.000 pengaduan cocok" in page
    assert "Daftar (1000)" in page
    assert _numbers(client, "/admin/pengaduan/?search=sengketa")[0] == newest
    assert len(_numbers(client, "/admin/pengaduan/?search=sengketa&page=39")) == 25
    few = client.get("/admin/pengaduan/?search=paling").get_data(as_text=True)
    assert "Lebih dari" not in few and "Daftar (1)" in few


def test_readers_who_may_not_see_identities_never_find_a_complaint_by_name(client, auth, app):
    """The admin and the Tim Teknis: adding a surname's letters one at a time finds nothing,
    in the register and in the Tim Teknis's queue; the subject and the description still
    find the complaint. The officials who answer complainants find it by name."""
    from tests.workflow_helpers import act

    with app.app_context():
        complaint = register_complaint(
            "media_sosial",
            complainant_name="Wiryawan Handoko",
            subject="Reklame roboh di trotoar",
            description="Papan reklame menutup jalur sepeda.",
        )
        for who, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "rakor")):
            act(complaint, who, outcome)  # now at the meeting teknis1 is invited to
        number = complaint.reg_number
    for username, url in (
        ("admin", "/admin/pengaduan/"),
        ("teknis1", "/admin/antrian/tim-teknis/"),
    ):
        auth.login(username)
        assert _numbers(client, url) == [number]  # the complaint is in the list
        for name in ("Wiryawan", "Handoko"):
            for end in range(1, len(name) + 1):
                found = _numbers(client, f"{url}?search={name[:end]}")
                assert number not in found, (username, name[:end])
        assert _numbers(client, f"{url}?search=reklame+roboh") == [number]
        assert _numbers(client, f"{url}?search=jalur+sepeda") == [number]  # the description
        assert "nama pengadu" not in client.get(url).get_data(as_text=True)
        auth.logout()
    for username in ("fo", "kadis", "kabid", "kasi"):
        auth.login(username)
        assert _numbers(client, "/admin/pengaduan/?search=handoko") == [number], username
        assert _numbers(client, "/admin/pengaduan/?search=wiry+trotoar") == [number], username
        auth.logout()


@pytest.mark.parametrize("username", ["fo", "kadis", "kabid", "kasi", "admin"])
def test_the_register_count_is_what_each_official_may_see(client, auth, app, username):
    """The whole register's count comes from the day tally and the confidential readers, not
    a scan; it must be exactly the rows the official may see, confidential ones at every
    stage of their path included."""
    from seeds.bulk import seed_bulk
    from tests.workflow_helpers import act

    with app.app_context():
        seed_bulk(300, echo=lambda line: None)  # about 2% confidential, at every step
        secret = register_complaint("kantor", is_confidential="y", subject="Rahasia baru")
        act(secret, "kadis", "arahan")  # waiting on the Kabid: on his path, not yet the Kasi's
        register_complaint("kantor", is_confidential="y")  # waiting on the Kepala Dinas only
        from models.identity import visible_complaints
        from tests.workflow_helpers import user

        visible = visible_complaints(user(username))
        query = select(func.count(Complaint.id))
        expected = db.session.scalar(query if visible is None else query.where(visible))
        hidden = db.session.scalar(select(func.count()).where(Complaint.is_confidential))
    assert hidden >= 3
    auth.login(username)
    page = client.get("/admin/pengaduan/").get_data(as_text=True)
    assert f"Daftar ({expected})" in page
    pages = -(-expected // 25)
    last = _numbers(client, f"/admin/pengaduan/?page={pages - 1}")
    assert len(last) == expected - 25 * (pages - 1)
    if username in ("fo", "kadis"):
        assert expected == 302
    else:
        assert expected < 302


@pytest.mark.parametrize("username", ["kabid", "kasi", "admin"])
def test_the_register_page_costs_few_statements_for_every_role(client, auth, app, username):
    from seeds.bulk import seed_bulk

    with app.app_context():
        seed_bulk(120, echo=lambda line: None)
    auth.login(username)
    url = "/admin/pengaduan/"
    client.get(url)  # choices of the filters are read once per process
    with app.app_context():
        statements = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda *args: statements.append(args[2]))  # fmt: skip
        response = client.get(url)
    assert response.status_code == 200
    assert len(statements) <= 4, statements
