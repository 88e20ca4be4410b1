"""The `alur` command as an administrator uses it, against the test databases."""

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from storage.models import RequestDay, StepDay, StepDoneDay, User
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.usecases.context import SYSTEM, Actor
from web.usecases.organization import administration
from web.usecases.runtime import instances, work_items

PROCESSES = Path(__file__).resolve().parents[3] / "processes"


def test_db_upgrade_reports_the_revision(alur):
    result = alur("db", "upgrade")
    assert result.exit_code == 0
    assert "Database is at revision" in result.output


def test_demo_then_load_processes_publishes_the_library(alur):
    demo = alur("demo")
    assert demo.exit_code == 0
    users = json.loads((PROCESSES / "demo_organization.json").read_text())["users"]
    assert all(u["username"] in demo.output for u in users)
    assert "sukamaju2026" in demo.output  # the documented demo password

    loaded = alur("load-processes")
    assert loaded.exit_code == 0
    assert loaded.output.count("published  ") == len(list(PROCESSES.glob("*.bpmn")))
    assert alur("load-processes").output.count("unchanged  ") == len(list(PROCESSES.glob("*.bpmn")))
    assert "created 0 organization, 0 units, 0 positions, 0 users" in alur("demo").output


def test_load_processes_fails_on_a_refused_file(alur, tmp_path):
    folder = tmp_path / "sops"
    folder.mkdir()
    (folder / "rusak.bpmn").write_text("<bukan-bpmn/>")
    result = alur("load-processes", "--dir", str(folder))
    assert result.exit_code == 1
    assert "refused" in result.output and "not_bpmn" not in result.output
    assert "BPMN 2.0" in result.output


def test_users_create_and_token_create(alur, api_ctx_for_cli):
    alur("demo")
    created = alur(
        "users",
        "create",
        "rina",
        "--position",
        "KEL-SKM-STAF",
        "--full-name",
        "Rina Lestari",
        "--password",
        "rahasia-rina",
    )
    assert created.exit_code == 0, created.output

    result = alur("token", "create", "rina")
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    actor = administration.authenticate_token(api_ctx_for_cli, token)
    assert actor.username == "rina"


def test_users_create_with_an_unknown_position_fails_clearly(alur):
    alur("demo")
    result = alur("users", "create", "rina", "--position", "TIDAK-ADA")
    assert result.exit_code == 1
    assert "TIDAK-ADA" in result.output


def test_token_for_an_unknown_user_fails_clearly(alur):
    result = alur("token", "create", "siapa")
    assert result.exit_code == 1
    assert "siapa does not exist" in result.output


def test_run_timers_with_nothing_due(alur):
    result = alur("run-timers")
    assert result.exit_code == 0
    assert "0 requests woken" in result.output


def test_settings_lists_every_setting(alur):
    from web.settings import DECLARATIONS

    output = alur("settings").output
    assert all(f"ALUR_{d.name}" in output for d in DECLARATIONS)


@pytest.fixture
def api_ctx_for_cli(session_factory):
    from web.usecases.context import Context

    return Context(sessions=session_factory)


def test_make_run_can_run_twice_demo_months_skips_a_database_with_requests(alur, ctx):
    assert alur("demo").exit_code == 0
    assert alur("load-processes").exit_code == 0
    with ctx.transaction() as session:
        sari = Actor.of(session.scalars(select(User).where(User.username == "sari")).one())
    instances.start_instance(ctx, sari, "surat_keterangan_domisili", {"pemohon": "Sari"})

    refused = alur("demo", "--months", "1")
    assert refused.exit_code == 1
    assert "already has requests" in refused.output

    skipped = alur("demo", "--months", "1", "--if-empty")
    assert skipped.exit_code == 0
    assert "simulation is skipped" in skipped.output


def test_db_upgrade_rebuilds_dashboard_summaries_that_miss_steps_and_db_summaries_on_demand(
    alur, ctx, org
):
    spec = SopSpec(key="izin_ringkas", steps=[Step("terima"), Step("setujui", lane="dinas")])
    spec.lanes.update({"staf": "UJI-STAF", "dinas": "LAIN-STAF"})
    publish(ctx, build(spec))
    for _ in range(2):
        instance = instances.start_instance(ctx, org.actor("admin"), "izin_ringkas", {})
        for officer in ("ani", "dedi"):
            view = instances.get_instance(ctx, SYSTEM, instance.id)
            item = next(i.id for i in view.work_items if i.status == "open")
            work_items.complete(ctx, org.actor(officer), item, {})

    def held() -> tuple[int, int, int]:
        with ctx.transaction() as session:
            return tuple(
                session.scalar(select(func.coalesce(func.sum(model.completed), 0)))
                for model in (StepDay, StepDoneDay, RequestDay)
            )

    assert held() == (4, 4, 2)  # kept by the completions themselves
    assert "summaries" not in alur("db", "upgrade").output  # nothing missing: nothing rebuilt

    with ctx.transaction() as session:
        session.execute(delete(StepDay))
        session.execute(delete(RequestDay))
    upgraded = alur("db", "upgrade")
    assert upgraded.exit_code == 0
    assert "Dashboard summaries rebuilt: 6 steps and requests" in upgraded.output
    assert held() == (4, 4, 2)

    again = alur("db", "summaries")
    assert again.exit_code == 0
    assert "Dashboard summaries rebuilt" in again.output
    assert held() == (4, 4, 2)
