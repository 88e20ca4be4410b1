"""The dashboard's log-bucket histograms: 1 % buckets, exact counts, percentiles that merge.

Every percentile is compared with web.usecases.dashboard.stats.nearest_rank over the raw
values (rank ceil(p * n)), which is what the exact SQL path returns. Representatives are whole
seconds, so
"within 1 %" means within 1 % of the value plus half a second of rounding.
"""

import math
import random
from collections import Counter

import pytest

from web.usecases.dashboard import histogram
from web.usecases.dashboard.histogram import (
    ACCURACY,
    GAMMA,
    REQUEST_MEASURES,
    STEP_MEASURES,
    Merged,
)
from web.usecases.dashboard.stats import nearest_rank

DAY = 86400
WIDE_RANGE = [0, 1, 2, 3, 7, 59, 60, 61, 99, 100, 101, 3599, 3600, 3601, 8 * 3600, DAY]
WIDE_RANGE += [DAY * 30, DAY * 365, DAY * 365 * 10]


def close(found: float | None, exact: float) -> bool:
    """Within 1 % of ``exact``, plus the rounding to whole seconds."""
    return found is not None and abs(found - exact) <= ACCURACY * exact + 0.5


def long_tail(rng: random.Random, n: int, median: float, sigma: float) -> list[int]:
    """Whole seconds drawn from a lognormal distribution, as step durations are."""
    return [round(rng.lognormvariate(math.log(median), sigma)) for _ in range(n)]


def steps(rng: random.Random, n: int) -> list[list[int | None]]:
    """Random steps' measures in the order of STEP_MEASURES; some steps were never measured."""
    found = []
    for _ in range(n):
        wait = round(rng.lognormvariate(math.log(1800), 2.0))
        handle = round(rng.lognormvariate(math.log(600), 1.5))
        standard = rng.choice([None, 3600, 4 * 3600, 30600])
        if rng.random() < 0.1:  # still open when summarised: only a standard
            found.append([None, None, None, standard])
        else:
            found.append([wait, handle, wait + handle, standard])
    return found


def blob_of(rows: list[list[int | None]]) -> bytes:
    total: Counter[int] = Counter()
    for row in rows:
        total += histogram.row_counts(row)
    return histogram.encode(total)


def exact_spreads(rows: list[list[int | None]]) -> dict[str, tuple]:
    result = {}
    for measure, name in enumerate(STEP_MEASURES):
        values = [row[measure] for row in rows if row[measure] is not None]
        if values:
            result[name] = (nearest_rank(values, 0.5), nearest_rank(values, 0.9), len(values))
        else:
            result[name] = (None, None, 0)
    return result


# --- buckets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", WIDE_RANGE)
def test_every_value_is_reported_within_one_percent_of_itself(seconds):
    reported = histogram.representative(histogram.bucket(seconds))

    assert close(reported, seconds), (seconds, reported)


def test_random_values_over_nine_orders_of_magnitude_are_reported_within_one_percent():
    rng = random.Random(20260817)
    values = [10 ** rng.uniform(0, 9) for _ in range(20_000)]
    values += [rng.randint(1, 10 * DAY) for _ in range(20_000)]

    far = [
        (value, histogram.representative(histogram.bucket(value)))
        for value in values
        if not close(histogram.representative(histogram.bucket(value)), value)
    ]

    assert far == []


def test_zero_and_negative_durations_are_reported_as_zero():
    assert [histogram.representative(histogram.bucket(value)) for value in (0, -5, -0.1)] == [
        0,
        0,
        0,
    ]


def test_a_fraction_of_a_second_is_reported_as_one_second():
    for value in (0.001, 0.126, 0.5, 0.99, 1.0):
        assert histogram.representative(histogram.bucket(value)) == 1


def test_a_bucket_closes_at_a_power_of_gamma_and_the_next_one_opens_just_above():
    for power in (1, 10, 100, 700):
        edge = GAMMA**power
        assert histogram.bucket(edge) == power + 1
        assert histogram.bucket(edge * (1 + 1e-6)) == power + 2


