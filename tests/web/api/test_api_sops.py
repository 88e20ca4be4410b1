"""The SOP library through the API: upload a version, publish it, read and download it."""

import io

import pytest
from sqlalchemy import func, select

from storage.models import Event, Sop, SopVersion
from tests.factories.bpmn import SopSpec, Step, build
from web.usecases.context import Context


@pytest.fixture
def auth(tokens) -> dict[str, dict[str, str]]:
    return {name: {"Authorization": header} for name, header in tokens.items()}


def _counts(ctx: Context) -> dict[str, int]:
    with ctx.transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Sop, SopVersion, Event)
        }


def _upload_raw(client, headers, data: bytes):
    return client.post("/api/sops", data=data, headers=headers, content_type="application/xml")


def _upload_multipart(client, headers, data: bytes):
    with client.post(
        "/api/sops",
        data={"file": (io.BytesIO(data), "uji.bpmn")},
        headers=headers,
        content_type="multipart/form-data",
    ) as response:
        return response


@pytest.mark.parametrize("upload", [_upload_raw, _upload_multipart], ids=["raw", "multipart"])
def test_analyst_uploads_a_draft_with_activities_lanes_and_time_standards(client, auth, upload):
    bpmn = build(
        SopSpec(
            steps=[Step("terima", time="15 menit"), Step("setujui", lane="kepala", time="2 hari")]
        )
    )

    response = upload(client, auth["eka"], bpmn)

    assert response.status_code == 201
    version = response.json
    assert (version["sop"], version["number"], version["status"]) == ("uji_sop", 1, "draft")
    assert version["published_at"] is None
    assert {lane["id"]: lane["position_code"] for lane in version["lanes"]} == {
        "lane_staf": "UJI-STAF",
        "lane_kepala": "UJI-KEPALA",
    }
    activities = {a["id"]: a for a in version["activities"]}
    assert activities["terima"]["position_code"] == "UJI-STAF"
    assert activities["terima"]["time_standard"] == {"text": "15 menit", "days": 0, "minutes": 15}
    assert activities["setujui"]["position_code"] == "UJI-KEPALA"
    assert activities["setujui"]["time_standard"] == {"text": "2 hari", "days": 2, "minutes": 0}


def test_second_upload_of_a_changed_file_is_the_next_version(client, auth):
    _upload_raw(client, auth["eka"], build())

    response = _upload_raw(client, auth["admin"], build(SopSpec(steps=[Step("terima")])))

    assert response.status_code == 201
    assert response.json["number"] == 2
    versions = client.get("/api/sops/uji_sop/versions", headers=auth["ani"]).json
    assert [v["number"] for v in versions["versions"]] == [1, 2]
    assert versions["published_version"] is None


@pytest.mark.parametrize("officer", ["ani", "citra"])
def test_officer_and_manager_may_not_upload_and_nothing_is_stored(client, auth, api_ctx, officer):
    before = _counts(api_ctx)

    response = _upload_raw(client, auth[officer], build())

    assert response.status_code == 403
    assert response.json["code"] == "role_required"
    assert _counts(api_ctx) == before


def test_identical_file_again_is_a_conflict_naming_the_version(client, auth, api_ctx):
    _upload_raw(client, auth["eka"], build())
    before = _counts(api_ctx)

    response = _upload_multipart(client, auth["eka"], build())

    assert response.status_code == 409
    assert response.json["code"] == "sop_version_identical"
    assert response.json["details"] == {"sop": "uji_sop", "version": 1}
    assert _counts(api_ctx) == before


def test_publish_makes_the_version_the_one_get_returns(client, auth):
    _upload_raw(client, auth["eka"], build())
    assert client.get("/api/sops/uji_sop", headers=auth["ani"]).status_code == 404

    published = client.post("/api/sops/uji_sop/versions/1/publish", headers=auth["eka"])
    current = client.get("/api/sops/uji_sop", headers=auth["ani"])

    assert published.status_code == 200
    assert published.json["status"] == "published"
    assert published.json["published_at"]
    assert current.status_code == 200
    assert (current.json["number"], current.json["status"]) == (1, "published")
    listed = client.get("/api/sops", headers=auth["dedi"]).json
    assert [(s["key"], s["published_version"]) for s in listed] == [("uji_sop", 1)]


