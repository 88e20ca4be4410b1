"""The SOP library as the overlap rules see it: activities resolved to positions and units,
their names and requirements as stems, and word weights (words of few SOPs weigh more)."""

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.overlaps.flow import ActivityFlow
from engine.overlaps.model import ActivityRef, LaneRef
from engine.overlaps.text import actions, fuzzy_neighbours, token_set
from engine.sop_metadata import Activity, SopMetadata

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Settings:
    """The rules' thresholds; the defaults are the documented ones."""

    # Two activities are the same work when their names are at least this similar (0..1,
    # weighted Dice of stems). At 0.75 the names must share most of their weighted words:
    # "verifikasi berkas" vs "arsipkan berkas" is 0.5.
    threshold: float = 0.75
    # ... and, when both list requirements or form fields, those at least this similar: the
    # same step on other documents ("menerima berkas" of two different permits) is no overlap.
    detail_threshold: float = 0.6
    # position_in_many_sops: a position doing the same work in at least this many SOPs.
    many_sops: int = 5


@dataclass(frozen=True)
class Record:
    """One activity ready to compare."""

    index: int
    ref: ActivityRef
    activity: Activity
    name_tokens: frozenset[str]
    detail_tokens: frozenset[str]  # its requirements (mutu baku kelengkapan) and form labels
    actions: frozenset[str]  # its verbs: two activities sharing none are different work

    @property
    def sop_key(self) -> str:
        return self.ref.sop_key


@dataclass(frozen=True)
class LaneInfo:
    ref: LaneRef
    unknown: tuple[str, ...]  # position codes the organization does not have


@dataclass
class Library:
    records: list[Record]
    by_sop: dict[str, list[Record]]
    lanes: list[LaneInfo]
    flows: Mapping[str, ActivityFlow]
    agency_of_unit: Mapping[str, str]
    sop_names: dict[str, frozenset[str]] = field(default_factory=dict)  # SOP key -> stems
    name_weights: dict[str, float] = field(default_factory=dict)
    detail_weights: dict[str, float] = field(default_factory=dict)
    near: dict[str, frozenset[str]] = field(default_factory=dict)  # stems a typo apart

    def agencies(self, units: Sequence[str]) -> set[str]:
        """The top-level units (perangkat daerah) the given units belong to."""
        return {self.agency_of_unit.get(u, u) for u in units}

    def on_one_path(self, a: Record, b: Record) -> bool:
        flow = self.flows.get(a.sop_key)
        return flow is None or flow.on_one_path(a.ref.activity_id, b.ref.activity_id)


class Ticker:
    """Reports progress(done, total) about every 1% of the work, and at its end."""

    def __init__(self, total: int, callback: Progress | None) -> None:
        self.total, self.done, self.callback = max(total, 1), 0, callback
        self._step, self._next = max(self.total // 100, 1), 0

    def advance(self, amount: int = 1) -> None:
        self.done = min(self.done + amount, self.total)
        if self.callback and (self.done >= self._next or self.done == self.total):
            self._next = self.done + self._step
            self.callback(self.done, self.total)


def detail_text(activity: Activity) -> str:
    return " ".join([*activity.requirements, *(f.label or f.name for f in activity.fields)])


def _agency_of_unit(unit_parents: Mapping[str, str | None]) -> dict[str, str]:
    roots: dict[str, str] = {}
    for unit in unit_parents:
        seen, current = {unit}, unit
        while (parent := unit_parents.get(current)) and parent not in seen:
            seen.add(parent)
            current = parent
        roots[unit] = current
    return roots


def _idf(counts: Counter[str], documents: int) -> dict[str, float]:
    return {token: math.log(1 + documents / df) for token, df in counts.items()}


def prepare(
    sops: Sequence[SopMetadata],
    positions: Mapping[str, str | None],
    lane_positions: Mapping[tuple[str, str], Sequence[str]] | None,
    flows: Mapping[str, ActivityFlow] | None,
    unit_parents: Mapping[str, str | None] | None,
    ticker: Ticker,
) -> Library:
    """Resolve every lane to its positions and every activity to stems and performers."""
    lane_positions = lane_positions or {}
    library = Library([], {}, [], flows or {}, _agency_of_unit(unit_parents or {}))
    for sop in sops:
        lane_codes: dict[str, tuple[str, ...]] = {}
        for lane in sop.lanes:
            codes = lane_positions.get((sop.key, lane.id))
            if codes is None:
                codes = (lane.position_code,) if lane.position_code else ()
            codes = tuple(dict.fromkeys(codes))
            lane_codes[lane.id] = tuple(c for c in codes if c in positions)
            library.lanes.append(
                LaneInfo(
                    LaneRef(sop.key, lane.id, lane.name, codes),
                    tuple(c for c in codes if c not in positions),
                )
            )
        records = library.by_sop.setdefault(sop.key, [])
        library.sop_names[sop.key] = token_set(sop.name)
        for activity in sop.activities:
            codes = lane_codes.get(activity.lane_id or "", ())
            units = tuple(dict.fromkeys(u for c in codes if (u := positions.get(c))))
            ref = ActivityRef(sop.key, activity.id, activity.name, activity.lane_id, codes, units)
            record = Record(
                len(library.records),
                ref,
                activity,
                token_set(activity.name),
                token_set(detail_text(activity)),
                actions(activity.name),
            )
            library.records.append(record)
            records.append(record)
        ticker.advance()
    # Document frequency counts SOPs, not activities: a step every SOP has ("menerima berkas")
    # weighs little, the words naming an SOP's own service weigh much.
    name_df: Counter[str] = Counter()
    detail_df: Counter[str] = Counter()
    for records in library.by_sop.values():
        name_df.update({t for r in records for t in r.name_tokens})
        detail_df.update({t for r in records for t in r.detail_tokens})
    library.name_weights = _idf(name_df, len(sops))
    library.detail_weights = _idf(detail_df, len(sops))
    library.near = fuzzy_neighbours([*name_df, *detail_df])
    return library
