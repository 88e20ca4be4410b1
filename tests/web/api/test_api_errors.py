"""What a client sees when it is not authenticated or asks for something the API doesn't do."""

import pytest
from sqlalchemy import update

from storage.models import User
from tests.web.conftest import publish

# Every route that needs a token, with a body a valid request could carry: a missing or bad
# token must be answered 401 before the body is even looked at.
PROTECTED = [
    ("GET", "/api/sops", None),
    ("POST", "/api/sops", b"<not-even-xml"),
    ("GET", "/api/sops/uji_sop", None),
    ("GET", "/api/sops/uji_sop/versions", None),
    ("GET", "/api/sops/uji_sop/versions/1", None),
    ("POST", "/api/sops/uji_sop/versions/1/publish", None),
    ("GET", "/api/sops/uji_sop/versions/1/bpmn", None),
    ("GET", "/api/instances?status=bogus", None),
    ("POST", "/api/instances", {"data": "not an object"}),
    ("GET", "/api/instances/1", None),
    ("POST", "/api/instances/1/cancel", {}),
    ("GET", "/api/work-items?page=0", None),
    ("GET", "/api/work-items/1", None),
    ("POST", "/api/work-items/1/claim", None),
    ("POST", "/api/work-items/1/unclaim", None),
    ("POST", "/api/work-items/1/complete", {"data": []}),
    ("GET", "/api/units", None),
    ("GET", "/api/positions", None),
    ("GET", "/api/users", None),
    ("GET", "/api/event-log?from=not-a-date", None),
    ("GET", "/api/dashboard/overview", None),
    ("GET", "/api/dashboard/sops/1", None),
    ("GET", "/api/dashboard/sops/1/versions", None),
    ("GET", "/api/dashboard/workload", None),
    ("GET", "/api/dashboard/requests?figure=started", None),
]
PUBLIC = {"/api/health", "/api/openapi.json", "/api/docs"}
BAD_HEADERS = [
    None,
    "Bearer alur_not-a-real-token",
    "Bearer ",
    "Basic YW5pOnJhaGFzaWEtdWpp",
    "alur_token-without-scheme",
]


def _send(client, method, path, body, header):
    headers = {"Authorization": header} if header is not None else {}
    if isinstance(body, bytes):
        return client.open(
            path, method=method, data=body, headers=headers, content_type="application/xml"
        )
    return client.open(path, method=method, json=body, headers=headers)


def _assert_unauthenticated(response, what):
    assert response.status_code == 401, what
    assert response.is_json, what
    assert response.json["code"] in ("token_missing", "token_unknown"), what
    assert response.json["message"], what
    assert response.headers["WWW-Authenticate"].startswith("Bearer"), what


def test_health_needs_no_token(client):
    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_the_list_of_protected_routes_covers_every_api_route(app):
    listed = {(method, path.split("?")[0]) for method, path, _ in PROTECTED}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api") or rule.rule in PUBLIC:
            continue
        concrete = (
            rule.rule.replace("<string:key>", "uji_sop")
            .replace("<int:number>", "1")
            .replace("<int:instance_id>", "1")
            .replace("<int:item_id>", "1")
            .replace("<int:sop_id>", "1")
        )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, concrete) in listed, f"{method} {rule.rule} is not in PROTECTED"


@pytest.mark.parametrize("header", BAD_HEADERS, ids=["none", "unknown", "empty", "basic", "bare"])
def test_every_route_refuses_a_missing_or_bad_token(client, tokens, api_ctx, header):
    publish(api_ctx)
    for method, path, body in PROTECTED:
        _assert_unauthenticated(_send(client, method, path, body, header), f"{method} {path}")


def test_token_of_a_deactivated_user_is_refused(client, tokens, api_ctx):
    assert client.get("/api/sops", headers={"Authorization": tokens["ani"]}).status_code == 200
    with api_ctx.transaction() as session:
        session.execute(update(User).where(User.username == "ani").values(is_active=False))

    _assert_unauthenticated(
        client.get("/api/sops", headers={"Authorization": tokens["ani"]}), "deactivated ani"
    )


def test_unknown_route_is_a_json_404(client, tokens):
    for header in ({}, {"Authorization": tokens["ani"]}):
        response = client.get("/api/no-such-thing", headers=header)

        assert response.status_code == 404
        assert response.is_json
        assert response.json["code"] == "not_found"


def test_unknown_instance_is_a_json_404_naming_it(client, tokens):
    response = client.get("/api/instances/999", headers={"Authorization": tokens["citra"]})

    assert response.status_code == 404
    assert response.json["code"] == "instance_not_found"
    assert response.json["message"] == "Permohonan nomor 999 tidak ditemukan."


def test_wrong_method_is_a_json_405(client, tokens):
    for method, path in [
        ("DELETE", "/api/sops"),
        ("PUT", "/api/instances"),
        ("GET", "/api/work-items/1/claim"),
    ]:
        response = client.open(path, method=method, headers={"Authorization": tokens["eka"]})

        assert response.status_code == 405, f"{method} {path}"
        assert response.is_json
        assert response.json["code"] == "method_not_allowed"
        assert "Allow" in response.headers


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/instances", b'{"sop": "uji_sop", "data": {'),
        ("/api/instances/1/cancel", b"reason=because"),
        ("/api/work-items/1/complete", b"\xff\xfe not utf-8"),
    ],
)
def test_malformed_json_body_is_a_json_400(client, tokens, path, body):
    response = client.post(
        path, data=body, headers={"Authorization": tokens["citra"]}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.is_json
    assert response.json["code"] == "bad_request"
    assert "JSON" in response.json["message"]


def test_json_that_is_not_an_object_is_a_422_with_field_details(client, tokens):
    response = client.post(
        "/api/instances", json=["uji_sop"], headers={"Authorization": tokens["ani"]}
    )

    assert response.status_code == 422
    assert response.json["code"] == "invalid"
    assert "_schema" in response.json["details"]["fields"]


def test_user_list_is_for_admins_only(client, tokens):
    refused = client.get("/api/users", headers={"Authorization": tokens["citra"]})
    listed = client.get("/api/users", headers={"Authorization": tokens["admin"]})

    assert refused.status_code == 403
    assert refused.json["code"] == "role_required"
    assert listed.status_code == 200
    ani = next(u for u in listed.json if u["username"] == "ani")
    assert ani["role"] == "officer"
    assert ani["positions"] == ["UJI-STAF"]


def test_units_and_positions_are_listed_for_any_user(client, tokens):
    units = client.get("/api/units", headers={"Authorization": tokens["dedi"]}).json
    positions = client.get("/api/positions", headers={"Authorization": tokens["dedi"]}).json

    by_code = {u["code"]: u for u in units}
    assert by_code["KEL"]["parent_id"] == by_code["KEC"]["id"]
    assert {"code": "UJI-KEPALA", "unit": "KEL"}.items() <= next(
        p for p in positions if p["code"] == "UJI-KEPALA"
    ).items()
