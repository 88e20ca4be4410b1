"""The requests behind every dashboard figure (the drill-down lists) against the known log of
tests.web.usecases.dashboard.dashboard_log, recomputed by hand."""

from dataclasses import replace
from datetime import date

from storage.models import Instance, WorkItemStatus
from tests.web.usecases.dashboard.dashboard_expected import (
    OPEN,
    Scope,
    breached,
    choices,
    completed_in,
    mondays,
    open_at_end,
    punctual,
    ready_in,
    scope_of,
    started_in,
    step_late,
    steps,
    steps_done_in,
)
from tests.web.usecases.dashboard.dashboard_log import THREE_WEEKS, Log
from web.usecases.dashboard import drill as dashboard_drill
from web.usecases.dashboard import overview as dashboard
from web.usecases.dashboard.views import Filters
from web.usecases.pagination import PageRequest

PERIOD = Filters(*THREE_WEEKS)


def expected_behind(log: Log, scope: Scope, figure: str, options: dict) -> set[int]:
    """The ids of the requests behind ``figure``, straight from the definitions."""
    done = completed_in(log, scope)
    request_figures = {
        "started": started_in(log, scope),
        "completed": done,
        "open": open_at_end(log, scope),
        "on_time": [i for i in done if punctual(i) is True],
        "late": [i for i in done if punctual(i) is False],
    }
    if figure in request_figures:
        return {i.id for i in request_figures[figure]}
    finished = steps_done_in(log, scope)
    activity = [i for i in ready_in(log, scope) if i.activity_id == options.get("activity")]
    position = [i for i in finished if i.position_id == options.get("position_id")]
    officer = [i for i in finished if i.completed_by_id == options.get("user_id")]
    # Open now, whatever the period (the workload's "open" column).
    open_now = [i for i in steps(log, scope) if i.status in OPEN]
    step_figures = {
        "steps_late": [i for i in finished if step_late(i)],
        "activity": activity,
        "activity_completed": [i for i in activity if i.status == WorkItemStatus.COMPLETED],
        "activity_open": [i for i in activity if i.status in OPEN],
        "activity_breached": [i for i in activity if breached(i)],
        "position": position,
        "position_open": [i for i in open_now if i.position_id == options.get("position_id")],
        "position_breached": [i for i in position if breached(i)],
        "officer": officer,
        "officer_open": [
            i
            for i in open_now
            if i.status == WorkItemStatus.CLAIMED and i.claimed_by_id == options.get("user_id")
        ],
        "officer_breached": [i for i in officer if breached(i)],
    }
    return {i.instance_id for i in step_figures[figure]}


def figure_options(log: Log, scope: Scope):
    """Every figure with every activity, position and officer it can be asked about."""
    kept = steps(log, scope)
    for figure in dashboard_drill.FIGURES:
        if figure.startswith("activity"):
            for activity in sorted({i.activity_id for i in kept}):
                yield figure, {"activity": activity}
        elif figure.startswith("position"):
            for position_id in sorted({i.position_id for i in kept}):
                yield figure, {"position_id": position_id}
        elif figure.startswith("officer"):
            for user in sorted({u.id for u in log.users.values()}):
                yield figure, {"user_id": user}
        else:
            yield figure, {}


def behind(ctx, actor, figure, filters, **options) -> list[Instance]:
    page = dashboard_drill.requests_behind(
        ctx, actor, figure, filters, PageRequest(1, 100), **options
    )
    assert page.total == len(page.items)
    return page.items


def test_the_requests_behind_every_figure_are_those_of_its_definition(known_log):
    ctx, org, log = known_log
    asked = 0
    for name, who, filters, managed in choices(log):
        scope = scope_of(log, filters, managed)
        for figure, options in figure_options(log, scope):
            found = behind(ctx, org.actor(who), figure, filters, **options)

            ids = [i.id for i in found]
            assert set(ids) == expected_behind(log, scope, figure, options), (name, figure, options)
            newest_first = sorted(found, key=lambda i: (-i.started_at.timestamp(), i.id))
            assert ids == [i.id for i in newest_first]
            asked += 1
    assert asked > 300


def test_the_requests_behind_the_figures_by_hand(known_log):
    ctx, org, log = known_log
    eka = org.actor("eka")
    surat = replace(PERIOD, sop_id=log.sops["surat"])

    def labels(figure, filters=surat, **options):
        return sorted(log.label(i.id) for i in behind(ctx, eka, figure, filters, **options))

    assert "B11" in labels("completed") and "B11" not in labels("started")
    assert labels("open") == ["B10", "B7", "B8"]
    assert labels("late") == ["B1", "B11", "B12", "B4", "B6"]
    # B11's setujui became ready in July: not a step of this period's page, but completed in it.
    assert labels("activity_breached", activity="setujui") == ["B1", "B12", "B5", "B7"]
    citra = org.actor("citra").user_id
    assert labels("officer_breached", user_id=citra) == ["B1", "B11", "B12", "B5"]
    # A request counts in the week it ended, not the one it started: B12 ended at Monday 00:00.
    in_week = labels("completed", PERIOD, week=date(2026, 8, 10))
    assert in_week == ["A3", "A4", "A6", "A7", "B4", "B5"]


def test_the_weeks_of_the_trend_drill_down_to_their_own_requests(known_log):
    ctx, org, log = known_log
    for name, who, filters, _ in choices(log)[:5]:
        trend = dashboard.overview(ctx, org.actor(who), filters).trend
        assert [point.week_start for point in trend] == mondays(filters)
        for point in trend:
            week = {"week": point.week_start}
            counts = [
                len(behind(ctx, org.actor(who), figure, filters, **week))
                for figure in ("started", "completed", "on_time")
            ]
            assert counts == [point.started, point.completed, point.requests_on_time.part], name
