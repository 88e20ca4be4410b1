"""The API describes itself: an OpenAPI 3 document of every route, and a page to browse it."""

import re

import pytest

EXPECTED = {
    "/api/health": {"get"},
    "/api/sops": {"get", "post"},
    "/api/sops/{key}": {"get"},
    "/api/sops/{key}/versions": {"get"},
    "/api/sops/{key}/versions/{number}": {"get"},
    "/api/sops/{key}/versions/{number}/publish": {"post"},
    "/api/sops/{key}/versions/{number}/bpmn": {"get"},
    "/api/instances": {"get", "post"},
    "/api/instances/{instance_id}": {"get"},
    "/api/instances/{instance_id}/cancel": {"post"},
    "/api/work-items": {"get"},
    "/api/work-items/{item_id}": {"get"},
    "/api/work-items/{item_id}/claim": {"post"},
    "/api/work-items/{item_id}/unclaim": {"post"},
    "/api/work-items/{item_id}/complete": {"post"},
    "/api/units": {"get"},
    "/api/positions": {"get"},
    "/api/users": {"get"},
    "/api/event-log": {"get"},
    "/api/dashboard/overview": {"get"},
    "/api/dashboard/requests": {"get"},
    "/api/dashboard/sops/{sop_id}": {"get"},
    "/api/dashboard/sops/{sop_id}/versions": {"get"},
    "/api/dashboard/workload": {"get"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.is_json
    return response.json


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_document_is_openapi_3_with_bearer_security(spec):
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"])
    assert spec["info"]["title"] == "Alur API"
    assert spec["info"]["version"]
    assert "Bearer" in spec["info"]["description"]
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert spec["security"] == [{"bearer": []}]


def test_document_lists_every_route_with_its_methods(spec):
    paths = {path: set(item) & HTTP_METHODS for path, item in spec["paths"].items()}

    assert paths == EXPECTED


def test_document_matches_the_routes_the_app_serves(app, spec):
    served = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint.split(".")[0] != "api-docs":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            methods = {m.lower() for m in rule.methods} - {"head", "options"}
            served.setdefault(path, set()).update(methods)

    assert served == {path: set(item) & HTTP_METHODS for path, item in spec["paths"].items()}


def test_every_operation_is_summarized_and_answers_something(spec):
    for path, item in spec["paths"].items():
        for method in set(item) & HTTP_METHODS:
            operation = item[method]
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert operation["responses"], f"{method} {path} has no responses"
            assert operation.get("tags"), f"{method} {path} has no tag"


def test_only_health_is_open_without_a_token(spec):
    open_operations = [
        (path, method)
        for path, item in spec["paths"].items()
        for method in set(item) & HTTP_METHODS
        if item[method].get("security") == []
    ]

    assert open_operations == [("/api/health", "get")]


def test_every_reference_resolves(spec):
    for ref in set(_refs(spec)):
        assert ref.startswith("#/"), ref
        node = spec
        for part in ref[2:].split("/"):
            assert part in node, f"{ref} does not resolve"
            node = node[part]


def test_documented_error_is_the_error_the_api_sends(spec, client):
    documented = spec["components"]["schemas"]["Error"]["properties"]
    sent = client.get("/api/sops").json

    assert set(documented) == set(sent) == {"code", "message", "details"}


def test_upload_documents_raw_and_multipart_bodies(spec):
    content = spec["paths"]["/api/sops"]["post"]["requestBody"]["content"]

    assert "application/xml" in content
    assert content["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"


def test_openapi_document_needs_no_token(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers


def test_docs_page_is_browsable_offline(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"/api/openapi.json" in response.data
    # Its script and style come from the vendored copy, not from a CDN.
    assert b"/static/vendor/swagger-ui/swagger-ui-bundle.js" in response.data
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        with client.get(f"/static/vendor/swagger-ui/{asset}") as asset_response:
            assert asset_response.status_code == 200


def test_the_docs_page_loads_every_asset_it_references_and_runs_no_inline_script(client):
    page = client.get("/api/docs")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        with client.get(asset) as response:
            assert response.status_code == 200, asset
    assert 'data-spec-url="/api/openapi.json"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file


def test_the_favicon_answers_where_browsers_look_for_it(client):
    with client.get("/favicon.ico", follow_redirects=True) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
