"""/api/dashboard as an analyst's or a manager's script uses it: figures, scope and errors."""

import pytest

from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.usecases.context import SYSTEM
from web.usecases.organization import administration
from web.usecases.runtime import instances, work_items

SPEC = SopSpec(
    key="izin_dasbor",
    steps=[Step("terima", time="30 menit"), Step("setujui", lane="dinas", time="1 jam")],
    lanes={"staf": "UJI-STAF", "dinas": "LAIN-STAF"},
)


def _open_item(ctx, instance_id: int) -> int:
    view = instances.get_instance(ctx, SYSTEM, instance_id)
    return next(i.id for i in view.work_items if i.status in ("open", "claimed"))


@pytest.fixture
def log(api_ctx, tokens, clock):
    """Two requests through both steps (one late at the first step), one still open."""
    actor = {n: administration.authenticate_token(api_ctx, tokens[n].split()[1]) for n in tokens}
    publish(api_ctx, build(SPEC))
    done = []
    for wait_minutes in (10, 50):
        instance = instances.start_instance(api_ctx, actor["admin"], "izin_dasbor", {})
        clock.advance(minutes=wait_minutes)
        work_items.complete(api_ctx, actor["ani"], _open_item(api_ctx, instance.id), {})
        clock.advance(minutes=20)
        work_items.complete(api_ctx, actor["dedi"], _open_item(api_ctx, instance.id), {})
        done.append(instance.id)
    still_open = instances.start_instance(api_ctx, actor["admin"], "izin_dasbor", {})
    return {"done": done, "open": still_open.id}


def test_overview_gives_each_sops_counts_cycle_times_and_compliance(client, auth, log):
    response = client.get("/api/dashboard/overview", headers=auth["eka"])

    assert response.status_code == 200
    (row,) = response.json["rows"]
    assert (row["sop_key"], row["started"], row["completed"], row["open"]) == (
        "izin_dasbor",
        3,
        2,
        1,
    )
    # Cycle times 30 and 70 minutes, in office hours (a Monday morning): median 30, p90 70.
    assert row["cycle_office"] == {"median": 1800.0, "p90": 4200.0, "count": 2}
    assert row["steps_on_time"] == {"part": 3, "whole": 4, "ratio": 0.75}
    assert sum(week["started"] for week in response.json["trend"]) == 3


def test_one_sop_ranks_its_activities_and_the_numbers_lead_to_the_requests(client, auth, log):
    sop_id = client.get("/api/dashboard/overview", headers=auth["eka"]).json["rows"][0]["sop_id"]
    detail = client.get(f"/api/dashboard/sops/{sop_id}", headers=auth["eka"]).json
    first = next(a for a in detail["activities"] if a["activity_id"] == "terima")
    assert (first["items"], first["completed"], first["open"]) == (3, 2, 1)
    assert first["breaches"]["part"] == 1  # 50 minutes against a 30-minute standard

    behind = client.get(
        "/api/dashboard/requests",
        query_string={"figure": "activity_breached", "activity": "terima", "sop": sop_id},
        headers=auth["eka"],
    ).json
    assert [item["id"] for item in behind["items"]] == [log["done"][1]]


def test_workload_and_versions_answer_for_the_manager_in_scope(client, auth, log):
    workload = client.get("/api/dashboard/workload", headers=auth["citra"]).json
    # citra manages the kelurahan: only its position's steps, not the other unit's.
    assert [row["key"] for row in workload["positions"]] == ["UJI-STAF"]
    assert workload["positions"][0]["completed"] == 2

    sop_id = client.get("/api/dashboard/overview", headers=auth["eka"]).json["rows"][0]["sop_id"]
    one_version = client.get(f"/api/dashboard/sops/{sop_id}/versions", headers=auth["eka"])
    assert one_version.status_code == 422
    assert one_version.json["code"] == "comparison_needs_two_versions"
    assert "dua versi" in one_version.json["message"]


@pytest.mark.parametrize(
    ("who", "args", "status", "named"),
    [
        ("ani", {}, 403, None),
        ("eka", {"from": "2026-13-01"}, 422, "from"),
        ("eka", {"to": "kemarin"}, 422, "to"),
        ("eka", {"from": "2026-11-30", "to": "2026-11-01"}, 422, "from"),
        ("eka", {"unit": "9999"}, 404, None),
    ],
)
def test_wrong_user_or_parameters_get_a_clear_error(client, auth, log, who, args, status, named):
    response = client.get("/api/dashboard/overview", query_string=args, headers=auth[who])
    assert response.status_code == status
    assert response.json["code"]
    if named:
        assert named in response.json["message"]


def test_an_unknown_figure_is_refused(client, auth, log):
    response = client.get(
        "/api/dashboard/requests", query_string={"figure": "semua"}, headers=auth["eka"]
    )
    assert response.status_code == 422
    assert "figure" in str(response.json)
