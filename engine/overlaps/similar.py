"""Pairs of near-identical activities across the whole library, without comparing all pairs.

Two activities are the same work when their names share a verb ("verifikasi berkas" and
"arsipkan berkas" do not; the check verbs count as one), the weighted Dice similarity of their
names' stems reaches ``Settings.threshold`` and, when both list requirements or form fields,
that of those reaches ``Settings.detail_threshold``.

Blocking is a prefix filter (as in set-similarity joins): each activity's stems are ordered
rarest first, and only the shortest prefix that any match must share is indexed. Two names
sharing no stem of their prefixes cannot reach the threshold, so they are never scored; an
activity made only of common words ("menerima berkas") still meets its peers, but those are
then narrowed the same way by their requirements, and by their verbs. Misspellings that only
the trigram comparison catches can be missed by the blocking; the spelling table in ``text``
covers the common ones.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from engine.overlaps.library import Library, Record, Settings, Ticker
from engine.overlaps.text import dice


@dataclass(frozen=True)
class Pair:
    a: Record
    b: Record
    name_score: float
    detail_score: float | None  # requirements and form labels; None when one side has none

    @property
    def same_sop(self) -> bool:
        return self.a.sop_key == self.b.sop_key

    @property
    def shared_positions(self) -> set[str]:
        return set(self.a.ref.positions) & set(self.b.ref.positions)


def score(
    library: Library, a: Record, b: Record, settings: Settings | None = None
) -> tuple[float, float | None]:
    """(name similarity, requirements similarity or None) of two activities.

    Inside one SOP the words of the SOP's own name are left out of the names: every step of
    "Izin Reklame" may say "reklame", which makes none of them alike. With ``settings``, the
    scores are exact only as far as deciding the thresholds needs (see ``text.dice``).
    """
    left, right = a.name_tokens, b.name_tokens
    if a.sop_key == b.sop_key:
        own = library.sop_names.get(a.sop_key, frozenset())
        left, right = left - own, right - own
    at_least = settings.threshold if settings else None
    name = dice(left, right, library.name_weights, at_least=at_least, near=library.near)
    if not (a.detail_tokens and b.detail_tokens) or (at_least and name < at_least):
        return name, None  # without details, or too far apart for them to matter
    at_least = settings.detail_threshold if settings else None
    weights = library.detail_weights
    near = library.near
    return name, dice(a.detail_tokens, b.detail_tokens, weights, at_least=at_least, near=near)


def is_same_work(pair: "Pair", settings: Settings) -> bool:
    if pair.name_score < settings.threshold:
        return False
    return pair.detail_score is None or pair.detail_score >= settings.detail_threshold


def _prefix(tokens: frozenset[str], weights: Mapping[str, float], threshold: float) -> list[str]:
    """The rarest stems of ``tokens`` that any set with Dice >= threshold must share one of."""
    ordered = sorted(tokens, key=lambda t: (-weights[t], t))
    if threshold <= 0:
        return ordered
    rest = sum(weights[t] for t in tokens)
    bound = threshold * rest / (2 - threshold)
    prefix = []
    for token in ordered:
        if rest < bound:
            break
        prefix.append(token)
        rest -= weights[token]
    return prefix


def similar_pairs(library: Library, settings: Settings, ticker: Ticker) -> list[Pair]:
    """Every pair that is the same work (``is_same_work``), and every pair of one position
    whose names alone are similar enough (the same work on other documents)."""
    threshold, detail_threshold = settings.threshold, settings.detail_threshold
    name_index: dict[str, list[int]] = defaultdict(list)
    detail_index: dict[str, list[int]] = defaultdict(list)
    by_position: dict[str, set[int]] = defaultdict(set)
    by_action: dict[str, set[int]] = defaultdict(set)
    without_detail: set[int] = set()
    without_action: set[int] = set()
    records = library.records
    pairs: list[Pair] = []
    for record in records:
        candidates: set[int] = set()
        name_prefix = _prefix(record.name_tokens, library.name_weights, threshold)
        for token in name_prefix:
            candidates.update(name_index[token])
        detail_prefix = _prefix(record.detail_tokens, library.detail_weights, detail_threshold)
        if record.detail_tokens and candidates:
            shared_detail: set[int] = set()
            for token in detail_prefix:
                shared_detail.update(detail_index[token])
            kept = (candidates & without_detail) | (candidates & shared_detail)
            for position in record.ref.positions:
                kept |= candidates & by_position[position]
            candidates = kept
        if record.actions and candidates:  # different verbs are different work
            candidates = (candidates & without_action).union(
                *(candidates & by_action[action] for action in record.actions)
            )
        for j in candidates:
            other = records[j]
            pair = Pair(other, record, *score(library, other, record, settings))
            if pair.name_score >= threshold and (
                is_same_work(pair, settings) or pair.shared_positions
            ):
                pairs.append(pair)
        for token in name_prefix:
            name_index[token].append(record.index)
        for token in detail_prefix:
            detail_index[token].append(record.index)
        for position in record.ref.positions:
            by_position[position].add(record.index)
        for action in record.actions:
            by_action[action].add(record.index)
        if not record.detail_tokens:
            without_detail.add(record.index)
        if not record.actions:
            without_action.add(record.index)
        ticker.advance()
    return pairs
