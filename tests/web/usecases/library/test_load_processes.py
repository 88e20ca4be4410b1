"""`alur load-processes` publishes library files, never over a newer version from elsewhere."""

import shutil
from pathlib import Path

import pytest

from storage.models import VersionStatus
from web.usecases.analysis.simulation import without_paraf
from web.usecases.context import SYSTEM
from web.usecases.demo import seed_organization
from web.usecases.library import sops

PROCESSES = Path(__file__).resolve().parents[4] / "processes"
DOMISILI = "surat_keterangan_domisili"


@pytest.fixture
def folder(ctx, tmp_path) -> Path:
    """A copy of the library, loaded once, that a test may edit."""
    copy = tmp_path / "processes"
    shutil.copytree(PROCESSES, copy)
    seed_organization(ctx, copy / "demo_organization.json", "sandi-demo-uji")
    sops.load_processes(ctx, copy)
    return copy


def _redesign_through_the_api(ctx, clock) -> int:
    clock.advance(days=30)
    xml = sops.get_version_bpmn(ctx, SYSTEM, DOMISILI, 1)
    version = sops.upload_version(ctx, SYSTEM, without_paraf(xml).encode("utf-8"))
    sops.publish_version(ctx, SYSTEM, DOMISILI, version.number)
    clock.advance(days=30)
    return version.number


def _outcome(results, key: str):
    return next(r for r in results if r.key == key)


def test_a_newer_version_from_elsewhere_is_kept_and_the_file_is_not_republished(ctx, clock, folder):
    assert _redesign_through_the_api(ctx, clock) == 2

    results = sops.load_processes(ctx, folder)

    kept = _outcome(results, DOMISILI)
    assert (kept.outcome, kept.version) == ("kept", 2)
    assert "kept v2" in kept.note and f"{DOMISILI}.bpmn" in kept.note and "--force" in kept.note
    assert sops.get_version(ctx, SYSTEM, DOMISILI).number == 2
    assert [v.number for v in sops.get_sop(ctx, SYSTEM, DOMISILI).versions] == [1, 2]
    assert {r.outcome for r in results if r.key != DOMISILI} == {"unchanged"}


def test_force_publishes_the_file_over_the_newer_version(ctx, clock, folder):
    _redesign_through_the_api(ctx, clock)

    results = sops.load_processes(ctx, folder, force=True)

    forced = _outcome(results, DOMISILI)
    assert (forced.outcome, forced.version) == ("published", 3)
    in_force = sops.get_version(ctx, SYSTEM, DOMISILI)
    assert in_force.number == 3 and in_force.source_file == f"{DOMISILI}.bpmn"


def test_a_changed_file_whose_sop_came_from_it_is_published_as_a_new_version(ctx, clock, folder):
    path = folder / f"{DOMISILI}.bpmn"
    path.write_text(without_paraf(path.read_text(encoding="utf-8")), encoding="utf-8")
    clock.advance(days=1)

    results = sops.load_processes(ctx, folder)

    assert (_outcome(results, DOMISILI).outcome, _outcome(results, DOMISILI).version) == (
        "published",
        2,
    )
    old, new = sops.get_sop(ctx, SYSTEM, DOMISILI).versions
    assert (old.status, new.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)
    assert new.source_file == f"{DOMISILI}.bpmn" and new.created_by_id is None


def test_the_cli_says_which_version_it_kept_and_how_to_force_the_file(alur, ctx, clock, folder):
    _redesign_through_the_api(ctx, clock)

    result = alur("load-processes", "--dir", str(folder))

    assert result.exit_code == 0, result.output
    assert "kept v2, uploaded through the API or the modeler, published on" in result.output
    assert "1 kept a newer version from elsewhere" in result.output
    assert alur("load-processes", "--dir", str(folder), "--force").exit_code == 0
    assert sops.get_version(ctx, SYSTEM, DOMISILI).number == 3
