"""How well the flags match a list of known overlaps: precision and recall.

A known overlap is a kind and the evidence ids it must cover (``Evidence.ids``). A flag
finds it when the kinds agree and the flag's evidence holds all those ids (a group may hold
more activities than the ones planted).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.overlaps.model import Flag


@dataclass(frozen=True)
class Known:
    kind: str
    ids: frozenset[str]  # "activity:SOP/ACTIVITY", "lane:SOP/LANE"


@dataclass(frozen=True)
class Score:
    precision: float  # share of flags that find a known overlap
    recall: float  # share of known overlaps that some flag finds
    missed: tuple[Known, ...]
    unexpected: tuple[Flag, ...]

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.3f}, recall {self.recall:.3f} "
            f"({len(self.missed)} missed, {len(self.unexpected)} unexpected)"
        )


def _finds(flag: Flag, known: Known) -> bool:
    return flag.kind == known.kind and known.ids <= set(flag.evidence.ids())


def evaluate(flags: Sequence[Flag], known: Iterable[Known]) -> Score:
    known = list(known)
    unexpected = tuple(f for f in flags if not any(_finds(f, k) for k in known))
    missed = tuple(k for k in known if not any(_finds(f, k) for f in flags))
    precision = (len(flags) - len(unexpected)) / len(flags) if flags else 1.0
    recall = (len(known) - len(missed)) / len(known) if known else 1.0
    return Score(precision, recall, missed, unexpected)
