"""Login, logout, CSRF and the rule that every /admin/ page needs a logged-in official."""

import pytest

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
