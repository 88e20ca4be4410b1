"""Overlap flags from the SOP library alone (no execution data): the entry point.

Pure data in, flags out: SOP metadata as read from the BPMN, the organization's positions and
units as plain mappings, and optionally each SOP's activity order. No database, no Flask.
"""

from collections.abc import Mapping, Sequence

from engine.overlaps.checks import repeated_check_flags
from engine.overlaps.flow import ActivityFlow
from engine.overlaps.groups import position_flags, similar_activity_flags
from engine.overlaps.library import Progress, Settings, Ticker, prepare
from engine.overlaps.model import Flag
from engine.overlaps.performers import lane_flags, named_performer_flags, twin_flags
from engine.overlaps.similar import similar_pairs
from engine.sop_metadata import SopMetadata


def analyze_library(
    sops: Sequence[SopMetadata],
    positions: Mapping[str, str | None],
    *,
    lane_positions: Mapping[tuple[str, str], Sequence[str]] | None = None,
    flows: Mapping[str, ActivityFlow] | None = None,
    unit_parents: Mapping[str, str | None] | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> list[Flag]:
    """Every static overlap flag of the library, most serious first.

    :param sops: the current version of each SOP (``SopMetadata``; keys must be unique).
    :param positions: every position code of the organization -> its unit code. A lane
        naming a code missing here maps to no position.
    :param lane_positions: (SOP key, lane id) -> position codes, overriding the lane's own
        ``sop:performer`` code (how the organization really staffs the lane).
    :param flows: SOP key -> the order of its activities (``flow_of_bpmn``); without it every
        two activities of the SOP count as on one path.
    :param unit_parents: unit code -> parent unit code, so that units of one agency
        (perangkat daerah) count as one; without it every unit is its own agency.
    :param progress: called as ``progress(done, total)`` about every 1% of the work.
    """
    settings = settings or Settings()
    total_activities = sum(len(sop.activities) for sop in sops)
    ticker = Ticker(2 * len(sops) + total_activities, progress)
    library = prepare(sops, positions, lane_positions, flows, unit_parents, ticker)
    pairs = similar_pairs(library, settings, ticker)
    flags = [*lane_flags(library), *named_performer_flags(library)]
    covered: set[frozenset[int]] = set()
    for records in library.by_sop.values():
        check_flags, pairs_checked = repeated_check_flags(library, records, settings)
        flags += check_flags
        covered |= pairs_checked
        ticker.advance()
    flags += twin_flags(library, pairs, settings, covered)
    flags += similar_activity_flags(library, pairs, settings)
    flags += position_flags(library, pairs, settings)
    return sorted(flags, key=lambda f: (f.severity.rank, f.kind, f.evidence.sops, f.key))