def test_publishing_a_new_version_retires_the_old_one(client, auth):
    _upload_raw(client, auth["eka"], build())
    client.post("/api/sops/uji_sop/versions/1/publish", headers=auth["eka"])
    _upload_raw(client, auth["eka"], build(SopSpec(steps=[Step("terima")])))

    response = client.post("/api/sops/uji_sop/versions/2/publish", headers=auth["eka"])

    assert response.status_code == 200
    statuses = {
        v["number"]: v["status"]
        for v in client.get("/api/sops/uji_sop/versions", headers=auth["eka"]).json["versions"]
    }
    assert statuses == {1: "retired", 2: "published"}
    assert client.get("/api/sops/uji_sop", headers=auth["ani"]).json["number"] == 2


def test_publishing_twice_is_a_conflict(client, auth):
    _upload_raw(client, auth["eka"], build())
    client.post("/api/sops/uji_sop/versions/1/publish", headers=auth["eka"])

    response = client.post("/api/sops/uji_sop/versions/1/publish", headers=auth["eka"])

    assert response.status_code == 409


def test_officer_may_not_publish(client, auth):
    _upload_raw(client, auth["eka"], build())

    response = client.post("/api/sops/uji_sop/versions/1/publish", headers=auth["ani"])

    assert response.status_code == 403
    assert client.get("/api/sops/uji_sop/versions/1", headers=auth["ani"]).json["status"] == "draft"


def test_publish_refuses_a_lane_naming_an_unknown_position(client, auth, api_ctx):
    bpmn = build(SopSpec(lanes={"staf": "UJI-STAF", "kepala": "TIDAK-ADA"}))
    _upload_raw(client, auth["eka"], bpmn)
    before = _counts(api_ctx)

    response = client.post("/api/sops/uji_sop/versions/1/publish", headers=auth["eka"])

    assert response.status_code == 422
    assert response.json["code"] == "sop_lanes_unmapped"
    [problem] = response.json["details"]["problems"]
    assert problem["code"] == "position_unknown"
    assert (problem["element_id"], problem["element_name"]) == ("lane_kepala", "Kepala")
    assert "TIDAK-ADA" in problem["message"]
    assert _counts(api_ctx) == before
    assert client.get("/api/sops/uji_sop/versions/1", headers=auth["eka"]).json["status"] == "draft"


def test_publish_of_a_missing_version_is_404(client, auth):
    _upload_raw(client, auth["eka"], build())

    response = client.post("/api/sops/uji_sop/versions/7/publish", headers=auth["eka"])

    assert response.status_code == 404
    assert response.json["code"] == "sop_version_not_found"


@pytest.mark.parametrize("upload", [_upload_raw, _upload_multipart], ids=["raw", "multipart"])
def test_download_returns_the_uploaded_bytes(client, auth, upload):
    bpmn = build().replace(b"SOP Uji", "SOP Uji — Surat Keterangan Domisili".encode())
    upload(client, auth["eka"], bpmn)

    response = client.get("/api/sops/uji_sop/versions/1/bpmn", headers=auth["ani"])

    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.data == bpmn
    assert 'filename="uji_sop-v1.bpmn"' in response.headers["Content-Disposition"]


def test_reading_an_unknown_sop_is_404(client, auth):
    for path in (
        "/api/sops/tidak_ada",
        "/api/sops/tidak_ada/versions",
        "/api/sops/tidak_ada/versions/1",
    ):
        response = client.get(path, headers=auth["eka"])

        assert response.status_code == 404, path
        assert response.json["code"] in (
            "sop_not_found",
            "sop_not_published_yet",
            "sop_version_not_found",
        ), path


def test_upload_refuses_a_field_rule_with_a_bad_pattern_naming_its_activity(client, auth, api_ctx):
    fields = '<sop:field name="nik" type="text" label="NIK" pattern="[0-9{16}"/>'
    before = _counts(api_ctx)

    response = _upload_raw(
        client, auth["eka"], build(SopSpec(steps=[Step("terima", fields=fields)]))
    )

    assert response.status_code == 422
    [problem] = response.json["details"]["problems"]
    assert problem["code"] == "field_rule_invalid"
    assert problem["element_id"] == "terima"
    assert "nik" in problem["message"] and "[0-9{16}" in problem["message"]
    assert _counts(api_ctx) == before
