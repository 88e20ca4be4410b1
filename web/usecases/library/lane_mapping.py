"""Which position each SOP lane (pelaksana) maps to, and the lanes that map to nothing.

A lane naming a position that does not exist keeps its version from being published (it stays
a draft, held back); a lane whose position nobody holds can be published but its steps would
wait in an inbox nobody reads, so it is shown as a warning.
"""

from dataclasses import dataclass

from storage.models import Role, VersionStatus
from storage.repositories import organization as org_repo
from storage.repositories import sops as repo
from web.usecases.context import Actor, Context

POSITION_UNKNOWN = "position_unknown"  # the lane names a position code that does not exist
POSITION_MISSING = "position_missing"  # the lane names no position at all
POSITION_VACANT = "position_vacant"  # the position exists but no active user holds it


@dataclass(frozen=True)
class LaneMapping:
    lane_id: str
    lane_name: str
    position_code: str | None
    position_name: str | None
    unit_name: str | None
    problem: str | None = None

    @property
    def is_problem(self) -> bool:
        return self.problem in (POSITION_UNKNOWN, POSITION_MISSING)


@dataclass(frozen=True)
class VersionLanes:
    sop_key: str
    name: str
    number: int
    status: VersionStatus
    lanes: tuple[LaneMapping, ...]

    @property
    def problems(self) -> tuple[LaneMapping, ...]:
        return tuple(lane for lane in self.lanes if lane.is_problem)

    @property
    def warnings(self) -> tuple[LaneMapping, ...]:
        return tuple(lane for lane in self.lanes if lane.problem == POSITION_VACANT)

    @property
    def held_back(self) -> bool:
        """A draft that cannot be published until its lanes map to existing positions."""
        return self.status == VersionStatus.DRAFT and bool(self.problems)


def lane_mapping(ctx: Context, actor: Actor) -> list[VersionLanes]:
    """Every published version and every newer draft with its lanes; problems first."""
    actor.require_role(Role.ADMIN, Role.ANALYST, action="view the lane mapping")
    with ctx.transaction() as session:
        rows = repo.lanes_of_current_versions(session)
        codes = {lane["position_code"] for *_, lanes in rows for lane in lanes or ()}
        positions = org_repo.positions_by_codes(session, codes - {None})
        held = org_repo.held_position_ids(session)
        found = {code: (p.name, p.unit.name, p.id in held) for code, p in positions.items()}
    versions = [
        VersionLanes(key, name, number, status, tuple(_map(lane, found) for lane in lanes or ()))
        for key, name, number, status, lanes in rows
    ]
    return sorted(versions, key=lambda v: (not v.problems, not v.warnings, v.sop_key, v.number))


def _map(lane: dict, found: dict[str, tuple[str, str, bool]]) -> LaneMapping:
    code = lane.get("position_code")
    if not code:
        return LaneMapping(lane["id"], lane["name"], None, None, None, POSITION_MISSING)
    if code not in found:
        return LaneMapping(lane["id"], lane["name"], code, None, None, POSITION_UNKNOWN)
    name, unit, held = found[code]
    return LaneMapping(
        lane["id"], lane["name"], code, name, unit, None if held else POSITION_VACANT
    )
