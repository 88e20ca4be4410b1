"""Whether a before/after difference is more than noise, against values worked out by hand.

The references are what R gives with ``wilcox.test(x, y, exact = FALSE, correct = FALSE)`` and
``prop.test(hits, n, correct = FALSE)``: the normal approximation without continuity correction.
"""

import math

import pytest

from web.usecases.dashboard.stats import mann_whitney_p, two_proportion_p


def two_sided(z: float) -> float:
    """2 * (1 - Phi(|z|)), written with the error function."""
    return 2 * (1 - 0.5 * (1 + math.erf(abs(z) / math.sqrt(2))))


def test_mann_whitney_without_ties_by_hand():
    before, after = [12, 15, 19], [22, 25, 31, 40]
    # Every "before" duration is shorter: ranks 1, 2, 3, so U = 6 - 3 * 4 / 2 = 0.
    u, mean, variance = 0, 3 * 4 / 2, 3 * 4 * (3 + 4 + 1) / 12
    z = (u - mean) / math.sqrt(variance)  # -6 / sqrt(8) = -2.1213

    assert mann_whitney_p(before, after) == pytest.approx(two_sided(z), rel=1e-12)
    assert mann_whitney_p(before, after) == pytest.approx(0.033895, abs=1e-6)  # = erfc(1.5)


def test_mann_whitney_interleaved_samples_by_hand():
    before, after = [3, 5, 8, 12], [4, 9, 10, 15, 20]
    # Pooled: 3a 4b 5a 8a 9b 10b 12a 15b 20b; "before" ranks 1 + 3 + 4 + 7 = 15.
    u = 15 - 4 * 5 / 2
    z = (u - 4 * 5 / 2) / math.sqrt(4 * 5 * 10 / 12)  # -5 / sqrt(16.67) = -1.2247

    assert mann_whitney_p(before, after) == pytest.approx(two_sided(z), rel=1e-12)
    assert mann_whitney_p(before, after) == pytest.approx(0.220671, abs=1e-6)


def test_mann_whitney_with_ties_uses_average_ranks_and_the_tie_correction():
    before, after = [1, 2, 2, 3], [2, 3, 4, 4, 5]
    # Pooled ranks: 1 -> 1; the three 2s share (2+3+4)/3 = 3; the two 3s 5.5; the two 4s 7.5;
    # 5 -> 9. "before" ranks 1 + 3 + 3 + 5.5 = 12.5, so U = 12.5 - 10 = 2.5.
    u = 12.5 - 4 * 5 / 2
    ties = (3**3 - 3) + (2**3 - 2) + (2**3 - 2)  # 36
    n = 9
    variance = 4 * 5 / 12 * ((n + 1) - ties / (n * (n - 1)))  # 20/12 * 9.5
    z = (u - 10) / math.sqrt(variance)  # -1.8848

    assert mann_whitney_p(before, after) == pytest.approx(two_sided(z), rel=1e-12)
    assert mann_whitney_p(before, after) == pytest.approx(0.059451, abs=1e-6)
    # Without the correction the p-value would be larger: ties make the ranks less spread.
    assert mann_whitney_p(before, after) < two_sided((u - 10) / math.sqrt(4 * 5 * 10 / 12))


def test_mann_whitney_is_symmetric_and_ignores_the_order_of_values():
    before, after = [30, 5, 12, 7, 44], [8, 61, 23, 90]

    assert mann_whitney_p(before, after) == pytest.approx(mann_whitney_p(after, before))
    assert mann_whitney_p(before, after) == pytest.approx(
        mann_whitney_p(sorted(before), sorted(after, reverse=True))
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [([1, 2, 3], [3, 2, 1]), ([5, 5, 5], [5, 5, 5]), ([7], [7]), ([4, 4], [4])],
    ids=["same-values", "all-tied", "one-each", "constant"],
)
def test_mann_whitney_of_identical_samples_is_one(before, after):
    assert mann_whitney_p(before, after) == 1.0


def test_mann_whitney_of_clearly_separated_samples_is_tiny():
    before, after = list(range(10)), list(range(100, 110))
    # U = 0, mean 50, variance 10 * 10 * 21 / 12 = 175.
    z = -50 / math.sqrt(175)  # -3.78

    assert mann_whitney_p(before, after) == pytest.approx(two_sided(z), rel=1e-9)
    assert mann_whitney_p(before, after) < 0.001


@pytest.mark.parametrize(("before", "after"), [([], [1]), ([1], []), ([], [])])
def test_mann_whitney_needs_a_value_on_each_side(before, after):
    with pytest.raises(ValueError, match="at least one value"):
        mann_whitney_p(before, after)


def test_two_proportions_by_hand():
    # 45 of 100 on time before, 30 of 100 after: pooled 75/200 = 0.375.
    se = math.sqrt(0.375 * 0.625 * (1 / 100 + 1 / 100))
    z = (0.45 - 0.30) / se  # 2.1909; z squared is prop.test's X-squared, 4.8

    assert z**2 == pytest.approx(4.8)
    assert two_proportion_p(45, 100, 30, 100) == pytest.approx(two_sided(z), rel=1e-12)
    assert two_proportion_p(45, 100, 30, 100) == pytest.approx(0.028460, abs=1e-6)
    assert two_proportion_p(30, 100, 45, 100) == two_proportion_p(45, 100, 30, 100)


def test_two_proportions_of_unequal_samples_by_hand():
    # 8 of 10 against 2 of 20: pooled 10/30.
    pooled = 10 / 30
    z = (0.8 - 0.1) / math.sqrt(pooled * (1 - pooled) * (1 / 10 + 1 / 20))

    assert two_proportion_p(8, 10, 2, 20) == pytest.approx(two_sided(z), rel=1e-12)
    assert two_proportion_p(8, 10, 2, 20) < 0.001


@pytest.mark.parametrize(
    ("hits1", "n1", "hits2", "n2"),
    [(3, 10, 6, 20), (0, 5, 0, 7), (5, 5, 7, 7)],
    ids=["same-share", "none-on-time", "all-on-time"],
)
def test_two_equal_proportions_give_one(hits1, n1, hits2, n2):
    assert two_proportion_p(hits1, n1, hits2, n2) == pytest.approx(1.0)


@pytest.mark.parametrize(("n1", "n2"), [(0, 5), (5, 0)])
def test_two_proportions_need_a_value_on_each_side(n1, n2):
    with pytest.raises(ValueError, match="at least one value"):
        two_proportion_p(0, n1, 0, n2)
