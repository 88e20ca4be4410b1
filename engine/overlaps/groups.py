"""Flags made from groups of near-identical activities across SOPs.

- similar_activity: activities of different SOPs that are the same work (names and, when both
  have them, requirements/forms: ``similar.is_same_work``), performed by more than one
  position (counting the activities whose lane maps to exactly one); the score shown is the
  lowest name similarity that joined the group. High when the positions belong to several
  agencies (perangkat daerah), medium within one agency, low when no unit is known for them.
- position_in_many_sops: one position doing the same work (names alone) in at least
  ``Settings.many_sops`` SOPs: candidates for a shared procedure. Medium from twice that many
  SOPs, low below.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import TypeVar

from engine.overlaps import messages
from engine.overlaps.library import Library, Record, Settings
from engine.overlaps.model import Evidence, Flag, FlagKind, Severity, make_flag
from engine.overlaps.similar import Pair, is_same_work

T = TypeVar("T", bound=Hashable)


def components(edges: Iterable[tuple[T, T, float]]) -> list[tuple[list[T], float]]:
    """Connected groups of an edge list, each with the lowest edge score that joined it."""
    parent: dict[T, T] = {}

    def find(x: T) -> T:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    lowest: dict[T, float] = {}
    for a, b, score in edges:
        ra, rb = find(a), find(b)
        if ra == rb:
            lowest[ra] = min(score, lowest.get(ra, score))
        else:
            parent[ra] = rb
            lowest[rb] = min(score, lowest.pop(ra, score), lowest.get(rb, score))
    members: dict[T, list[T]] = defaultdict(list)
    for node in parent:
        members[find(node)].append(node)
    return [(nodes, lowest[root]) for root, nodes in members.items()]


def _sorted(records: Iterable[Record]) -> list[Record]:
    return sorted(records, key=lambda r: (r.sop_key, r.ref.activity_id))


def similar_activity_flags(library: Library, pairs: list[Pair], settings: Settings) -> list[Flag]:
    records = library.records
    edges = (
        (p.a.index, p.b.index, p.name_score)
        for p in pairs
        if not p.same_sop and is_same_work(p, settings)
    )
    flags = []
    for nodes, low in components(edges):
        group = _sorted(records[i] for i in nodes)
        # A lane of several positions is its own flag (lane_several), not a second performer.
        counted = [r for r in group if len(r.ref.positions) == 1]
        positions = sorted({r.ref.positions[0] for r in counted})
        if len(positions) < 2:
            continue
        units = sorted({u for r in counted for u in r.ref.units})
        agencies = library.agencies(units)
        if len(agencies) > 1:
            severity = Severity.HIGH
        elif agencies:
            severity = Severity.MEDIUM
        else:
            severity = Severity.LOW
        refs = tuple(r.ref for r in group)
        sops = tuple(sorted({r.sop_key for r in group}))
        evidence = Evidence(sops, refs, positions=tuple(positions), units=tuple(units), score=low)
        text = messages.similar_activity(refs, low, len(positions), len(units), len(sops))
        flags.append(make_flag(FlagKind.SIMILAR_ACTIVITY, severity, evidence, text))
    return flags


def position_flags(library: Library, pairs: list[Pair], settings: Settings) -> list[Flag]:
    records = library.records
    edges = (
        ((position, p.a.index), (position, p.b.index), p.name_score)
        for p in pairs
        if not p.same_sop
        for position in p.shared_positions
    )
    flags = []
    for nodes, low in components(edges):
        position = nodes[0][0]
        group = _sorted(records[i] for _, i in nodes)
        sops = tuple(sorted({r.sop_key for r in group}))
        if len(sops) < settings.many_sops:
            continue
        severity = Severity.MEDIUM if len(sops) >= 2 * settings.many_sops else Severity.LOW
        refs = tuple(group)
        units = tuple(sorted({u for r in group for u in r.ref.units}))
        evidence = Evidence(
            sops, tuple(r.ref for r in refs), positions=(position,), units=units, score=low
        )
        text = messages.position_in_many_sops(position, evidence.activities, len(sops), low)
        flags.append(make_flag(FlagKind.POSITION_IN_MANY_SOPS, severity, evidence, text))
    return flags