def test_values_two_percent_apart_fall_in_different_buckets():
    # Resolution, not only accuracy: a single bucket for everything would be "within 1 %" of
    # nothing, but these checks catch buckets that are too wide to tell 100 s from 102.1 s.
    rng = random.Random(7)
    for value in (rng.uniform(10, 1e7) for _ in range(1000)):
        assert histogram.bucket(value * 1.021) > histogram.bucket(value)


def test_buckets_grow_with_the_value():
    values = sorted(random.Random(3).uniform(0, 1e8) for _ in range(5000))
    found = [histogram.bucket(value) for value in values]

    assert found == sorted(found)


def test_each_measure_keeps_its_own_buckets():
    counts = histogram.row_counts([60, None, 60, 3600])

    assert counts == Counter(
        {
            histogram.key(0, 60): 1,
            histogram.key(2, 60): 1,
            histogram.key(3, 3600): 1,
        }
    )
    assert len({key // histogram.BUCKETS for key in counts}) == 3


# --- stored form -------------------------------------------------------------------------------


def test_encoding_then_decoding_gives_the_counts_back():
    rng = random.Random(11)
    counts = Counter(
        {
            rng.randrange(len(STEP_MEASURES) * histogram.BUCKETS): rng.randint(1, 10**9)
            for _ in range(500)
        }
    )

    blob = histogram.encode(counts)

    assert histogram.decode(blob) == counts
    assert len(blob) == 8 * len(counts)  # (key, count) as two uint32 each


def test_encoding_leaves_out_zero_counts_and_ignores_the_order_of_keys():
    assert histogram.encode({5: 2, 3: 0, 1: 7}) == histogram.encode({1: 7, 5: 2})
    assert histogram.decode(histogram.encode({5: 2, 3: 0, 1: 7})) == Counter({1: 7, 5: 2})


def test_nothing_encodes_to_an_empty_blob_and_decodes_to_no_counts():
    assert histogram.encode({}) == b""
    assert histogram.encode({4: 0}) == b""
    assert histogram.decode(b"") == Counter()
    assert histogram.decode(None) == Counter()


# --- percentiles -------------------------------------------------------------------------------


def test_percentiles_of_a_few_far_apart_values_pick_the_nearest_rank():
    # Neighbours are 10 % or more apart, so reading the wrong rank would miss by far more
    # than 1 %: ranks ceil(0.5 * 10) = 5 and ceil(0.9 * 10) = 9.
    merged = Merged(STEP_MEASURES)
    merged.add_values(0, [1000 * k for k in (7, 3, 10, 1, 5, 9, 2, 8, 4, 6)])

    median, p90, n = merged.spreads()["wait_office"]

    assert n == 10
    assert close(median, 5000) and close(p90, 9000)


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [([300], 300, 300), ([100, 900], 100, 900), ([100, 200, 900], 200, 900)],
    ids=["one", "two", "three"],
)
def test_percentiles_of_tiny_samples_by_hand(values, median, p90):
    merged = Merged(STEP_MEASURES)
    merged.add_values(1, values)

    found = merged.spreads()["handle_office"]

    assert close(found[0], median) and close(found[1], p90) and found[2] == len(values)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("sigma", [0.5, 1.5, 3.0])
def test_percentiles_of_long_tailed_data_are_within_one_percent_of_the_exact_ones(seed, sigma):
    rng = random.Random(seed)
    values = long_tail(
        rng, rng.randint(50, 5000), median=rng.choice([45, 900, 3 * 3600]), sigma=sigma
    )
    merged = Merged(STEP_MEASURES)
    merged.add_blob(histogram.encode(Counter(histogram.key(2, value) for value in values)))

    median, p90, n = merged.spreads()["duration_office"]

    assert n == len(values)
    assert close(median, nearest_rank(values, 0.5)), (median, nearest_rank(values, 0.5))
    assert close(p90, nearest_rank(values, 0.9)), (p90, nearest_rank(values, 0.9))


def test_percentiles_of_every_measure_of_random_steps_are_within_one_percent():
    rows = steps(random.Random(42), 3000)
    merged = Merged(STEP_MEASURES)
    merged.add_blob(blob_of(rows))

    found, exact = merged.spreads(), exact_spreads(rows)

    assert set(found) == set(STEP_MEASURES)
    for name in STEP_MEASURES:
        assert found[name][2] == exact[name][2], name
        assert close(found[name][0], exact[name][0]), (name, found[name], exact[name])
        assert close(found[name][1], exact[name][1]), (name, found[name], exact[name])


def test_merging_blobs_in_any_split_equals_merging_them_all_at_once():
    rng = random.Random(99)
    rows = steps(rng, 2000)
    whole = Merged(STEP_MEASURES)
    whole.add_blob(blob_of(rows))
    expected = whole.spreads()

    for _ in range(10):
        cuts = sorted(rng.sample(range(1, len(rows)), rng.randint(1, 60)))
        parts = [rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]
        merged = Merged(STEP_MEASURES)
        for part in rng.sample(parts, len(parts)):
            merged.add_blob(blob_of(part))

        assert merged.spreads() == expected
    assert expected["wait_office"][2] > 0


def test_loose_values_count_as_if_they_were_in_a_blob():
    rows = steps(random.Random(5), 1500)
    stored, loose = rows[:1000], rows[1000:]
    whole = Merged(STEP_MEASURES)
    whole.add_blob(blob_of(rows))
    mixed = Merged(STEP_MEASURES)
    mixed.add_blob(blob_of(stored))
    for measure in range(len(STEP_MEASURES)):
        mixed.add_values(measure, [row[measure] for row in loose])

    assert mixed.spreads() == whole.spreads()


def test_adding_one_step_at_a_time_to_a_stored_blob_equals_encoding_them_all():
    # What the completion hook does to a day's row, step after step.
    rows = steps(random.Random(8), 300)
    blob = b""
    for row in rows:
        blob = histogram.encode(histogram.decode(blob) + histogram.row_counts(row))

    assert blob == blob_of(rows)
    assert sum(histogram.decode(blob).values()) == sum(
        value is not None for row in rows for value in row
    )


def test_nothing_merged_has_no_percentiles():
    merged = Merged(STEP_MEASURES)
    merged.add_blob(None)
    merged.add_blob(b"")
    merged.add_values(0, [None, None])

    assert merged.spreads() == {name: (None, None, 0) for name in STEP_MEASURES}
    assert Merged(STEP_MEASURES).spreads() == {name: (None, None, 0) for name in STEP_MEASURES}


def test_a_measure_without_values_has_no_percentiles_beside_one_with_values():
    merged = Merged(STEP_MEASURES)
    merged.add_values(3, [3600, 7200])

    found = merged.spreads()

    median, p90, n = found["standard_office"]
    assert close(median, 3600) and close(p90, 7200) and n == 2
    assert found["wait_office"] == found["handle_office"] == (None, None, 0)


def test_a_requests_cycle_times_are_read_under_the_request_measures():
    rng = random.Random(23)
    cycles = long_tail(rng, 800, median=2 * DAY, sigma=1.2)
    rows = [[cycle, round(cycle / 3), rng.choice([None, 11 * 3600])] for cycle in cycles]
    merged = Merged(REQUEST_MEASURES)
    merged.add_blob(blob_of(rows))

    found = merged.spreads()

    assert set(found) == set(REQUEST_MEASURES)
    for measure, name in enumerate(REQUEST_MEASURES):
        values = [row[measure] for row in rows if row[measure] is not None]
        assert found[name][2] == len(values), name
        assert close(found[name][0], nearest_rank(values, 0.5)), name
        assert close(found[name][1], nearest_rank(values, 0.9)), name
