"""Overlap flags from the SOP library: planted overlaps are found, clean SOPs raise nothing."""

import dataclasses
import json
import random
from pathlib import Path

import pytest

from engine.definition import load_sop
from engine.overlaps import (
    Flag,
    FlagKind,
    Settings,
    Severity,
    analyze_library,
    build_flow,
    flow_of_bpmn,
)
from engine.overlaps.evaluation import Known, evaluate
from tests.engine.overlap_cases import CASES, Case, load

ROOT = Path(__file__).resolve().parents[2]


def run(case: Case, **overrides) -> list[Flag]:
    arguments = {**case.run_args(), **overrides}
    return analyze_library(case.sops, case.positions, **arguments)


def _finds(flag: Flag, known: Known) -> bool:
    return flag.kind == known.kind and known.ids <= set(flag.evidence.ids())


@pytest.mark.parametrize("name", CASES)
def test_every_planted_overlap_is_flagged_and_nothing_else(name):
    case = load(name)
    score = evaluate(run(case), case.expected)
    print(f"{name}: {score}")
    assert score.missed == ()
    assert score.unexpected == ()


def test_precision_and_recall_over_all_cases():
    flags, known = [], []
    for name in CASES:
        case = load(name)
        flags += run(case)
        known += case.expected
    score = evaluate(flags, known)
    print(f"{len(CASES)} libraries, {len(known)} planted overlaps, {len(flags)} flags: {score}")
    assert (score.precision, score.recall) == (1.0, 1.0)


@pytest.mark.parametrize("name", CASES)
def test_severities_follow_the_rules(name):
    case = load(name)
    flags = run(case)
    for known, severity in case.severities:
        assert [f.severity for f in flags if _finds(f, known)] == [Severity(severity)]


def test_lane_flags_name_their_lane_and_why():
    flags = {f.evidence.lanes[0].lane_id: f for f in run(load("performers")) if f.evidence.lanes}
    assert flags["petugas"].kind == FlagKind.LANE_UNMAPPED
    assert "DPM-XYZ" in flags["verifikator"].explanation_en
    assert "DPM-XYZ" in flags["verifikator"].explanation_id
    assert flags["tim"].kind == FlagKind.LANE_SEVERAL
    assert flags["tim"].severity == Severity.HIGH  # DPMPTSP and DINKES
    assert flags["kasi"].severity == Severity.MEDIUM  # both in DPMPTSP


def test_twins_on_alternative_branches_are_low_and_on_one_path_medium():
    flags = [f for f in run(load("performers")) if f.evidence.score is not None]
    severity = {f.evidence.sops[0]: f.severity for f in flags}
    assert severity == {"pbg_mini": Severity.LOW, "rekap_absensi": Severity.MEDIUM}


def test_without_the_flow_checks_on_alternative_branches_count_as_one_path():
    case = load("repeated_checks")
    flows = {k: v for k, v in case.flows.items() if k != "izin_tempat_usaha"}
    extra = evaluate(run(case, flows=flows), case.expected).unexpected
    assert [[a.activity_id for a in f.evidence.activities] for f in extra] == [
        ["verif_kecil", "verif_menengah"]
    ]


def test_keys_are_stable_across_runs_and_sop_order():
    case = load("similar_across_units")
    first = {f.key for f in run(case)}
    shuffled = list(case.sops)
    random.Random(3).shuffle(shuffled)
    again = analyze_library(shuffled, case.positions, **case.run_args())
    assert {f.key for f in again} == first
    assert len(first) == len(case.expected)


def test_flags_come_most_serious_first():
    flags = run(load("performers"))
    ranks = [f.severity.rank for f in flags]
    assert ranks == sorted(ranks)


def test_each_flag_explains_itself_in_both_languages():
    for name in CASES:
        for flag in run(load(name)):
            assert flag.explanation_en and flag.explanation_id
            assert flag.explanation_en != flag.explanation_id
            assert flag.explanation("en") == flag.explanation_en
            assert flag.explanation("id") == flag.explanation_id
            json.dumps(flag.as_dict())


def test_thresholds_are_settings():
    case = load("position_in_many_sops")
    assert run(case, settings=Settings(many_sops=7)) == []
    strict = run(load("similar_across_units"), settings=Settings(threshold=0.9))
    assert len(strict) == 3  # "pemverifikasian berkas izin praktik" is 0.84 from its twin


def test_progress_is_reported_up_to_the_total():
    calls = []
    case = load("similar_across_units")
    run(case, progress=lambda done, total: calls.append((done, total)))
    assert calls
    assert calls[-1][0] == calls[-1][1]
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_lane_override_replaces_the_lanes_own_position():
    case = load("similar_across_units")
    lanes = {("ktp_el", "fo"): ["KEC-STAF"]}  # now the same position as its twin
    flags = run(case, lane_positions=lanes)
    assert len(flags) == len(case.expected) - 1


def test_an_empty_library_raises_nothing():
    assert analyze_library([], {}) == []


def _real_library() -> list[Flag]:
    org = json.loads((ROOT / "processes" / "demo_organization.json").read_text())
    positions = {p["code"]: p["unit"] for p in org["positions"]}
    parents = {u["code"]: u["parent"] for u in org["units"]}
    sops, flows = [], {}
    for path in sorted((ROOT / "processes").glob("*.bpmn")):
        definition = load_sop(path.read_bytes())
        sops.append(definition.metadata)
        flows[definition.key] = flow_of_bpmn(path.read_bytes())
    return analyze_library(sops, positions, flows=flows, unit_parents=parents)


def test_the_real_library():
    flags = _real_library()
    for flag in flags:
        print(flag.kind, flag.severity, flag.explanation_en)
    kinds = {f.kind for f in flags}
    assert kinds <= {FlagKind.REPEATED_CHECK, FlagKind.SEVERAL_PERFORMERS}  # every lane mapped
    twins = [f for f in flags if f.kind == FlagKind.SEVERAL_PERFORMERS]
    assert [(f.severity, [a.activity_id for a in f.evidence.activities]) for f in twins] == [
        (Severity.LOW, ["penilaian_tpt", "penilaian_tpa"])  # TPT or TPA, by a decision
    ]
    cuti = next(f for f in flags if f.evidence.sops == ("cuti_pegawai",))
    assert cuti.severity == Severity.HIGH  # the OPD and BKPSDM both check the leave form


def test_flags_are_frozen():
    flag = run(load("performers"))[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        flag.kind = FlagKind.LANE_SEVERAL  # type: ignore[misc]


def test_loops_are_rework_and_decisions_make_alternatives():
    edges = [("start", "a"), ("a", "gw"), ("gw", "b"), ("gw", "c"), ("b", "join")]
    edges += [("c", "join"), ("join", "d"), ("d", "a")]  # d sends the request back to a
    flow = build_flow(edges, ["a", "b", "c", "d"], ["start"])
    assert flow.on_one_path("a", "b") and flow.on_one_path("d", "b")
    assert not flow.on_one_path("b", "c")
    assert flow.after["d"] == frozenset()  # the loop back to "a" is not a new step
