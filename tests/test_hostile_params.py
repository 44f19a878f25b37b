"""Crafted values in every parameter of every page: the URL map drives the test.

Each GET endpoint is opened once, as an official who may open it, and the query parameters
it reads are recorded (a request class that notes every key asked for; a list's filters are
added, since Flask-Admin finds them by iterating). Then every parameter read, and every part
of the path, gets hostile values — huge, negative, zero, NUL, text for a number, far dates,
SQL, very long text — one at a time. None may answer 500: a value a page cannot use answers
a clear 400 or 404 in Indonesian (or the page, when the value is harmless text).
"""

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from tests.conftest import PASSWORD
from tests.test_access_matrix import ANYONE, NARROWER, USERS, VIEWS, _rules
from tests.workflow_helpers import act, register_complaint

# A list's filters (many per list: one per column and operation) get the values that break
# parsers and databases; every other parameter gets them all.
FILTER_HOSTILE = ["99999999999999999999", "-1", "a\x00b", "0001-01-01", "9999-12-31"]
HOSTILE = [
    "99999999999999999999", "9223372036854775808", "-1", "abc", "a\x00b", "0001-01-01",
    "9999-12-31", "' OR 1=1 --", "x" * 3000, "//evil.example/",
]  # fmt: skip
# Words of the web server's own English pages: an answer carrying one was not ours.
ENGLISH = ("Bad Request", "Not Found", "Internal Server Error", "Method Not Allowed",
           "The browser (or proxy)", "Request Entity Too Large")  # fmt: skip
PREFERENCE = ("fo", "kadis", "kabid", "kasi", "tim_teknis", "admin")
READ: set[str] = set()


