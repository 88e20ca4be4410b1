"""SOP libraries with planted overlaps and clean SOPs, as JSON, and their loader.

Each ``*.json`` holds an organization (positions -> unit, unit -> parent), SOPs in a short
form, and ``expected``: every flag the library must raise, and no other. An SOP's ``flow`` is
``"chain"`` (its activities in order, the default), a list of ``[source, target]`` edges, or
``null`` (order unknown). A lane is ``{"lane_id": "POSITION"}`` (or null), or
``{"lane_id": {"position": ..., "name": ...}}`` when its name matters. ``checks`` are yes/no
form fields by label.
"""

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.forms import FormField
from engine.overlaps import ActivityFlow, build_flow
from engine.overlaps.evaluation import Known
from engine.sop_metadata import Activity, Lane, SopMetadata

HERE = Path(__file__).parent
CASES = sorted(p.stem for p in HERE.glob("*.json"))


@dataclass
class Case:
    name: str
    sops: list[SopMetadata]
    positions: dict[str, str | None]
    unit_parents: dict[str, str | None]
    lane_positions: dict[tuple[str, str], list[str]]
    flows: dict[str, ActivityFlow]
    expected: list[Known]
    severities: list[tuple[Known, str]]  # the severity some expected flags must have

    def run_args(self) -> dict[str, Any]:
        return {
            "lane_positions": self.lane_positions,
            "flows": self.flows,
            "unit_parents": self.unit_parents,
        }


def _lane(lane_id: str, data: str | dict[str, str] | None) -> Lane:
    if isinstance(data, dict):
        return Lane(lane_id, data["name"], data.get("position"))
    return Lane(lane_id, lane_id.replace("_", " "), data)


def _activity(data: dict[str, Any], lanes: dict[str, Lane]) -> Activity:
    fields = tuple(
        FormField(f"cek_{i}", "boolean", label) for i, label in enumerate(data.get("checks", []))
    )
    return Activity(
        id=data["id"],
        name=data["name"],
        lane_id=data["lane"],
        position_code=lanes[data["lane"]].position_code,
        time_standard=None,
        requirements=tuple(data.get("requires", [])),
        fields=fields,
    )


def _sop(data: dict[str, Any]) -> tuple[SopMetadata, ActivityFlow | None]:
    lanes = {lane_id: _lane(lane_id, lane) for lane_id, lane in data["lanes"].items()}
    activities = tuple(_activity(a, lanes) for a in data["activities"])
    metadata = SopMetadata(
        key=data["key"], name=data["name"], lanes=tuple(lanes.values()), activities=activities
    )
    flow = data.get("flow", "chain")
    ids = [a.id for a in activities]
    if flow == "chain":
        return metadata, build_flow(itertools.pairwise(ids), ids)
    if flow is None:
        return metadata, None
    return metadata, build_flow([tuple(edge) for edge in flow], ids)


def _known(data: dict[str, Any]) -> Known:
    ids = [f"activity:{a}" for a in data.get("activities", [])]
    ids += [f"lane:{lane}" for lane in data.get("lanes", [])]
    return Known(data["kind"], frozenset(ids))


def load(name: str) -> Case:
    data = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    sops, flows = [], {}
    for sop_data in data["sops"]:
        sop, flow = _sop(sop_data)
        sops.append(sop)
        if flow is not None:
            flows[sop.key] = flow
    return Case(
        name=name,
        sops=sops,
        positions=data["positions"],
        unit_parents=data.get("units", {}),
        lane_positions={(sop, lane): codes for sop, lane, codes in data.get("lane_positions", [])},
        flows=flows,
        expected=[_known(k) for k in data["expected"]],
        severities=[(_known(k), k["severity"]) for k in data["expected"] if "severity" in k],
    )
