"""The officer's inbox and the verbs on one step, as an API client sees them."""

import pytest

from tests.factories.bpmn import SopSpec, Step, build, flow, gateway
from tests.web.conftest import publish

FORM = (
    '<sop:field name="nik" type="text" label="NIK" required="true"/>'
    '<sop:field name="jumlah" type="integer" label="Jumlah"/>'
    '<sop:field name="lengkap" type="boolean" label="Berkas lengkap?"/>'
)


@pytest.fixture
def key(api_ctx, tokens) -> str:
    """terima (staf, with a form) -> setujui (kepala)."""
    spec = SopSpec(steps=[Step("terima", fields=FORM), Step("setujui", lane="kepala")])
    return publish(api_ctx, build(spec))


def _start(client, auth, sop: str, who: str = "ani") -> dict:
    response = client.post("/api/instances", json={"sop": sop, "data": {}}, headers=auth[who])
    assert response.status_code == 201, response.json
    return response.json


def _inbox(client, auth, who: str) -> list[dict]:
    response = client.get("/api/work-items", headers=auth[who])
    assert response.status_code == 200
    return response.json["items"]


def _item_of(client, auth, instance: dict) -> dict:
    detail = client.get(f"/api/instances/{instance['id']}", headers=auth["admin"]).json
    return next(w for w in detail["work_items"] if w["status"] in ("open", "claimed"))


def _post(client, auth, who: str, item: dict, verb: str, body=None):
    return client.post(f"/api/work-items/{item['id']}/{verb}", json=body, headers=auth[who])


def _detail(client, auth, instance: dict) -> dict:
    return client.get(f"/api/instances/{instance['id']}", headers=auth["admin"]).json


def test_inbox_lists_open_steps_of_my_positions_overdue_first(client, auth, api_ctx, clock):
    slow = publish(api_ctx, build(SopSpec(key="lambat", steps=[Step("a", time="5 hari")])))
    fast = publish(api_ctx, build(SopSpec(key="cepat", steps=[Step("b", time="30 menit")])))
    started_slow = _start(client, auth, slow)
    clock.advance(minutes=5)
    started_fast = _start(client, auth, fast)
    clock.advance(hours=2)

    for who in ("ani", "budi"):
        items = _inbox(client, auth, who)

        assert [i["reference"] for i in items] == [
            started_fast["reference"],
            started_slow["reference"],
        ]
        assert items[0]["due_at"] < clock().isoformat() < items[1]["due_at"]
    assert _inbox(client, auth, "citra") == []
    only_fast = client.get("/api/work-items?sop=cepat", headers=auth["ani"]).json
    assert [i["activity_id"] for i in only_fast["items"]] == ["b"]


def test_inbox_is_paginated_and_clamped(client, auth, key):
    for _ in range(3):
        _start(client, auth, key)

    page = client.get("/api/work-items?per_page=2&page=2", headers=auth["ani"]).json
    huge = client.get("/api/work-items?per_page=5000", headers=auth["ani"]).json

    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 1)
    assert (huge["per_page"], len(huge["items"])) == (200, 3)


def test_other_units_officer_neither_sees_nor_touches_the_step(client, auth, key):
    item = _item_of(client, auth, _start(client, auth, key))

    assert _inbox(client, auth, "dedi") == []
    for verb in ("claim", "complete"):
        response = _post(client, auth, "dedi", item, verb, {"data": {"nik": "1"}})
        assert response.status_code == 403, verb
        assert response.json["details"]["position"] == "UJI-STAF"
    assert client.get(f"/api/work-items/{item['id']}", headers=auth["dedi"]).status_code == 403
    assert _item_of(client, auth, {"id": item["instance_id"]})["status"] == "open"


def test_step_detail_shows_its_form_and_time_standard(client, auth, key):
    item = _item_of(client, auth, _start(client, auth, key))

    response = client.get(f"/api/work-items/{item['id']}", headers=auth["budi"])

    assert response.status_code == 200
    body = response.json
    assert body["work_item"]["id"] == item["id"]
    assert body["instance"]["sop"] == key
    assert body["activity"]["time_standard"]["text"] == "1 jam"
    fields = {f["name"]: (f["type"], f["required"]) for f in body["activity"]["fields"]}
    assert fields == {
        "nik": ("text", True),
        "jumlah": ("integer", False),
        "lengkap": ("boolean", False),
    }


