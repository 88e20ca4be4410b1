"""Overlapping and unclear responsibilities ("tumpang tindih") found in the SOP library.

``analyze_library`` takes plain data (SOP metadata, position -> unit) and returns ``Flag``s,
each with a kind, a severity, a stable key, an explanation in English and Indonesian, and the
evidence an analyst follows. ``text`` holds the Indonesian normalization and similarity.
"""

from engine.overlaps.dynamic import Step, WorkSettings, analyze_work
from engine.overlaps.flow import ActivityFlow, build_flow, flow_of_bpmn, flow_of_process
from engine.overlaps.library import Settings
from engine.overlaps.model import (
    ActivityRef,
    Evidence,
    Flag,
    FlagKind,
    LaneRef,
    Severity,
    flag_key,
)
from engine.overlaps.static import analyze_library

__all__ = [
    "ActivityFlow",
    "ActivityRef",
    "Evidence",
    "Flag",
    "FlagKind",
    "LaneRef",
    "Settings",
    "Severity",
    "Step",
    "WorkSettings",
    "analyze_library",
    "analyze_work",
    "build_flow",
    "flag_key",
    "flow_of_bpmn",
    "flow_of_process",
]
