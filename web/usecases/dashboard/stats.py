"""Tests of whether a before/after difference is more than noise (no SciPy needed).

Both use the normal approximation, which is good from about ten values on each side; the
dashboard calls a difference significant only then (see web.usecases.dashboard.overview).
"""

import math
from collections.abc import Sequence


def nearest_rank(values: Sequence[float], share: float) -> float:
    """The ``share`` percentile by nearest rank (the value at rank ceil(share * n)), as the
    dashboard's SQL computes it: always one of the values, never an average of two."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def _two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def mann_whitney_p(first: Sequence[float], second: Sequence[float]) -> float:
    """Two-sided p-value of the Mann-Whitney U test, normal approximation with tie correction.

    Durations are skewed (long tails), so a rank test fits better than a t-test.
    """
    n1, n2 = len(first), len(second)
    if not n1 or not n2:
        raise ValueError("both samples need at least one value")
    pooled = sorted([(value, 0) for value in first] + [(value, 1) for value in second])
    ranks_first = 0.0
    ties = 0.0
    index = 0
    while index < len(pooled):
        end = index
        while end + 1 < len(pooled) and pooled[end + 1][0] == pooled[index][0]:
            end += 1
        rank = (index + end) / 2 + 1  # average rank of the tied run, 1-based
        size = end - index + 1
        ties += size**3 - size
        ranks_first += rank * sum(1 for _, side in pooled[index : end + 1] if side == 0)
        index = end + 1
    u = ranks_first - n1 * (n1 + 1) / 2
    total = n1 + n2
    variance = n1 * n2 / 12 * ((total + 1) - ties / (total * (total - 1))) if total > 1 else 0
    if variance <= 0:
        return 1.0
    z = (u - n1 * n2 / 2) / math.sqrt(variance)
    return _two_sided(z)


def two_proportion_p(hits1: int, n1: int, hits2: int, n2: int) -> float:
    """Two-sided p-value of the two-proportion z-test (pooled), e.g. on-time shares."""
    if not n1 or not n2:
        raise ValueError("both samples need at least one value")
    pooled = (hits1 + hits2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 1.0
    return _two_sided((hits1 / n1 - hits2 / n2) / math.sqrt(variance))
