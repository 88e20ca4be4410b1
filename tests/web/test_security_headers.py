"""Every response carries the site's security headers; stored files cannot run in a browser."""

import re

import pytest

from tests.factories.bpmn import build
from tests.web.conftest import build_org, publish
from tests.web.pages.test_pages_auth import log_in

# An uploaded BPMN may carry XHTML in its extension elements; a browser rendering the file as
# XML from Alur's origin would run this script with the viewer's session.
SCRIPT = (
    '<bpmn:extensionElements><html:script xmlns:html="http://www.w3.org/1999/xhtml">'
    "window.alurPwned = true; alert('pwned');</html:script></bpmn:extensionElements>"
)


def hostile_bpmn() -> bytes:
    """The factory's SOP with a script in the process's extension elements."""
    xml = build().decode()
    return re.sub(r"(<bpmn:process [^>]*>)", r"\1" + SCRIPT, xml, count=1).encode()


def directives(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {
        name: value.strip()
        for name, _, value in (d.strip().partition(" ") for d in policy.split(";") if d.strip())
    }


def assert_site_headers(response) -> None:
    policy = directives(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def people(api_ctx):
    return build_org(api_ctx)


@pytest.mark.parametrize(
    "path",
    ["/login", "/static/alur.css", "/api/health", "/api/sops", "/no-such-page", "/api/docs"],
    ids=["page", "static", "api", "api-401", "error-page", "api-docs"],
)
def test_every_kind_of_response_carries_the_security_headers(client, path):
    with client.get(path) as response:  # closes the static file
        assert response.status_code < 500
        assert_site_headers(response)


def test_a_logged_in_page_carries_the_headers(client, people):
    log_in(client, "eka")
    response = client.get("/sops")
    assert response.status_code == 200
    assert_site_headers(response)


def test_the_api_docs_page_has_no_inline_script(client):
    page = client.get("/api/docs").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts, "the Swagger UI page loads its scripts"
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip(), attributes


def assert_inert_download(response, filename: str) -> None:
    """The file is saved, never shown: no sniffing, and a sandbox if it is opened anyway."""
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = directives(response)
    assert policy["default-src"] == "'none'"
    assert "sandbox" in policy
    assert policy["frame-ancestors"] == "'none'"


def test_the_raw_bpmn_link_serves_an_uploaded_script_as_an_inert_download(client, api_ctx, people):
    key = publish(api_ctx, hostile_bpmn())
    log_in(client, "eka")

    response = client.get(f"/sops/{key}/versions/1/bpmn")

    assert_inert_download(response, f"{key}-v1.bpmn")
    assert b"alurPwned" in response.data  # the file is served as uploaded, only inert


def test_the_api_serves_stored_bpmn_as_an_inert_download(client, api_ctx, auth):
    key = publish(api_ctx, hostile_bpmn())
    response = client.get(f"/api/sops/{key}/versions/1/bpmn", headers=auth["eka"])
    assert_inert_download(response, f"{key}-v1.bpmn")


def test_exports_are_inert_downloads(client, api_ctx, auth):
    key = publish(api_ctx)
    response = client.get(
        f"/api/event-log?sop={key}&from=2026-11-01&to=2026-12-01&format=csv", headers=auth["eka"]
    )
    assert_inert_download(response, response.headers["Content-Disposition"].split('"')[1])

    log_in(client, "citra")
    table = client.get("/dashboard?from=2026-11-01&to=2026-11-30&format=csv&table=sops")
    assert_inert_download(table, table.headers["Content-Disposition"].split('"')[1])
