"""Requests (permohonan) through the API: start, list, read with history, cancel."""

import pytest
from sqlalchemy import func, select

from storage.models import Event, Instance, WorkItem
from tests.factories.bpmn import SopSpec, build
from tests.web.conftest import publish
from web.usecases.context import SYSTEM, Context
from web.usecases.library import sops


@pytest.fixture
def key(api_ctx, tokens) -> str:
    return publish(api_ctx)


def _start(client, headers, sop: str, data=None):
    return client.post("/api/instances", json={"sop": sop, "data": data or {}}, headers=headers)


def _counts(ctx: Context) -> dict[str, int]:
    with ctx.transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Instance, WorkItem, Event)
        }


def test_officer_starts_a_request_and_gets_a_reference_number(client, auth, key):
    response = _start(client, auth["ani"], key, {"pemohon": "Sari", "rt": 3})

    assert response.status_code == 201
    body = response.json
    assert body["reference"] == "US-2026-00001"
    assert (body["sop"], body["sop_version"], body["status"]) == (key, 1, "running")
    assert body["data"] == {"pemohon": "Sari", "rt": 3}
    assert body["started_at"].startswith("2026-11-23T01:00")
    assert _start(client, auth["budi"], key).json["reference"] == "US-2026-00002"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ([1, 2], "fields"),
        ("Sari", "fields"),
        ({"Pemohon": "Sari"}, "keys"),
        ({"_state": "x"}, "keys"),
        ({"nama lengkap": "Sari"}, "keys"),
        ({"pemohon": "Sari", "nik": "12"}, "field_errors"),
        ({"pemohon": "Sari", "telepon": "12"}, "field_errors"),
        ({"pemohon": ["Sari"]}, "field_errors"),
    ],
    ids=["list", "string", "uppercase", "underscore", "space", "nik", "phone", "name-list"],
)
def test_bad_start_data_is_refused_and_nothing_starts(client, auth, key, api_ctx, data, where):
    before = _counts(api_ctx)

    response = client.post("/api/instances", json={"sop": key, "data": data}, headers=auth["ani"])

    assert response.status_code == 422
    assert response.json["code"] in ("invalid", "request_data_keys_invalid", "form_invalid")
    assert response.json["details"][where]
    assert _counts(api_ctx) == before


def test_start_data_that_is_too_large_is_refused(client, auth, key):
    response = _start(client, auth["ani"], key, {"lampiran": "x" * (70 * 1024)})

    assert response.status_code == 422
    assert "KB" in response.json["message"]


def test_missing_sop_field_is_a_field_error(client, auth, key):
    response = client.post("/api/instances", json={"data": {}}, headers=auth["ani"])

    assert response.status_code == 422
    assert "sop" in response.json["details"]["fields"]


def test_unknown_sop_is_404(client, auth, key):
    response = _start(client, auth["ani"], "tidak_ada")

    assert response.status_code == 404
    assert "tidak_ada" in response.json["message"]


def test_sop_without_a_published_version_is_404(client, auth, api_ctx, key):
    sops.upload_version(api_ctx, SYSTEM, build(SopSpec(key="draf_saja")))

    response = _start(client, auth["ani"], "draf_saja")

    assert response.status_code == 404
    assert response.json["code"] == "sop_not_published"


def test_officer_of_another_unit_may_not_start(client, auth, api_ctx, key):
    before = _counts(api_ctx)

    response = _start(client, auth["dedi"], key)

    assert response.status_code == 403
    assert response.json["code"] == "sop_start_forbidden"
    assert _counts(api_ctx) == before


def test_list_is_paginated_newest_first(client, auth, key, clock):
    for _ in range(5):
        _start(client, auth["ani"], key)
        clock.advance(minutes=1)

    first = client.get("/api/instances?per_page=2", headers=auth["citra"]).json
    last = client.get("/api/instances?per_page=2&page=3", headers=auth["citra"]).json

    assert (first["total"], first["pages"], first["page"], first["per_page"]) == (5, 3, 1, 2)
    assert [i["reference"] for i in first["items"]] == ["US-2026-00005", "US-2026-00004"]
    assert [i["reference"] for i in last["items"]] == ["US-2026-00001"]
    beyond = client.get("/api/instances?per_page=2&page=9", headers=auth["citra"]).json
    assert (beyond["items"], beyond["total"]) == ([], 5)


def test_page_size_above_the_maximum_is_clamped(client, auth, key):
    _start(client, auth["ani"], key)

    page = client.get("/api/instances?per_page=100000", headers=auth["citra"]).json

    assert page["per_page"] == 200
    assert page["total"] == 1


@pytest.mark.parametrize("query", ["page=0", "per_page=0", "page=satu", "per_page=-5"])
def test_bad_page_arguments_are_field_errors(client, auth, query):
    response = client.get(f"/api/instances?{query}", headers=auth["citra"])

    assert response.status_code == 422
    assert query.split("=")[0] in response.json["details"]["fields"]


def test_list_filters_by_sop_and_status(client, auth, api_ctx, key):
    other = publish(api_ctx, build(SopSpec(key="lain_sop")))
    kept = _start(client, auth["ani"], key).json
    cancelled = _start(client, auth["ani"], key).json
    _start(client, auth["ani"], other)
    client.post(
        f"/api/instances/{cancelled['id']}/cancel", json={"reason": "dobel"}, headers=auth["citra"]
    )

    by_sop = client.get(f"/api/instances?sop={other}", headers=auth["eka"]).json
    running = client.get(f"/api/instances?sop={key}&status=running", headers=auth["eka"]).json
    stopped = client.get("/api/instances?status=cancelled", headers=auth["eka"]).json

    assert [i["sop"] for i in by_sop["items"]] == [other]
    assert [i["id"] for i in running["items"]] == [kept["id"]]
    assert [i["id"] for i in stopped["items"]] == [cancelled["id"]]


