"""Flags about who performs what inside one SOP.

- lane_unmapped (high): a lane (pelaksana) that maps to no position the organization has.
- lane_several: a lane mapped to several positions; high across agencies, else medium.
- several_performers, from the text (medium): an activity or lane whose name joins two
  position titles with "/" or "atau" ("Kasi / Kabid memeriksa berkas").
- several_performers, twins: the same activity in two lanes mapped to different positions;
  medium when one request meets both (the work is done twice), low on alternative branches
  (each request meets one, decided by a gateway).
"""

import re
from collections.abc import Iterable

from engine.overlaps import messages
from engine.overlaps.groups import components
from engine.overlaps.library import Library, Record, Settings
from engine.overlaps.model import (
    ActivityRef,
    Evidence,
    Flag,
    FlagKind,
    LaneRef,
    Severity,
    make_flag,
)
from engine.overlaps.similar import Pair, is_same_work
from engine.overlaps.text import word_list

# Words that start a position title (jabatan), as written.
TITLE_WORDS = word_list(
    """
    kepala kasi kasie kabid kasubag kasubbag kasubbid kadis kaban sekretaris sekdis sekcam
    sekel sekda staf staff petugas operator pelaksana analis pengelola pengadministrasi admin
    administrator lurah camat bendahara verifikator pejabat koordinator bupati walikota wali
    direktur asisten tim
    """
)
_SEPARATORS = ("/", "atau")
_WORD = re.compile(r"/|[^\W_]+")


def several_titles(text: str) -> str | None:
    """The "A / B" or "A atau B" phrase of ``text`` when A and B are both position titles."""
    words = _WORD.findall(text)
    lower = [w.lower() for w in words]
    for k, word in enumerate(lower):
        if word not in _SEPARATORS:
            continue
        right = k + 1
        while right < len(lower) and lower[right] in _SEPARATORS:
            right += 1  # "dan/atau"
        left = [i for i in range(max(0, k - 4), k) if lower[i] not in (*_SEPARATORS, "dan")]
        starts = [i for i in left[-3:] if lower[i] in TITLE_WORDS]
        if right < len(lower) and lower[right] in TITLE_WORDS and starts:
            return " ".join(words[starts[0] : min(right + 2, len(words))])
    return None


def _lane_activities(library: Library, lane: LaneRef) -> tuple[ActivityRef, ...]:
    records = library.by_sop.get(lane.sop_key, ())
    return tuple(r.ref for r in records if r.ref.lane_id == lane.lane_id)


def lane_flags(library: Library) -> list[Flag]:
    flags = []
    for info in library.lanes:
        lane = info.ref
        activities = _lane_activities(library, lane)
        known = [p for p in lane.positions if p not in info.unknown]
        if not known:
            text = messages.lane_unmapped(lane.name, lane.sop_key, len(activities), info.unknown)
            evidence = Evidence((lane.sop_key,), activities, (lane,), positions=lane.positions)
            flags.append(make_flag(FlagKind.LANE_UNMAPPED, Severity.HIGH, evidence, text))
        elif len(known) > 1:
            units = tuple(sorted({u for a in activities for u in a.units}))
            agencies = len(library.agencies(units))
            severity = Severity.HIGH if agencies > 1 else Severity.MEDIUM
            text = messages.lane_several(lane.name, lane.sop_key, known, agencies, len(activities))
            evidence = Evidence(
                (lane.sop_key,), activities, (lane,), positions=tuple(known), units=units
            )
            flags.append(make_flag(FlagKind.LANE_SEVERAL, severity, evidence, text))
    return flags


def named_performer_flags(library: Library) -> list[Flag]:
    """Activities and lanes whose names give several performers."""
    flags = []
    for info in library.lanes:
        phrase = several_titles(info.ref.name)
        if phrase is None:
            continue
        lane = info.ref
        activities = _lane_activities(library, lane)
        evidence = Evidence((lane.sop_key,), activities, (lane,), lane.positions, shared=(phrase,))
        text = messages.performers_named(lane.name, lane.sop_key, phrase)
        flags.append(make_flag(FlagKind.SEVERAL_PERFORMERS, Severity.MEDIUM, evidence, text))
    for record in library.records:
        phrase = several_titles(record.ref.name)
        if phrase is None:
            continue
        ref = record.ref
        evidence = Evidence((ref.sop_key,), (ref,), (), ref.positions, ref.units, shared=(phrase,))
        text = messages.performers_named(ref.name, ref.sop_key, phrase)
        flags.append(make_flag(FlagKind.SEVERAL_PERFORMERS, Severity.MEDIUM, evidence, text))
    return flags


def twin_flags(
    library: Library, pairs: Iterable[Pair], settings: Settings, skip: set[frozenset[int]]
) -> list[Flag]:
    """Near-identical activities of one SOP in lanes of different positions."""
    records = library.records
    edges = [
        (p.a.index, p.b.index, p.name_score)
        for p in pairs
        if p.same_sop
        and is_same_work(p, settings)
        and p.a.ref.positions
        and p.b.ref.positions
        and set(p.a.ref.positions) != set(p.b.ref.positions)
        and frozenset((p.a.index, p.b.index)) not in skip
    ]
    flags = []
    for nodes, low in components(edges):
        group: list[Record] = sorted((records[i] for i in nodes), key=lambda r: r.index)
        one_path = any(
            library.on_one_path(a, b) for k, a in enumerate(group) for b in group[k + 1 :]
        )
        sop = group[0].sop_key
        refs = tuple(r.ref for r in group)
        positions = tuple(sorted({p for r in group for p in r.ref.positions}))
        units = tuple(sorted({u for r in group for u in r.ref.units}))
        evidence = Evidence((sop,), refs, (), positions, units, score=low)
        severity = Severity.MEDIUM if one_path else Severity.LOW
        text = messages.performers_twins(sop, refs, low, one_path)
        flags.append(make_flag(FlagKind.SEVERAL_PERFORMERS, severity, evidence, text))
    return flags
