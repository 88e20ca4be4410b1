"""Logging in and out, slowed-down failures, CSRF, cookies and the remembered language."""

import re

import pytest

from tests.web.conftest import build_org

PASSWORD = "rahasia-uji"


@pytest.fixture
def people(api_ctx):
    return build_org(api_ctx)


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client, username: str, password: str = PASSWORD, **extra):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=data, **extra)


def test_login_page_is_in_indonesian_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Masuk ke Alur" in page
    assert 'for="username"' in page and 'for="password"' in page


def test_log_in_and_out(client, people):
    response = log_in(client, "ani")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    token = re.search(
        r'name="csrf_token" value="([^"]+)"',
        client.get("/login", follow_redirects=True).get_data(as_text=True),
    ).group(1)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "Anda telah keluar." in response.get_data(as_text=True)


def test_wrong_password_and_unknown_user_get_the_same_answer(client, people):
    wrong = log_in(client, "ani", "salah-sandi")
    unknown = log_in(client, "tidakada", "salah-sandi")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Nama pengguna atau kata sandi salah, atau" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_without_telling_it_exists(app, people, clock):
    client = app.test_client()
    for _ in range(5):
        log_in(client, "ani", "salah-sandi")

    locked = log_in(client, "ani")  # even the right password is refused while locked
    unknown = log_in(client, "tidakada", "salah-sandi")

    assert locked.status_code == unknown.status_code == 401
    message = "Nama pengguna atau kata sandi salah, atau terlalu banyak percobaan gagal"
    assert message in locked.get_data(as_text=True)
    assert _error(locked) == _error(unknown)
    english = app.test_client()
    english.set_cookie("alur_lang", "en")
    answers = [_error(log_in(english, name)) for name in ("ani", "tidakada")]
    assert answers[0] == answers[1]
    assert answers[0].startswith("Wrong username or password, or too many failed attempts")
    clock.advance(seconds=31)
    assert log_in(client, "ani").status_code == 302


def _error(response) -> str:
    """The error shown on the login page."""
    return re.search(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]+)', response.get_data(as_text=True))[1]


def test_login_form_without_csrf_token_is_refused(client, people):
    response = client.post("/login", data={"username": "ani", "password": PASSWORD})
    assert response.status_code == 400
    assert "Formulir sudah kedaluwarsa" in response.get_data(as_text=True)


def test_login_redirects_only_within_the_site(client, people):
    response = log_in(client, "ani", query_string={"next": "https://evil.example/"})
    assert response.headers["Location"] in ("/", "/inbox", "http://localhost/")


def test_pages_need_a_login(client):
    response = client.get("/sops")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_language_choice_is_remembered_per_user(app, people):
    first = app.test_client()
    log_in(first, "ani")
    first.post(
        "/language",
        data={"language": "en", "next": "/login", "csrf_token": csrf_token(first, "/inbox")},
    )

    second = app.test_client()  # a new browser: no cookie, but the same user
    log_in(second, "ani")
    page = second.get("/login", follow_redirects=True).get_data(as_text=True)
    assert "Log out" in page and "Keluar" not in page


def test_a_copied_session_cookie_stops_working_after_logout(app, people):
    owner = app.test_client()
    log_in(owner, "ani")
    thief = app.test_client()
    thief.set_cookie("session", owner.get_cookie("session").value)
    assert thief.get("/inbox").status_code == 200  # a copied cookie works while logged in

    owner.post("/logout", data={"csrf_token": csrf_token(owner, "/inbox")})

    response = thief.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    log_in(owner, "ani")  # logging in again makes a new session; the copy stays dead
    assert thief.get("/inbox").status_code == 302
    assert owner.get("/inbox").status_code == 200
