"""Officials at the same moment against a real server: gunicorn with four worker processes,
on SQLite and on PostgreSQL, driven over HTTP as browsers would (login, CSRF token, POST).

20 attempts to act on one step: exactly one succeeds. 50 registrations at once: 50 distinct
numbers without a gap. 20 meeting invitations at once: 20 distinct letter numbers without a
gap.
"""

import http.cookiejar
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from models import Complaint, StepRecord, db
from tests.conftest import PASSWORD
from tests.served import database_url, gunicorn
from tests.workflow_helpers import FORMS, act, register_complaint, registration

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One official's browser: its own cookies, no automatic redirects."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def request(self, path, data=None) -> tuple[int, str]:
        """GET (or POST `data`) `path`; a redirect is followed once, as a browser would show
        the next page with its messages: (status of the first answer, text of the last)."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=120) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            error.close()
            location = error.headers.get("Location")
            if error.code == 302 and location and data is not None:
                return 302, self.request(urllib.parse.urlsplit(location).path)[1]
            return error.code, text

    def token(self, path) -> str:
        status, page = self.request(path)
        match = CSRF_RE.search(page)
        assert match, (path, status)
        return match.group(1)

    def login(self, username):
        status, _ = self.request("/login", {"username": username, "password": PASSWORD,
                                            "csrf_token": self.token("/login")})  # fmt: skip
        assert status == 302, username
        return self

    def tab(self) -> "Browser":
        """Another tab of this browser: the same session (its cookies, its CSRF token)."""
        other = Browser(self.base)
        for cookie in self.cookies:
            other.cookies.set_cookie(cookie)
        return other


@pytest.fixture
def server(app, db_config, tmp_path):
    url = database_url(db_config)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "server-test-secret",
           "PENGADUAN_ENV": "test", "SUBMIT_MIN_SECONDS": "0",
           "SUBMIT_PER_ADDRESS": "100"}  # fmt: skip
    with gunicorn(env, tmp_path / "gunicorn.log", workers=4) as base:
        yield base


def _together(count, work):
    """Run `work(i)` in `count` threads released at the same moment; return the results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        prepared = work(i)
        barrier.wait(timeout=120)
        results[i] = prepared()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results


def test_twenty_officials_on_one_step_exactly_one_succeeds(app, server):
    with app.app_context():
        complaint = register_complaint("curhat_ning_ita")
        cid, version = complaint.id, complaint.version
        form = FORMS["arahan"]()
    kadis = Browser(server).login("kadis")  # the complaint's page open in twenty tabs
    data = {**form, "outcome": "arahan", "version": version,
            "csrf_token": kadis.token(f"/admin/antrian/kadis/details/?id={cid}")}  # fmt: skip

    def prepare(_i):
        tab = kadis.tab()
        return lambda: tab.request(f"/admin/antrian/kadis/aksi/?id={cid}", data)

    results = _together(20, prepare)
    assert all(status in (302, 409) for status, _ in results), [s for s, _ in results]
    saved = [page for _, page in results if "Tersimpan: " in page]
    told = [page for _, page in results
            if "sudah ditindaklanjuti oleh" in page.lower()]  # fmt: skip
    assert len(saved) == 1 and len(told) == 19
    with app.app_context():
        assert db.session.scalar(select(func.count(StepRecord.id))
                                 .where(StepRecord.complaint_id == cid)) == 3  # fmt: skip
        assert db.session.get(Complaint, cid).current_actor == "kabid"


def test_fifty_registrations_at_once_get_fifty_numbers_without_a_gap(app, server):
    with app.app_context():
        form = registration("kantor")

    fo = Browser(server).login("fo")  # the registration form open in fifty tabs
    token = fo.token("/admin/pengaduan/registrasi/")

    def prepare(i):
        tab, data = fo.tab(), {**form, "subject": f"Pengaduan serentak {i}", "csrf_token": token}
        return lambda: tab.request("/admin/pengaduan/registrasi/", data)

    results = _together(50, prepare)
    assert [status for status, _ in results] == [302] * 50
    with app.app_context():
        seqs = sorted(db.session.scalars(select(Complaint.reg_seq)))
    assert seqs == list(range(1, 51))


