"""A new user's tour through the API alone: start a request of every SOP and finish it."""

import json
from pathlib import Path

import pytest

from web.usecases.context import SYSTEM
from web.usecases.demo import seed_organization
from web.usecases.library import sops
from web.usecases.organization import administration

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SCENARIOS = json.loads((Path(__file__).parent / "scenarios.json").read_text(encoding="utf-8"))
DEMO = json.loads((PROCESSES / "demo_organization.json").read_text(encoding="utf-8"))
# The first path of each SOP is its main path to the usual outcome.
MAIN_PATHS = {sop: next(iter(paths.values())) for sop, paths in SCENARIOS.items()}


@pytest.fixture
def headers(api_ctx):
    """Bearer headers per position code, of one demo user holding it (made as the CLI does)."""
    seed_organization(api_ctx, PROCESSES / "demo_organization.json", "sandi-demo-uji")
    sops.load_processes(api_ctx, PROCESSES)
    tokens: dict[str, dict] = {}
    for user in DEMO["users"]:
        for code in user["positions"]:
            if code not in tokens:
                token = administration.create_token(api_ctx, SYSTEM, user["username"])
                tokens[code] = {"Authorization": f"Bearer {token}"}
    return tokens


@pytest.mark.parametrize("sop", sorted(MAIN_PATHS))
def test_a_request_of_every_sop_runs_to_completion_through_the_api(client, headers, sop):
    steps = MAIN_PATHS[sop]["steps"]
    version = client.get(f"/api/sops/{sop}", headers=next(iter(headers.values()))).get_json()
    first = next(a for a in version["activities"] if a["id"] == steps[0][0])
    starter = headers[first["position_code"]]

    started = client.post(
        "/api/instances", headers=starter, json={"sop": sop, "data": {"pemohon": "Warga Uji"}}
    )
    assert started.status_code == 201, started.get_json()
    instance_id = started.get_json()["id"]

    for activity, values in steps:
        detail = client.get(f"/api/instances/{instance_id}", headers=starter).get_json()
        item = next(
            w
            for w in detail["work_items"]
            if w["activity_id"] == activity and w["status"] == "open"
        )
        performer = headers[item["position"]]
        inbox = client.get("/api/work-items", headers=performer).get_json()
        assert item["id"] in [w["id"] for w in inbox["items"]]
        assert (
            client.post(f"/api/work-items/{item['id']}/claim", headers=performer).status_code == 200
        )
        done = client.post(
            f"/api/work-items/{item['id']}/complete",
            headers=performer,
            json={"data": values, "comment": "sesuai SOP"},
        )
        assert done.status_code == 200, done.get_json()

    final = client.get(f"/api/instances/{instance_id}", headers=starter).get_json()
    assert final["instance"]["status"] == "completed"
    assert final["events"][-1]["type"] == "instance_completed"
