"""Cookies are Secure whenever Alur is reached over HTTPS, directly or through a trusted proxy."""

import pytest

from tests.web.conftest import build_org
from web.app import create_app

PASSWORD = "rahasia-uji"
HTTPS = {"X-Forwarded-Proto": "https"}


def make_app(db_url: str, tmp_path, **settings):
    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path), **settings})
    app.config["WTF_CSRF_ENABLED"] = False
    build_org(app.extensions["alur"]["context"])
    return app


@pytest.fixture
def apps(engine, db_url, tmp_path):
    """Build apps on the test database; their engines are closed after the test."""
    made = []

    def build(**settings):
        made.append(make_app(db_url, tmp_path, **settings))
        return made[-1]

    yield build
    for app in made:
        app.extensions["alur"]["engine"].dispose()


def cookies_of(response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def log_in(client, **extra):
    return client.post("/login", data={"username": "ani", "password": PASSWORD}, **extra)


def test_over_https_the_session_and_language_cookies_are_secure(apps):
    client = apps().test_client()
    response = log_in(client, base_url="https://localhost")
    assert response.status_code == 302
    assert "; Secure" in cookies_of(response)["session"]
    language = client.post("/language", data={"language": "en"}, base_url="https://localhost")
    assert "; Secure" in cookies_of(language)["alur_lang"]


def test_over_plain_http_cookies_are_not_secure_or_the_browser_would_drop_them(apps):
    response = log_in(apps().test_client())
    assert response.status_code == 302
    assert "Secure" not in cookies_of(response)["session"]


def test_a_trusted_proxys_https_makes_the_cookie_secure(apps):
    client = apps(TRUSTED_PROXIES=1).test_client()
    response = log_in(client, headers=HTTPS)
    assert response.status_code == 302
    assert "; Secure" in cookies_of(response)["session"]


def test_forwarded_headers_are_ignored_unless_the_proxy_is_trusted(apps):
    response = log_in(apps().test_client(), headers={**HTTPS, "X-Forwarded-Host": "evil.example"})
    assert "Secure" not in cookies_of(response)["session"]
    assert (
        response.headers["Location"].startswith("/") or "localhost" in response.headers["Location"]
    )
