"""What an overlap flag is: its kind, severity, stable key, explanation and evidence."""

import enum
import hashlib
from dataclasses import asdict, dataclass
from typing import Any


class FlagKind(enum.StrEnum):
    SIMILAR_ACTIVITY = "similar_activity"  # near-identical work by different positions/units
    SEVERAL_PERFORMERS = "several_performers"  # one activity, several possible performers
    LANE_UNMAPPED = "lane_unmapped"  # a lane (pelaksana) mapped to no existing position
    LANE_SEVERAL = "lane_several"  # a lane mapped to several positions
    REPEATED_CHECK = "repeated_check"  # one document checked at several steps of one path
    POSITION_IN_MANY_SOPS = "position_in_many_sops"  # one position doing the same in many SOPs
    # From real work (engine.overlaps.dynamic):
    PERFORMER_MISMATCH = "performer_mismatch"  # done by people not holding the lane's position
    BOUNCING = "bouncing"  # requests handed back and forth between two positions
    SPLIT_OWNERSHIP = "split_ownership"  # an activity's work split with no clear owner

    @property
    def from_work(self) -> bool:
        return self in (FlagKind.PERFORMER_MISMATCH, FlagKind.BOUNCING, FlagKind.SPLIT_OWNERSHIP)


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 for high: sort by it to list the most serious flags first."""
        return (Severity.HIGH, Severity.MEDIUM, Severity.LOW).index(self)


@dataclass(frozen=True)
class ActivityRef:
    """An activity as evidence: where it is, what it is called, who performs it."""

    sop_key: str
    activity_id: str
    name: str
    lane_id: str | None
    positions: tuple[str, ...]
    units: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"{self.sop_key}/{self.activity_id}"


@dataclass(frozen=True)
class LaneRef:
    sop_key: str
    lane_id: str
    name: str
    positions: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"{self.sop_key}/{self.lane_id}"


@dataclass(frozen=True)
class Evidence:
    """What an analyst follows to check a flag; ``score`` is the lowest similarity involved."""

    sops: tuple[str, ...]
    activities: tuple[ActivityRef, ...] = ()
    lanes: tuple[LaneRef, ...] = ()
    positions: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    score: float | None = None
    shared: tuple[str, ...] = ()  # the words or requirements the activities have in common

    def ids(self) -> tuple[str, ...]:
        """The ids a flag's key is made of, sorted."""
        return tuple(
            sorted(
                [f"activity:{a.ref}" for a in self.activities]
                + [f"lane:{lane.ref}" for lane in self.lanes]
            )
        )


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    severity: Severity
    key: str  # the same flag gets the same key in every run over the same SOPs
    explanation_en: str
    explanation_id: str
    evidence: Evidence

    def explanation(self, locale: str) -> str:
        return self.explanation_en if locale.startswith("en") else self.explanation_id

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "severity": str(self.severity),
            "key": self.key,
            "explanation_en": self.explanation_en,
            "explanation_id": self.explanation_id,
            "evidence": asdict(self.evidence),
        }


def flag_key(kind: FlagKind, ids: tuple[str, ...]) -> str:
    """Hash of the kind and the sorted evidence ids."""
    text = "\n".join([str(kind), *sorted(ids)])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def make_flag(
    kind: FlagKind, severity: Severity, evidence: Evidence, explanations: tuple[str, str]
) -> Flag:
    """A flag whose key comes from its kind and evidence; ``explanations`` is (en, id)."""
    en, id_ = explanations
    return Flag(kind, severity, flag_key(kind, evidence.ids()), en, id_, evidence)
