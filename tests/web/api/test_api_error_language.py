"""API errors speak the client's language: Indonesian unless Accept-Language asks for English."""

import pytest

from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish

FORM = '<sop:field name="nik" type="text" label="NIK" required="true"/>'


@pytest.fixture
def item(client, api_ctx, auth) -> dict:
    """An open step 'terima' of ani's position, with a required field."""
    key = publish(api_ctx, build(SopSpec(steps=[Step("terima", fields=FORM)])))
    started = client.post("/api/instances", json={"sop": key, "data": {}}, headers=auth["ani"])
    detail = client.get(f"/api/instances/{started.json['id']}", headers=auth["admin"]).json
    return detail["work_items"][0]


def _complete(client, auth, who, item, data, language=None):
    headers = {**auth[who], **({"Accept-Language": language} if language else {})}
    return client.post(
        f"/api/work-items/{item['id']}/complete", json={"data": data}, headers=headers
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (None, "Langkah ini sudah diselesaikan oleh Ani pada 23 Nov 2026, 08.00 WIB."),
        ("fr-FR, de;q=0.5", "Langkah ini sudah diselesaikan oleh Ani pada 23 Nov 2026, 08.00 WIB."),
        ("en", "This step was already completed by Ani at 23 Nov 2026, 08.00 +0700."),
        (
            "en-GB,en;q=0.9,id;q=0.5",
            "This step was already completed by Ani at 23 Nov 2026, 08.00 +0700.",
        ),
        ("id-ID", "Langkah ini sudah diselesaikan oleh Ani pada 23 Nov 2026, 08.00 WIB."),
    ],
    ids=["absent", "unmatched", "en", "en-gb-first", "id"],
)
def test_completing_a_completed_step_says_who_and_when_in_the_clients_language(
    client, auth, item, language, expected
):
    assert _complete(client, auth, "ani", item, {"nik": "3171"}).status_code == 200

    response = _complete(client, auth, "budi", item, {"nik": "9999"}, language)

    assert response.status_code == 409
    assert response.json["code"] == "work_item_already_completed"
    assert response.json["message"] == expected
    assert response.json["details"]["completed_by"] == "ani"


def test_a_step_of_another_position_is_refused_in_indonesian_or_english(client, auth, item):
    indonesian = _complete(client, auth, "dedi", item, {"nik": "1"})
    english = _complete(client, auth, "dedi", item, {"nik": "1"}, "en")

    assert indonesian.status_code == english.status_code == 403
    assert indonesian.json["code"] == english.json["code"] == "work_item_not_your_position"
    assert indonesian.json["message"] == (
        "Anda tidak memegang jabatan pelaksana langkah ini, jadi tidak dapat menyelesaikannya."
    )
    assert english.json["message"] == (
        "You do not hold the position of this step, so you may not complete it."
    )


def test_an_unknown_step_is_not_found_in_indonesian_or_english(client, auth):
    indonesian = client.get("/api/work-items/424242", headers=auth["ani"])
    english = client.get("/api/work-items/424242", headers={**auth["ani"], "Accept-Language": "en"})

    assert indonesian.status_code == english.status_code == 404
    assert indonesian.json["code"] == "work_item_not_found"
    assert indonesian.json["message"] == "Langkah kerja nomor 424242 tidak ditemukan."
    assert english.json["message"] == "Work item 424242 does not exist."


def test_a_form_with_errors_is_refused_in_indonesian_or_english(client, auth, item):
    indonesian = _complete(client, auth, "ani", item, {})
    english = _complete(client, auth, "ani", item, {}, "en")

    assert indonesian.status_code == english.status_code == 422
    assert indonesian.json["code"] == "form_invalid"
    assert indonesian.json["message"] == "Isian formulir belum benar; periksa kolom yang ditandai."
    assert english.json["message"] == "The form has errors."
    assert "nik" in indonesian.json["details"]["fields"]


def test_a_body_with_invalid_fields_is_refused_in_the_clients_language(client, auth):
    body = {"sop": 5, "data": {}}
    indonesian = client.post("/api/instances", json=body, headers=auth["ani"])
    english = client.post(
        "/api/instances", json=body, headers={**auth["ani"], "Accept-Language": "en"}
    )

    assert indonesian.status_code == english.status_code == 422
    assert indonesian.json["message"] == "Ada isian permintaan yang tidak valid: sop."
    assert english.json["message"] == "The request has invalid fields: sop."


def test_a_missing_token_is_explained_in_indonesian_by_default(client):
    response = client.get("/api/work-items")

    assert response.status_code == 401
    assert response.json["code"] == "token_missing"
    assert "token API" in response.json["message"]