def test_twenty_invitations_at_once_get_twenty_letter_numbers_without_a_gap(app, server):
    with app.app_context():
        ids = []
        for _ in range(20):
            c = register_complaint("media_sosial")
            act(c, "kadis", "arahan")
            act(c, "kabid", "perintah_kasi")
            ids.append(c.id)
        form = FORMS["rakor"]()

    kasi = Browser(server).login("kasi")  # twenty complaints' pages open in as many tabs
    token = kasi.token(f"/admin/antrian/kasi/details/?id={ids[0]}")

    def prepare(i):
        tab, data = kasi.tab(), {**form, "outcome": "rakor", "csrf_token": token}
        return lambda: tab.request(f"/admin/antrian/kasi/aksi/?id={ids[i]}", data)

    results = _together(20, prepare)
    assert [status for status, _ in results] == [302] * 20
    with app.app_context():
        numbers = db.session.scalars(select(StepRecord.document_number).where(
            StepRecord.document == "undangan_rakor")).all()  # fmt: skip
    seqs = sorted(int(n.split("/")[1]) for n in numbers)
    assert seqs == list(range(1, 21)), numbers


def test_forty_login_attempts_at_once_check_no_more_wrong_passwords_than_the_limit(app, server):
    """39 wrong passwords and the right one released together: attempts take their turn, so
    at most the limit of wrong ones is checked (before the right one, and again after it: a
    success starts the count anew), and the right one gets in only if its turn came before
    the account was held."""
    from models.accounts import LoginAttempt

    limit = app.config["LOGIN_MAX_FAILURES"]

    def prepare(i):
        browser = Browser(server)
        token = browser.token("/login")
        password = PASSWORD if i == 39 else f"salah-{i}"
        return lambda: browser.request("/login", {"username": "kadis", "password": password,
                                                  "csrf_token": token})  # fmt: skip

    statuses = [status for status, _ in _together(40, prepare)]
    with app.app_context():
        checked = [a.succeeded for a in db.session.scalars(
            select(LoginAttempt).where(LoginAttempt.username == "kadis")
            .order_by(LoginAttempt.id))]  # fmt: skip
    wrong = checked.count(False)
    # A success starts the count again: at most `limit` wrong ones before it and after it.
    before, _, after = "".join("T" if ok else "F" for ok in checked).partition("T")
    assert len(after) <= limit and len(before) <= limit, (statuses, checked)
    if True in checked:
        assert len(before) < limit, (statuses, checked)  # the right one came before the hold
    assert statuses.count(429) == 40 - len(checked), (statuses, checked)
    assert statuses.count(400) == wrong, (statuses, checked)


def test_fifty_public_submissions_at_once_all_arrive_once_with_distinct_codes(app, server):
    """Fifty citizens send the public form at the same moment (from one address here: its
    limit raised, the bot check's wait waived for the test): each is taken once, with its
    own tracking code."""
    from models.submission import Submission

    def prepare(i):
        citizen = Browser(server)
        page = citizen.request("/lapor/")[1]
        data = {
            "csrf_token": CSRF_RE.search(page).group(1),
            "opened": re.search(r'name="opened" type="hidden" value="([^"]+)"', page).group(1),
            "jenis_id": re.search(r'<option value="(\d+)">', page).group(1),
            "subject": f"Pengaduan daring serentak {i}",
            "description": "Antrean loket perizinan sangat panjang.",
            "name": f"Warga {i}",
            "consent": "y",
        }
        return lambda: citizen.request("/lapor/", data)

    results = _together(50, prepare)
    assert [status for status, _ in results] == [302] * 50, [s for s, _ in results]
    codes = [re.search(r'id="kode-lacak">([A-Z0-9-]+)<', page).group(1) for _, page in results]
    assert len(set(codes)) == 50
    with app.app_context():
        subjects = sorted(db.session.scalars(select(Submission.subject)))
        hashes = set(db.session.scalars(select(Submission.tracking_hash)))
    assert subjects == sorted(f"Pengaduan daring serentak {i}" for i in range(50))
    assert len(hashes) == 50
