"""The SOP library in processes/: every file publishes, and every path runs to its end.

Paths come from scenarios.json: per SOP, per path, the steps as (activity id, form values),
the end events the request must reach, and whether a BPMN timer must fire on the way.
"""

import json
from pathlib import Path

import pytest

from storage.db import unit_of_work
from storage.models import InstanceStatus, WorkItemStatus
from storage.repositories import organization as org_repo
from web.usecases.context import Actor
from web.usecases.demo import seed_organization
from web.usecases.library import sops
from web.usecases.runtime import instances, timers, work_items

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SCENARIOS = json.loads((Path(__file__).parent / "scenarios.json").read_text(encoding="utf-8"))
DEMO = json.loads((PROCESSES / "demo_organization.json").read_text(encoding="utf-8"))


@pytest.fixture
def library(ctx):
    seed_organization(ctx, PROCESSES / "demo_organization.json", "sandi-demo-uji")
    return sops.load_processes(ctx, PROCESSES)


def holder_of(ctx, position_code: str) -> Actor:
    """An actor holding ``position_code``, taken from the demo organization."""
    username = next(u["username"] for u in DEMO["users"] if position_code in u["positions"])
    with unit_of_work(ctx.sessions) as session:
        return Actor.of(org_repo.user_by_username(session, username))


def test_every_file_is_published_with_sop_ap_metadata(ctx, library):
    assert len(library) >= 6
    assert {r.outcome for r in library} == {"published"}, [r for r in library if r.problems]
    for result in library:
        version = sops.get_version(
            ctx, holder_of(ctx, DEMO["users"][0]["positions"][0]), result.key
        )
        metadata = version.sop_metadata
        assert metadata["identity"]["number"], result.key
        assert metadata["lanes"] and all(lane["position_code"] for lane in metadata["lanes"])
        assert all(a["time_standard"] for a in metadata["activities"]), result.key
        assert "exclusiveGateway" in sops.get_version_bpmn(ctx, None, result.key, 1)


def test_at_least_one_sop_escalates_with_a_boundary_timer(library):
    bpmn = "".join(p.read_text(encoding="utf-8") for p in PROCESSES.glob("*.bpmn"))
    assert "<bpmn:boundaryEvent" in bpmn and "<bpmn:timerEventDefinition" in bpmn


def test_loading_again_changes_nothing(ctx, library):
    again = sops.load_processes(ctx, PROCESSES)
    assert {r.outcome for r in again} == {"unchanged"}


def test_every_lane_position_exists_in_the_demo_organization():
    positions = {p["code"] for p in DEMO["positions"]}
    held = {code for user in DEMO["users"] for code in user["positions"]}
    for path in PROCESSES.glob("*.bpmn"):
        for code in _lane_positions(path.read_text(encoding="utf-8")):
            assert code in positions and code in held, (path.name, code)


def _lane_positions(xml: str) -> list[str]:
    marker = '<sop:performer position="'
    return [part.split('"', 1)[0] for part in xml.split(marker)[1:]]


CASES = [(sop, name) for sop, paths in SCENARIOS.items() for name in paths]


@pytest.mark.parametrize(("sop", "path"), CASES, ids=[f"{s}-{p}" for s, p in CASES])
def test_every_path_runs_to_completion(ctx, clock, library, sop, path):
    scenario = SCENARIOS[sop][path]
    first_activity = scenario["steps"][0][0]
    version = sops.get_version(ctx, holder_of(ctx, DEMO["users"][0]["positions"][0]), sop)
    lane_position = next(
        a["position_code"] for a in version.sop_metadata["activities"] if a["id"] == first_activity
    )
    starter = holder_of(ctx, lane_position)
    instance = instances.start_instance(ctx, starter, sop, {"pemohon": "Warga Uji"})

    timer_fired = False
    for activity, values in scenario["steps"]:
        clock.advance(hours=1)
        open_items = _open_items(ctx, starter, instance.id)
        if activity not in open_items and scenario["timer"] and not timer_fired:
            clock.advance(days=8)
            assert timers.fire_due_timers(ctx) == 1
            timer_fired = True
            open_items = _open_items(ctx, starter, instance.id)
        assert activity in open_items, (activity, sorted(open_items))
        item = open_items[activity]
        work_items.complete(ctx, holder_of(ctx, item.position.code), item.id, values)

    view = instances.get_instance(ctx, starter, instance.id)
    assert view.instance.status == InstanceStatus.COMPLETED
    assert timer_fired == scenario["timer"]
    completed = next(e for e in view.events if e.type == "instance_completed")
    assert sorted(completed.payload["outcome"]) == sorted(scenario["ends"])
    completed_items = [w for w in view.work_items if w.status == WorkItemStatus.COMPLETED]
    done = [w.activity_id for w in sorted(completed_items, key=lambda w: w.completed_at)]
    assert done == [activity for activity, _ in scenario["steps"]]
    assert all(w.due_at and w.due_at > w.ready_at for w in view.work_items)


def _open_items(ctx, actor: Actor, instance_id: int) -> dict:
    view = instances.get_instance(ctx, actor, instance_id)
    return {
        w.activity_id: w
        for w in view.work_items
        if w.status in (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED)
    }


def test_a_library_loaded_before_its_positions_exist_waits_as_drafts(ctx):
    drafts = sops.load_processes(ctx, PROCESSES)
    assert {r.outcome for r in drafts} == {"draft"}
    assert all(r.problems and r.problems[0]["code"] == "position_unknown" for r in drafts)

    seed_organization(ctx, PROCESSES / "demo_organization.json", "sandi-demo-uji")
    published = sops.load_processes(ctx, PROCESSES)

    assert {r.outcome for r in published} == {"published"}
    assert [r.version for r in published] == [1] * len(published)
