"""Before and after a redesign: two versions of one SOP on the same measures, with p-values."""

import math
from collections.abc import Callable, Sequence

from storage.repositories import dashboard_versions as repo
from web.usecases.context import Actor, Context
from web.usecases.dashboard.overview import activity_order, reading, resolve_window, sop_or_404
from web.usecases.dashboard.stats import mann_whitney_p, nearest_rank, two_proportion_p
from web.usecases.dashboard.views import Difference, Filters, VersionComparison
from web.usecases.errors import Invalid, NotFound, message

NEEDS_TWO_VERSIONS = message(
    "comparison_needs_two_versions",
    "SOP {key} needs two versions that ran requests to compare them.",
)
VERSION_RAN_NOTHING = message(
    "version_ran_no_request", "Version {number} of SOP {key} ran no request."
)

SIGNIFICANCE = 0.05
MIN_SAMPLE = 10


def _difference(
    measure: str,
    activity: str | None,
    values: tuple[Sequence[int], Sequence[int]],
    summary: Callable[[Sequence[int]], float],
    test: Callable[[Sequence[int], Sequence[int]], float],
) -> Difference:
    before, after = values
    first = float(summary(before)) if before else None
    second = float(summary(after)) if after else None
    # A test on a handful of values says nothing either way: give none rather than a verdict.
    too_few = min(len(before), len(after)) < MIN_SAMPLE
    p_value = None if too_few else test(before, after)
    return Difference(
        measure,
        activity,
        first,
        second,
        None if first is None or second is None else second - first,
        p_value,
        _significant(p_value),
        len(before),
        len(after),
        too_few,
    )


def _duration_difference(
    measure: str, activity: str | None, before: Sequence[int], after: Sequence[int]
) -> Difference:
    """Medians (nearest rank) and the Mann-Whitney U test."""
    return _difference(
        measure, activity, (before, after), lambda v: nearest_rank(v, 0.5), mann_whitney_p
    )


def _share_difference(
    measure: str, activity: str | None, before: Sequence[int], after: Sequence[int]
) -> Difference:
    """Shares of 1s among 0/1 values and the two-proportion z-test."""
    return _difference(
        measure,
        activity,
        (before, after),
        lambda v: sum(v) / len(v),
        lambda a, b: two_proportion_p(sum(a), len(a), sum(b), len(b)),
    )


def _significant(p_value: float | None) -> bool:
    return p_value is not None and p_value < SIGNIFICANCE and not math.isnan(p_value)


def compare_versions(
    ctx: Context,
    actor: Actor,
    sop_id: int,
    filters: Filters,
    before_id: int | None = None,
    after_id: int | None = None,
) -> VersionComparison:
    """The same measures on two versions of one SOP, each over all its completed requests.

    The period does not apply (each version is measured over its whole life); the unit does.
    Defaults: the two newest versions with completed requests (in the unit), then the newest
    that ran any.
    """
    filters = Filters(filters.start, filters.end, filters.unit_id, sop_id, None)
    with reading(ctx) as session:
        sop = sop_or_404(session, sop_id)
        window = resolve_window(session, ctx, actor, filters)
        versions = repo.versions_of(session, sop_id)
        numbers = dict(versions)
        measured = repo.measured_versions(session, sop_id, window)
        preferred = measured + [vid for vid, _ in versions if vid not in measured]
        if after_id is None:
            after_id = next((vid for vid in preferred if vid != before_id), None)
        if before_id is None:
            before_id = next((vid for vid in preferred if vid != after_id), None)
        if before_id is None or after_id is None:
            raise Invalid(
                NEEDS_TWO_VERSIONS,
                {"versions": [number for _, number in versions]},
                key=sop.key,
            )
        for chosen in (before_id, after_id):
            if chosen not in numbers:
                raise NotFound(VERSION_RAN_NOTHING, number=chosen, key=sop.key)
        cycles = {vid: repo.cycle_values(session, vid, window) for vid in (before_id, after_id)}
        steps = {vid: repo.step_values(session, vid, window) for vid in (before_id, after_id)}
        differences = [
            _duration_difference(
                "cycle_office",
                None,
                [cycle for cycle, _ in cycles[before_id]],
                [cycle for cycle, _ in cycles[after_id]],
            ),
            _share_difference(
                "requests_on_time",
                None,
                [punctual for _, punctual in cycles[before_id] if punctual is not None],
                [punctual for _, punctual in cycles[after_id] if punctual is not None],
            ),
        ]
        per_activity: dict[str, dict[int, list[tuple[int, int]]]] = {}
        for vid in (before_id, after_id):
            for activity, spent, late in steps[vid]:
                per_activity.setdefault(activity, {}).setdefault(vid, []).append((spent, late))
        order = activity_order(session, after_id)
        for activity in sorted(per_activity, key=lambda key: (order.get(key, len(order)), key)):
            first = per_activity[activity].get(before_id, [])
            second = per_activity[activity].get(after_id, [])
            differences.append(
                _duration_difference(
                    "step_duration_office",
                    activity,
                    [spent for spent, _ in first],
                    [spent for spent, _ in second],
                )
            )
            differences.append(
                _share_difference(
                    "step_breach_rate",
                    activity,
                    [late for _, late in first],
                    [late for _, late in second],
                )
            )
        return VersionComparison(
            filters,
            sop.id,
            sop.name,
            (before_id, numbers[before_id]),
            (after_id, numbers[after_id]),
            versions,
            differences,
        )
