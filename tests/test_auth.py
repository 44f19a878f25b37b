"""Login, logout, CSRF and the rule that every /admin/ page needs a logged-in official."""

import pytest

from admin_views.csp import inline_script_left
from tests.conftest import PASSWORD, csrf_token


def test_login_page_shows_the_form_in_indonesian(client):
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html
    assert "Masuk" in html and 'name="csrf_token"' in html


def test_login_with_good_credentials_opens_the_home_page(client, auth):
    response = auth.login("kadis")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    home = client.get("/admin/").get_data(as_text=True)
    assert "Dr. Bambang Hariyanto" in home
    assert "Kepala Dinas" in home


def test_session_cookie_is_httponly_and_samesite_lax(client, auth):
    response = auth.login("fo")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    ("username", "password"),
    [("kadis", "salah-sekali1"), ("tidak-ada", PASSWORD), ("", "")],
)
def test_bad_login_says_why_in_indonesian_and_stays_anonymous(client, auth, username, password):
    response = auth.login(username, password)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "salah" in html or "wajib diisi" in html
    assert client.get("/admin/").status_code == 302


def test_inactive_account_cannot_log_in(app, client, auth):
    from models import User, db

    with app.app_context():
        db.session.execute(db.update(User).where(User.username == "kasi").values(active=False))
        db.session.commit()
    assert auth.login("kasi").status_code == 400
    assert client.get("/admin/").status_code == 302


def test_deactivating_ends_an_open_session(app, client, auth):
    from models import User, db

    auth.login("kasi")
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        db.session.execute(db.update(User).where(User.username == "kasi").values(active=False))
        db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_post_without_csrf_token_is_refused(client, auth):
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302  # not logged in


def test_admin_post_without_csrf_token_is_refused_and_saves_nothing(app, client, auth):
    auth.login("admin")
    response = client.post(
        "/admin/pengguna/new/",
        data={"username": "tanpatoken", "full_name": "Tanpa Token", "position": "X",
              "role": "fo", "password": "abc12345xyz", "password_confirm": "abc12345xyz"},
    )  # fmt: skip
    assert response.status_code == 400
    from models import User, db

    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.username == "tanpatoken")) is None


def test_logout_ends_the_session(client, auth):
    auth.login("kabid")
    assert client.get("/admin/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_logout_by_get_is_not_allowed(client, auth):
    auth.login("kabid")
    assert client.get("/logout").status_code == 405
    assert client.get("/admin/").status_code == 200


def _admin_urls(app):
    """Every GET URL under /admin/ from the app's own URL map, with sample arguments."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint == "admin.static":
            continue
        if "GET" not in rule.methods and "POST" not in rule.methods:
            continue
        urls.append(rule.rule.replace("<filename>", "x").replace("<path:filename>", "x"))
    return urls


def test_every_admin_url_redirects_anonymous_visitors_to_login(app, client):
    urls = _admin_urls(app)
    assert len(urls) > 10
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if method == "post" and response.status_code == 400:
                continue  # refused by CSRF before anything else: also not served
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/login"), (method, url)


def test_login_returns_to_the_page_asked_for(client, auth):
    client.get("/admin/sop/")
    token = csrf_token(client, "/login?next=/admin/sop/")
    response = client.post(
        "/login?next=/admin/sop/",
        data={"username": "kasi", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/admin/sop/"


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_login_never_redirects_to_another_site(client, target):
    token = csrf_token(client, "/login")
    response = client.post(
        f"/login?next={target}",
        data={"username": "kasi", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/admin/"


# -- password guessing, idle sessions, headers ---------------------------------------------


def _later(monkeypatch, minutes: int) -> None:
    """Move the login page's clock `minutes` on (the attempts log is append-only: what was
    recorded stays as it was)."""
    from datetime import timedelta

    from models.types import utcnow

    monkeypatch.setattr("admin_views.auth.utcnow", lambda: utcnow() + timedelta(minutes=minutes))


def test_an_account_is_held_after_five_wrong_passwords(app, client, auth, monkeypatch):
    for _ in range(5):
        assert auth.login("kadis", "salah-terus").status_code == 400
    held = auth.login("kadis")  # even the right password waits now
    assert held.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit." in held.get_data(
        as_text=True
    )
    assert client.get("/admin/").status_code == 302  # still anonymous
    assert auth.login("kabid").status_code == 302  # another account from here is not held
    auth.logout()
    _later(monkeypatch, 16)
    assert auth.login("kadis").status_code == 302


def test_a_good_login_forgives_earlier_mistakes(client, auth):
    for _ in range(4):
        auth.login("kasi", "keliru")
    assert auth.login("kasi").status_code == 302
    auth.logout()
    for _ in range(4):
        auth.login("kasi", "keliru")
    assert auth.login("kasi").status_code == 302


def test_an_address_is_held_after_twenty_failures_over_any_accounts(client, auth):
    for i in range(20):
        auth.login(f"tebakan{i}", "salah")
    assert auth.login("fo").status_code == 429


def test_an_idle_session_ends_and_asks_to_log_in_again(app, client, auth):
    auth.login("fo")
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60  # the official went to lunch
    expired = client.get("/admin/pengaduan/")
    assert expired.status_code == 302 and "/login" in expired.headers["Location"]
    page = client.get(expired.headers["Location"]).get_data(as_text=True)
    assert "Sesi Anda berakhir karena lama tidak ada aktivitas" in page
    assert client.get("/admin/").status_code == 302


def test_an_active_session_stays_open(client, auth):
    auth.login("fo")
    with client.session_transaction() as session:
        session["seen"] -= 29 * 60
    assert client.get("/admin/").status_code == 200


def test_pages_forbid_framing_and_content_sniffing(client, auth):
    for response in (client.get("/login"), (auth.login("fo"), client.get("/admin/"))[1]):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_run_only_the_sites_own_script_files(client, auth):
    """The policy forbids inline script; no page the officials use needs any (the browser
    tests in test_browser.py show the pages working under it)."""
    auth.login("kadis")
    for path in ("/admin/", "/admin/antrian/kadis/", "/admin/pengaduan/", "/admin/sop/"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split(
            "style-src")[0] and "frame-ancestors 'none'" in policy  # fmt: skip
        page = response.get_data(as_text=True)
        assert inline_script_left(page) == [], path
        assert "<script>" not in page and '<script src="http' not in page
    assert "data-model-action=" in client.get("/admin/antrian/kadis/").get_data(as_text=True)
    pdf = client.get("/admin/rekap/pdf/")
    assert pdf.mimetype == "application/pdf" and "Content-Security-Policy" not in pdf.headers


def test_no_flask_admin_template_keeps_an_inline_handler(app):
    """An upgrade of Flask-Admin that adds one fails here, not in an official's browser."""
    loader = app.jinja_env.loader
    names = [n for n in loader.list_templates() if n.startswith("admin/")]
    assert len(names) > 30
    left = {}
    for name in names:
        source = loader.get_source(app.jinja_env, name)[0]
        if name.startswith(("admin/rediscli", "admin/file")):  # views this product never mounts
            continue
        if inline_script_left(source):
            left[name] = inline_script_left(source)
    assert left == {}
    assert inline_script_left('<a href="javascript:x()">') and inline_script_left('<b onclick="x">')


