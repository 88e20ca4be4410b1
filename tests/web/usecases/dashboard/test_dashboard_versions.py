"""Comparing two versions of an SOP against the known log of dashboard_log: medians,
changes and p-values recomputed by hand (the p-values with web.usecases.dashboard.stats,
tested apart)."""

from dataclasses import replace
from datetime import date

from storage.models import Instance
from tests.web.usecases.dashboard.dashboard_expected import (
    breached,
    completed,
    nearest_rank,
    office,
    punctual,
    spent,
    subtree,
)
from tests.web.usecases.dashboard.dashboard_log import Log
from web.usecases.dashboard import overview as dashboard
from web.usecases.dashboard import versions as dashboard_versions
from web.usecases.dashboard.stats import mann_whitney_p, two_proportion_p
from web.usecases.dashboard.views import Difference, Filters


def _median(values: list[int]) -> float | None:
    """Nearest rank, as every median of the dashboard (web.usecases.dashboard.views)."""
    return nearest_rank(values, 0.5) if values else None


def _ratio(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _difference(measure: str, activity: str | None, first: list, second: list) -> Difference:
    """Durations compared by their medians (Mann-Whitney), 0/1 values by their shares."""
    shares = measure in ("requests_on_time", "step_breach_rate")
    middle = _ratio if shares else _median
    # Fewer than ten values on a side (always, in this log): too few for a p-value or verdict.
    too_few = min(len(first), len(second)) < 10
    p_value = None
    if not too_few:
        p_value = (
            two_proportion_p(sum(first), len(first), sum(second), len(second))
            if shares
            else mann_whitney_p(first, second)
        )
    before, after = middle(first), middle(second)
    change = None if before is None or after is None else after - before
    return Difference(
        measure,
        activity,
        before,
        after,
        change,
        p_value,
        p_value is not None and p_value < 0.05,
        len(first),
        len(second),
        too_few,
    )


def expected_comparison(log: Log, before: int, after: int, units: set[int] | None) -> list:
    """What dashboard_versions.compare_versions measures, over each version's whole life."""

    def requests_of(version: int) -> list[Instance]:
        return [
            i
            for i in log.instances
            if i.sop_version_id == version
            and completed(i)
            and (
                units is None or any(s.unit_id in units for s in log.items if s.instance_id == i.id)
            )
        ]

    def steps_of(version: int, activity: str) -> list:
        return [
            s
            for s in log.items
            if s.sop_version_id == version
            and s.activity_id == activity
            and spent(log, s) is not None
            and (units is None or s.unit_id in units)
        ]

    cycles, punctuality = {}, {}
    for version in (before, after):
        done = requests_of(version)
        cycles[version] = [office(log, i.started_at, i.ended_at) for i in done]
        punctuality[version] = [int(punctual(i)) for i in done if punctual(i) is not None]
    found = [
        _difference("cycle_office", None, cycles[before], cycles[after]),
        _difference("requests_on_time", None, punctuality[before], punctuality[after]),
    ]
    for activity in ("terima", "periksa", "arsip"):
        first, second = steps_of(before, activity), steps_of(after, activity)
        if first or second:
            found += [
                _difference(
                    "step_duration_office",
                    activity,
                    [spent(log, s) for s in first],
                    [spent(log, s) for s in second],
                ),
                _difference(
                    "step_breach_rate",
                    activity,
                    [int(breached(s)) for s in first],
                    [int(breached(s)) for s in second],
                ),
            ]
    return found


def test_the_version_comparison_matches_the_recomputation(known_log):
    ctx, org, log = known_log
    one, two = log.versions["izin", 1], log.versions["izin", 2]
    for unit in (None, "DINAS", "KEL"):
        unit_id = log.units[unit] if unit else None
        units = subtree(log, unit_id) if unit_id else None
        # The period does not matter: each version is measured over its whole life.
        filters = Filters(date(2026, 8, 20), date(2026, 8, 20), unit_id=unit_id)

        found = dashboard_versions.compare_versions(
            ctx, org.actor("eka"), log.sops["izin"], filters
        )
        swapped = dashboard_versions.compare_versions(
            ctx, org.actor("eka"), log.sops["izin"], filters, two, one
        )

        assert (found.before_version, found.after_version) == ((one, 1), (two, 2))
        assert found.differences == expected_comparison(log, one, two, units), unit
        assert swapped.differences == expected_comparison(log, two, one, units), unit


def test_the_comparison_agrees_with_the_overview_of_each_version(known_log):
    ctx, org, log = known_log
    august = Filters(date(2026, 7, 1), date(2026, 8, 31), sop_id=log.sops["izin"])
    eka = org.actor("eka")

    found = dashboard_versions.compare_versions(ctx, eka, log.sops["izin"], august)

    cycle = found.differences[0]
    for number, median in ((1, cycle.before), (2, cycle.after)):
        version = replace(august, version_id=log.versions["izin", number])
        [row] = dashboard.overview(ctx, eka, version).rows
        # Four requests each: the overview's nearest-rank median is the second smallest.
        assert (row.completed, row.cycle_office.median) == (4, median), number


def test_a_p_value_needs_ten_values_on_each_side():
    slow, fast = [3600 + 60 * i for i in range(10)], [600 + 60 * i for i in range(10)]

    enough = dashboard_versions._duration_difference("cycle_office", None, slow, fast)
    short = dashboard_versions._duration_difference("cycle_office", None, slow, fast[:9])

    assert (enough.too_few, enough.significant) == (False, True)
    assert enough.p_value == mann_whitney_p(slow, fast) < 0.05
    assert (short.too_few, short.p_value, short.significant) == (True, None, False)
