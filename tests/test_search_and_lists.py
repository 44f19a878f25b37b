"""Search and paging of the complaint lists, through the indexes built for a million rows.

Search finds registration numbers by their start and words of the subject and the name, but
never a hidden complainant by name. A queue page costs the same few statements however many
and however varied its rows. Later pages show exactly the rows that follow.
"""

import csv
import io
import re

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


@pytest.mark.parametrize("term", ['"', "a*", "NEAR(", "x OR", "-", "%", "_", "' OR 1=1 --"])
def test_search_syntax_in_the_term_is_only_text(client, auth, register, term):
    auth.login("fo")
    response = client.get("/admin/pengaduan/", query_string={"search": term})
    assert response.status_code == 200


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


def test_later_pages_continue_the_order_of_the_first(client, auth, app):
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