# -- sessions end on every host; the absolute cap counts from login -------------------------


def _copied_session(client) -> str:
    return client.get_cookie("session").value


def _with_cookie(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def test_a_session_cookie_copied_before_logout_no_longer_works(app, client, auth):
    auth.login("kasi")
    copied = _copied_session(client)
    assert _with_cookie(app, copied).get("/admin/").status_code == 200
    auth.logout()
    replayed = _with_cookie(app, copied).get("/admin/")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_logout_on_one_app_host_ends_the_session_on_another(app, client, auth, db_config):
    """Two app hosts on one database (each its own process in production; two apps here):
    the session made on A works on B, and logout on A ends it on B."""
    from tests.conftest import make_app

    host_b = make_app(db_config)
    auth.login("kabid")
    copied = _copied_session(client)
    on_b = host_b.test_client()
    on_b.set_cookie("session", copied)
    assert on_b.get("/admin/").status_code == 200
    auth.logout()
    assert on_b.get("/admin/").status_code == 302
    with host_b.app_context():
        from models import db

        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("change", ["password", "deactivate"])
def test_a_password_reset_or_deactivation_ends_the_users_sessions(app, client, auth, change):
    auth.login("kasi")
    copied = _copied_session(client)
    auth.logout()
    auth.login("kasi")  # logged in again: a session of the new generation
    current = _copied_session(client)
    assert _with_cookie(app, current).get("/admin/").status_code == 200
    from models import db
    from tests.workflow_helpers import user

    with app.app_context():
        official = user("kasi")
        if change == "password":
            official.set_password("jeruk-manis-di-meja-kerja")
        else:
            official.active = False
        db.session.commit()
    for cookie in (copied, current):
        assert _with_cookie(app, cookie).get("/admin/").status_code == 302


def test_the_twelve_hour_cap_counts_from_login_not_from_the_last_request(client, auth):
    from admin_views.auth import LOGGED_IN_AT

    auth.login("fo")
    with client.session_transaction() as session:
        session[LOGGED_IN_AT] -= 12 * 3600 + 60  # busy all day: never idle, logged in at dawn
    ended = client.get("/admin/")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    page = client.get(ended.headers["Location"]).get_data(as_text=True)
    assert "Sesi Anda berakhir karena sudah terlalu lama" in page


def test_logout_is_not_recorded_as_a_change_to_the_account(app, client, auth):
    from sqlalchemy import func, select

    from models import db
    from models.audit import AdminChange

    with app.app_context():
        before = db.session.scalar(select(func.count(AdminChange.id)))
    auth.login("kasi")
    auth.logout()
    with app.app_context():
        assert db.session.scalar(select(func.count(AdminChange.id))) == before


# -- usernames cannot be told apart by timing -------------------------------------------------


@pytest.mark.parametrize("who", ["unknown", "inactive", "wrong password", "right password"])
def test_every_login_costs_exactly_one_password_hash_check(app, client, auth, monkeypatch, who):
    """An unknown username, an inactive account and a wrong password cost what a right one
    does: one check of a hash of the configured method (no shortcut to time)."""
    import models.accounts as accounts
    from models import db
    from tests.workflow_helpers import user

    checked = []
    real = accounts.check_password_hash

    def counting(stored, password):
        checked.append(stored.split("$")[0])
        return real(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    if who == "inactive":
        with app.app_context():
            user("fo").active = False
            db.session.commit()
    username = {"unknown": "tidak-ada-sama-sekali"}.get(who, "fo")
    password = PASSWORD if who in ("right password", "inactive") else "salah-sekali-ini"
    response = auth.login(username, password)
    assert response.status_code == (302 if who == "right password" else 400)
    assert checked == [app.config["PASSWORD_HASH_METHOD"]]