def test_claim_unclaim_and_a_colleagues_claim(client, auth, key):
    item = _item_of(client, auth, _start(client, auth, key))

    claimed = _post(client, auth, "ani", item, "claim")
    again = _post(client, auth, "ani", item, "claim")
    taken = _post(client, auth, "budi", item, "claim")

    assert claimed.status_code == 200
    assert (claimed.json["status"], claimed.json["claimed_by"]) == ("claimed", "ani")
    assert again.status_code == 200
    assert taken.status_code == 409
    assert taken.json["details"]["claimed_by"] == "ani"
    assert "Ani" in taken.json["message"]
    assert [i["id"] for i in _inbox(client, auth, "ani")] == [item["id"]]
    assert _inbox(client, auth, "budi") == []

    assert _post(client, auth, "budi", item, "unclaim").status_code == 409
    released = _post(client, auth, "ani", item, "unclaim")

    assert released.status_code == 200
    assert (released.json["status"], released.json["claimed_by"]) == ("open", None)
    assert _post(client, auth, "budi", item, "claim").json["claimed_by"] == "budi"


def test_a_colleagues_claim_blocks_my_completion(client, auth, key):
    item = _item_of(client, auth, _start(client, auth, key))
    _post(client, auth, "budi", item, "claim")

    response = _post(client, auth, "ani", item, "complete", {"data": {"nik": "3171"}})

    assert response.status_code == 409
    assert response.json["details"]["claimed_by"] == "budi"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "nik"),
        ({"nik": "  "}, "nik"),
        ({"nik": "3171", "jumlah": "tiga"}, "jumlah"),
        ({"nik": "3171", "jumlah": 2.5}, "jumlah"),
        ({"nik": "3171", "lengkap": "mungkin"}, "lengkap"),
        ({"nik": ["3171"]}, "nik"),
        ({"nik": "3171", "disetujui": True}, "disetujui"),
    ],
    ids=["missing", "blank", "not-integer", "float", "not-boolean", "list", "unknown-field"],
)
def test_wrong_form_data_is_refused_and_nothing_changes(client, auth, key, data, field):
    instance = _start(client, auth, key)
    item = _item_of(client, auth, instance)
    before = _detail(client, auth, instance)

    response = _post(client, auth, "ani", item, "complete", {"data": data})

    assert response.status_code == 422
    assert response.json["code"] == "form_invalid"
    assert field in response.json["details"]["fields"]
    assert _detail(client, auth, instance) == before
    assert [i["id"] for i in _inbox(client, auth, "ani")] == [item["id"]]


def test_completion_converts_the_form_and_opens_the_next_step_for_its_position(client, auth, key):
    instance = _start(client, auth, key)
    item = _item_of(client, auth, instance)

    response = _post(
        client,
        auth,
        "ani",
        item,
        "complete",
        {"data": {"nik": " 3171 ", "jumlah": "2", "lengkap": "ya"}, "comment": "Berkas diterima"},
    )

    assert response.status_code == 200
    done = response.json
    assert (done["status"], done["completed_by"], done["claimed_by"]) == ("completed", "ani", "ani")
    assert done["form_data"] == {"nik": "3171", "jumlah": 2, "lengkap": True}
    assert done["comment"] == "Berkas diterima"
    assert _inbox(client, auth, "ani") == []
    [next_step] = _inbox(client, auth, "citra")
    assert (next_step["activity_id"], next_step["position"]) == ("setujui", "UJI-KEPALA")
    detail = _detail(client, auth, instance)
    assert detail["data"]["jumlah"] == 2
    assert "work_item_completed" in [e["type"] for e in detail["events"]]


def test_completing_twice_is_a_conflict_naming_who_completed(client, auth, key):
    instance = _start(client, auth, key)
    item = _item_of(client, auth, instance)
    _post(client, auth, "ani", item, "complete", {"data": {"nik": "3171"}})
    before = _detail(client, auth, instance)

    response = _post(client, auth, "budi", item, "complete", {"data": {"nik": "9999"}})

    assert response.status_code == 409
    assert response.json["code"] == "work_item_already_completed"
    assert response.json["details"]["completed_by"] == "ani"
    assert response.json["details"]["completed_at"]
    assert _detail(client, auth, instance) == before
    assert _post(client, auth, "ani", item, "claim").status_code == 409