class RecordingArgs(ImmutableMultiDict):
    """Query parameters that note every key a page asks for."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        READ.add(key)
        return super().get(key, default, type)

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):  # noqa: A002
        READ.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = RecordingArgs


def _owner(view: str, page: str) -> str:
    """The first official (in PREFERENCE) who may open the page."""
    allowed = VIEWS[view] & NARROWER.get(page, ANYONE)
    return next((p for p in PREFERENCE if p in allowed), None)


def _plan(app) -> dict[str, list]:
    """The GET rules each principal feeds: one rule of each (view class, page), since the
    views of one class read their parameters with the same code (five queues, four lists
    of master data), by the first official who may open it."""
    views = {v.endpoint: v for v in app.extensions["admin"][0]._views}
    plan, done = {p: [] for p in PREFERENCE}, set()
    for rule, view, page in _rules(app):
        if "GET" not in rule.methods:
            continue
        kind = (type(views[view]).__name__ if view in views else view, page)
        owner = _owner(view, page)
        if owner is None or kind in done:
            continue
        done.add(kind)
        plan[owner].append((rule, view, page, views.get(view)))
    return plan


@pytest.fixture
def complaint_ids(app):
    """A complaint at the meeting (so every kind of page has something to show) with its
    register record, and one waiting for the Kepala Dinas."""
    from sqlalchemy import select

    from models import StepRecord, db

    with app.app_context():
        complaint = register_complaint("media_sosial")
        for who, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "rakor")):
            act(complaint, who, outcome)
        record = db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == complaint.id, StepRecord.document.is_not(None))
            .order_by(StepRecord.seq.desc()).limit(1))  # fmt: skip
        waiting = register_complaint("kantor")
        return {"complaint": complaint.id, "record": record, "waiting": waiting.id}


def _path_values(rule, ids) -> dict:
    return {name: {"record_id": ids["record"], "attachment_id": 1, "fmt": "csv",
                   "export_type": "csv"}.get(name, 1)
            for name in rule.arguments}  # fmt: skip


def _problem(client, path, query) -> str | None:
    """Why the answer to GET `path` with `query` is wrong, or None."""
    try:
        response = client.get(path, query_string=query)
    except Exception as exc:  # the testing app lets an error page's cause through
        return f"500 ({type(exc).__name__}: {str(exc)[:90]})"
    try:
        return _ok(response)
    finally:
        response.close()


def _ok(response) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{status}"
    if status >= 400 and response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        english = [w for w in ENGLISH if w in body]
        if english or 'lang="id"' not in body and "Pengaduan" not in body:
            return f"{status} not Indonesian: {english or body[:80]!r}"
    return None


def _login(client, principal) -> None:
    token = client.get("/login").get_data(as_text=True).split('name="csrf_token"')[1]
    token = token.split('value="')[1].split('"')[0]
    assert (
        client.post(
            "/login", data={"username": USERS[principal], "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )


# Two halves that run side by side: the officials' pages, and the admin's.
GROUPS = {"officials": PREFERENCE[:-1], "administration": PREFERENCE[-1:]}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_parameter_of_every_page_survives_hostile_values(
    app, complaint_ids, monkeypatch, group
):
    monkeypatch.setattr(app, "request_class", RecordingRequest)
    plan = _plan(app)
    wrong, tried = [], 0
    for principal in GROUPS[group]:
        if plan[principal]:
            client = app.test_client()
            _login(client, principal)
            found, count = _feed(client, plan[principal], complaint_ids)
            wrong += [f"{principal}: {line}" for line in found]
            tried += count
    assert wrong == [], f"{len(wrong)} of {tried}:\n" + "\n".join(wrong[:40])
    assert tried > 100


def _feed(client, rules, complaint_ids) -> tuple[list[str], int]:
    """Feed each of `rules` its hostile values; return what went wrong and how many tried."""
    wrong, tried = [], 0
    for rule, _view, page, view_object in rules:
        values = _path_values(rule, complaint_ids)
        path = rule.build(values, append_unknown=False)[1]
        base = {"id": str(complaint_ids["complaint"])}
        READ.clear()
        baseline = client.get(path, query_string=base)
        baseline.close()
        if baseline.status_code >= 500:
            wrong.append(f"{path} baseline → {baseline.status_code}")
            continue
        fed = {name: HOSTILE for name in set(READ) - {"csrf_token"}}
        if page in ("index_view", "export_view", "export"):
            fed |= dict.fromkeys(("page", "sort", "desc", "search"), HOSTILE)
            for index in range(len(getattr(view_object, "_filters", None) or ())):
                fed[f"flt0_{index}"] = FILTER_HOSTILE
        for name, values_fed in sorted(fed.items()):
            for value in values_fed:
                problem = _problem(client, path, {**base, name: value})
                tried += 1
                if problem:
                    wrong.append(f"{path}?{name}={value[:30]!r} → {problem}")
        for name in rule.arguments:  # the path's own parts
            for value in HOSTILE:
                if not value or "/" in value:
                    continue
                try:
                    crafted = rule.build({**values, name: value}, append_unknown=False)[1]
                except Exception:  # the converter refuses to build it: not a URL
                    continue
                problem = _problem(client, crafted, base)
                tried += 1
                if problem:
                    wrong.append(f"{crafted[:80]} → {problem}")
    return wrong, tried


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/",
                                    "/\\evil.example", "/\t/evil.example", "javascript:x()",
                                    "http:/evil.example"])  # fmt: skip
def test_the_back_link_of_a_complaint_stays_on_this_site(client, auth, complaint_ids, target):
    import urllib.parse

    auth.login("kadis")
    cid = complaint_ids["complaint"]
    details = "/admin/pengaduan/details/"
    response = client.get(details, query_string={"id": cid, "url": target})
    page = response.get_data(as_text=True)
    if response.status_code == 400:  # a control character: the address itself is refused
        assert "evil.example" not in page
        return
    back = page.split("Kembali ke daftar")[0].rsplit('href="', 1)[1].split('"')[0]
    assert back == "/admin/pengaduan/", back
    auth.logout()
    # the same through the login page: its `next` leads to the page, the page's link home
    path = f"{details}?id={cid}&url={urllib.parse.quote(target)}"
    token = client.get("/login").get_data(as_text=True).split('value="')[1].split('"')[0]
    response = client.post(
        "/login",
        query_string={"next": path},
        data={"username": "kadis", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"].startswith("/admin/pengaduan/details/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "evil.example" not in page.split("Kembali ke daftar")[0].rsplit("<a", 1)[1]


def test_a_list_page_keeps_its_own_back_link(client, auth, complaint_ids):
    auth.login("kadis")
    page = client.get(
        "/admin/pengaduan/details/",
        query_string={"id": complaint_ids["complaint"], "url": "/admin/pengaduan/?page=1"},
    )
    assert 'href="/admin/pengaduan/?page=1">&larr; Kembali' in page.get_data(as_text=True)
