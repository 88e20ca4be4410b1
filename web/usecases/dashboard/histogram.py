"""Log-bucket histograms of durations: percentiles within 1 % from counts that merge by adding.

A duration of v seconds (v >= 1) falls in bucket 1 + ceil(log_g(v)) with g = (1 + a) / (1 - a),
a = 1 %; bucket 0 holds zero. Every value of a bucket is within a of the bucket's
representative 2 g^(i-1) / (g + 1) (the scheme of DDSketch, Masson et al., VLDB 2019), so a
percentile read from bucket counts is within 1 % of the exact nearest-rank percentile, however
many days and groups are added together. One SOP's year of steps then reads a few thousand
per-day rows instead of sorting hundreds of thousands of values.

Stored form (``encode``): little-endian uint32 pairs (key, count), key = measure * BUCKETS +
bucket, measure being the index of a duration in the summary's list of measures (such as
STEP_MEASURES); the dashboard's summary rows keep one blob each.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

ACCURACY = 0.01
GAMMA = (1 + ACCURACY) / (1 - ACCURACY)
_LOG_GAMMA = math.log(GAMMA)
BUCKETS = 4096  # the last bucket starts at GAMMA ** 4093, far beyond any duration in seconds
STEP_MEASURES = ("wait_office", "handle_office", "duration_office", "standard_office")
REQUEST_MEASURES = ("cycle", "cycle_office", "standard_office")
SHARES = (0.5, 0.9)  # median and 90th percentile
_DTYPE = np.dtype("<u4")


def bucket(seconds: float) -> int:
    """The bucket of a duration in seconds (negative durations count as zero)."""
    if seconds < 1:
        return 0 if seconds <= 0 else 1
    # The small epsilon keeps exact powers of GAMMA (and 1) in the bucket they close.
    return min(BUCKETS - 1, 1 + math.ceil(math.log(seconds) / _LOG_GAMMA - 1e-9))


def representative(index: int) -> int:
    """The value reported for a bucket, in whole seconds."""
    if index == 0:
        return 0
    return round(2 * GAMMA ** (index - 1) / (GAMMA + 1))


def key(measure: int, seconds: float) -> int:
    return measure * BUCKETS + bucket(seconds)


def encode(counts: Mapping[int, int]) -> bytes:
    """The stored form of {key: count}, keys ascending, zero counts left out."""
    pairs = sorted((k, n) for k, n in counts.items() if n)
    return np.array(pairs, dtype=_DTYPE).reshape(-1).tobytes() if pairs else b""


def decode(blob: bytes | None) -> Counter[int]:
    if not blob:
        return Counter()
    pairs = np.frombuffer(blob, dtype=_DTYPE).reshape(-1, 2)
    return Counter(dict(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), strict=True)))


def nearest_rank_index(counts: np.ndarray, share: float) -> int | None:
    """The bucket holding the value at rank ceil(share * n) of a dense count array."""
    cumulative = np.cumsum(counts)
    total = int(cumulative[-1]) if len(cumulative) else 0
    if total == 0:
        return None
    rank = max(1, math.ceil(share * total))
    return int(np.searchsorted(cumulative, rank))


class Merged:
    """The sum of stored histograms (and of loose exact values) of one group."""

    def __init__(self, measures: Sequence[str]) -> None:
        self.measures = measures
        self._blobs: list[bytes] = []
        self._loose: list[int] = []

    def add_blob(self, blob: bytes | None) -> None:
        if blob:
            self._blobs.append(bytes(blob))

    def add_values(self, measure: int, values: Iterable[float | None]) -> None:
        self._loose += [key(measure, value) for value in values if value is not None]

    def spreads(self) -> dict[str, tuple[int | None, int | None, int]]:
        """{measure name: (median, p90, n)}, like the exact SQL's spreads."""
        dense = np.zeros(len(self.measures) * BUCKETS, dtype=np.int64)
        if self._blobs:
            pairs = np.frombuffer(b"".join(self._blobs), dtype=_DTYPE).reshape(-1, 2)
            dense += np.bincount(pairs[:, 0], weights=pairs[:, 1], minlength=len(dense)).astype(
                np.int64
            )
        if self._loose:
            dense += np.bincount(np.array(self._loose), minlength=len(dense))
        result = {}
        for measure, name in enumerate(self.measures):
            counts = dense[measure * BUCKETS : (measure + 1) * BUCKETS]
            total = int(counts.sum())
            found: list[int | None] = []
            for share in SHARES:
                index = nearest_rank_index(counts, share)
                found.append(None if index is None else representative(index))
            result[name] = (found[0], found[1], total)
        return result


def row_counts(values: Sequence[float | None]) -> Counter[int]:
    """{key: count} of one row's measures, in their order (None left out)."""
    return Counter(key(measure, value) for measure, value in enumerate(values) if value is not None)