def test_last_step_completes_the_request(client, auth, key):
    instance = _start(client, auth, key)
    _post(client, auth, "ani", _item_of(client, auth, instance), "complete", {"data": {"nik": "1"}})

    response = _post(client, auth, "citra", _item_of(client, auth, instance), "complete", {})

    assert response.status_code == 200
    assert _detail(client, auth, instance)["instance"]["status"] == "completed"
    assert _inbox(client, auth, "citra") == []


def _decision_sop(api_ctx, required: str = "true") -> str:
    """terima asks 'lengkap?'; complete files go to the head, others back to the staff."""
    question = f'<sop:field name="lengkap" type="boolean" required="{required}"/>'
    return publish(
        api_ctx,
        build(
            SopSpec(
                key="keputusan",
                steps=[
                    Step("terima", fields=question),
                    Step("setujui", lane="kepala"),
                    Step("lengkapi"),
                ],
                chain=False,
                extra=(
                    '<bpmn:startEvent id="mulai"/><bpmn:endEvent id="selesai"/>'
                    + gateway("cek", default="f_kurang")
                    + flow("mulai", "terima")
                    + flow("terima", "cek")
                    + flow("cek", "setujui", "lengkap == True", flow_id="f_lengkap")
                    + flow("cek", "lengkapi", flow_id="f_kurang")
                    + flow("setujui", "selesai")
                    + flow("lengkapi", "selesai")
                ),
            )
        ),
    )


@pytest.mark.parametrize(
    ("answer", "who", "activity"),
    [("ya", "citra", "setujui"), (False, "budi", "lengkapi")],
    ids=["complete-to-head", "incomplete-to-staff"],
)
def test_gateway_routes_on_the_form_value(client, auth, api_ctx, answer, who, activity):
    instance = _start(client, auth, _decision_sop(api_ctx))
    item = _item_of(client, auth, instance)

    response = _post(client, auth, "ani", item, "complete", {"data": {"lengkap": answer}})

    assert response.status_code == 200
    [next_step] = _inbox(client, auth, who)
    assert next_step["activity_id"] == activity
    assert next_step["instance_id"] == instance["id"]
    open_steps = [w["activity_id"] for w in _detail(client, auth, instance)["work_items"][1:]]
    assert open_steps == [activity]


def test_a_decision_that_cannot_be_made_leaves_the_step_open(client, auth, api_ctx):
    instance = _start(client, auth, _decision_sop(api_ctx, required="false"))
    item = _item_of(client, auth, instance)
    before = _detail(client, auth, instance)

    refused = _post(client, auth, "ani", item, "complete", {"data": {}})

    assert refused.status_code == 422
    assert "lengkap" in refused.json["message"]
    assert _detail(client, auth, instance) == before
    retried = _post(client, auth, "ani", item, "complete", {"data": {"lengkap": True}})
    assert retried.status_code == 200
    assert [i["activity_id"] for i in _inbox(client, auth, "citra")] == ["setujui"]


def test_a_step_refuses_a_nik_its_rule_refuses_with_a_code_and_a_message(client, auth, api_ctx):
    rule = (
        '<sop:field name="nik" type="text" label="NIK" pattern="[0-9]{16}" '
        'patternMessage="NIK terdiri dari tepat 16 angka." '
        'patternMessageEn="A NIK has exactly 16 digits."/>'
    )
    sop = publish(api_ctx, build(SopSpec(key="nik_uji", steps=[Step("terima", fields=rule)])))
    instance = _start(client, auth, sop)
    item = _item_of(client, auth, instance)

    response = _post(client, auth, "ani", item, "complete", {"data": {"nik": "12"}})

    detail = client.get(f"/api/work-items/{item['id']}", headers=auth["ani"]).json
    assert detail["activity"]["fields"][0]["rules"]["pattern"] == "[0-9]{16}"
    assert response.status_code == 422
    assert response.json["details"]["fields"] == {"nik": "NIK terdiri dari tepat 16 angka."}
    assert response.json["details"]["field_errors"]["nik"]["code"] == "pattern"
    done = _post(client, auth, "ani", item, "complete", {"data": {"nik": "3171234567890123"}})
    assert done.status_code == 200