def test_invalid_status_filter_is_a_field_error(client, auth):
    response = client.get("/api/instances?status=selesai", headers=auth["eka"])

    assert response.status_code == 422
    assert response.json["code"] == "invalid"
    assert "status" in response.json["details"]["fields"]


def test_officer_of_another_unit_sees_no_requests(client, auth, key):
    started = _start(client, auth["ani"], key).json

    listed = client.get("/api/instances", headers=auth["dedi"]).json
    detail = client.get(f"/api/instances/{started['id']}", headers=auth["dedi"])

    assert listed["total"] == 0
    assert detail.status_code == 403


def test_officer_lists_only_requests_of_their_positions_not_their_whole_unit(
    client, auth, api_ctx, key
):
    # The head's own SOP: its one step is the head's (UJI-KEPALA), in ani's unit.
    head = publish(api_ctx, build(SopSpec(key="kepala_sop", lanes={"staf": "UJI-KEPALA"})))
    theirs = _start(client, auth["citra"], head, {"pemohon": "Rahasia"}).json
    mine = _start(client, auth["ani"], key).json

    listed = client.get("/api/instances", headers=auth["ani"]).json
    detail = client.get(f"/api/instances/{theirs['id']}", headers=auth["ani"])

    assert [row["id"] for row in listed["items"]] == [mine["id"]]
    assert listed["total"] == 1
    assert detail.status_code == 403


def test_request_is_read_with_its_work_items_and_history(client, auth, key):
    started = _start(client, auth["ani"], key, {"pemohon": "Sari"}).json

    response = client.get(f"/api/instances/{started['id']}", headers=auth["budi"])

    assert response.status_code == 200
    body = response.json
    assert body["instance"]["reference"] == started["reference"]
    assert body["data"] == {"pemohon": "Sari"}
    [item] = body["work_items"]
    assert (item["activity_id"], item["position"], item["status"]) == ("terima", "UJI-STAF", "open")
    assert item["due_at"] == "2026-11-23T02:00:00+00:00"
    assert [e["type"] for e in body["events"]] == ["instance_started", "work_item_opened"]
    assert body["events"][0]["actor"] == "ani"
    assert body["events"][1]["work_item_id"] == item["id"]


def test_officer_may_not_cancel(client, auth, key):
    started = _start(client, auth["ani"], key).json

    response = client.post(
        f"/api/instances/{started['id']}/cancel", json={"reason": "salah"}, headers=auth["ani"]
    )

    assert response.status_code == 403
    assert (
        client.get(f"/api/instances/{started['id']}", headers=auth["ani"]).json["instance"][
            "status"
        ]
        == "running"
    )


def test_cancel_needs_a_reason(client, auth, key):
    started = _start(client, auth["ani"], key).json

    for body in ({}, {"reason": ""}):
        response = client.post(
            f"/api/instances/{started['id']}/cancel", json=body, headers=auth["citra"]
        )

        assert response.status_code == 422
        assert "reason" in response.json["details"]["fields"]


def test_manager_cancels_and_the_open_step_leaves_the_inbox(client, auth, key):
    started = _start(client, auth["ani"], key).json
    assert client.get("/api/work-items", headers=auth["ani"]).json["total"] == 1

    response = client.post(
        f"/api/instances/{started['id']}/cancel",
        json={"reason": "Pemohon menarik permohonan"},
        headers=auth["citra"],
    )

    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    assert response.json["ended_at"]
    detail = client.get(f"/api/instances/{started['id']}", headers=auth["citra"]).json
    assert [w["status"] for w in detail["work_items"]] == ["cancelled"]
    types = [e["type"] for e in detail["events"]]
    assert types[-2:] == ["work_item_withdrawn", "instance_cancelled"]
    assert detail["events"][-1]["payload"]["reason"] == "Pemohon menarik permohonan"
    assert client.get("/api/work-items", headers=auth["ani"]).json["total"] == 0


def test_second_cancel_is_a_conflict(client, auth, key, api_ctx):
    started = _start(client, auth["ani"], key).json
    cancel = f"/api/instances/{started['id']}/cancel"
    client.post(cancel, json={"reason": "dobel"}, headers=auth["citra"])
    before = _counts(api_ctx)

    response = client.post(cancel, json={"reason": "lagi"}, headers=auth["admin"])

    assert response.status_code == 409
    assert response.json["message"] == f"Permohonan {started['reference']} sudah dibatalkan."
    assert _counts(api_ctx) == before


def test_claimed_step_of_a_cancelled_request_cannot_be_completed(client, auth, key):
    started = _start(client, auth["ani"], key).json
    item = client.get("/api/work-items", headers=auth["ani"]).json["items"][0]
    client.post(f"/api/work-items/{item['id']}/claim", headers=auth["ani"])
    client.post(
        f"/api/instances/{started['id']}/cancel", json={"reason": "x"}, headers=auth["citra"]
    )

    response = client.post(f"/api/work-items/{item['id']}/complete", json={}, headers=auth["ani"])

    assert response.status_code == 409
    assert response.json["details"]["status"] == "cancelled"
    assert client.get("/api/work-items", headers=auth["ani"]).json["total"] == 0
