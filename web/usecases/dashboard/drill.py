"""The requests behind any dashboard figure, chosen by the conditions that counted it."""

import dataclasses
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, select

from storage.models import Instance, WorkItem, WorkItemStatus
from storage.repositories import dashboard as repo
from storage.repositories import dashboard_activities
from web.usecases.context import Actor, Context
from web.usecases.dashboard.overview import reading, resolve_window
from web.usecases.dashboard.views import Filters
from web.usecases.errors import Invalid, message
from web.usecases.pagination import Page, PageRequest, paginate
from web.usecases.scope import visible_requests

FIGURE_NEEDS_PARAMETER = message(
    "figure_needs_parameter", "The figure '{figure}' needs the parameter '{parameter}'."
)
FIGURE_UNKNOWN = message("figure_unknown", "Unknown figure '{figure}'.")
WEEK_OUTSIDE = message("week_outside_period", "The week lies outside the period.")

BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)
FIGURES = (
    "started",
    "completed",
    "open",
    "on_time",
    "late",
    "steps_late",
    "activity",
    "activity_completed",
    "activity_open",
    "activity_breached",
    "position",
    "position_open",
    "position_breached",
    "officer",
    "officer_open",
    "officer_breached",
)


def _behind(
    figure: str,
    window: repo.Window,
    activity: str | None,
    position_id: int | None,
    user_id: int | None,
):
    """The condition on Instance that selects the requests behind ``figure``."""
    items = window.items()
    steps_done = [repo.steps_completed_condition(window), *items]
    requests = window.instances()
    conditions = {
        "started": [repo.within(Instance.started_at, window.start, window.end), *requests],
        "completed": [repo.completed_condition(window), *requests],
        "open": [repo.open_at_end_condition(window), *requests],
        "on_time": [
            repo.completed_condition(window),
            repo.on_time(Instance.ended_at, Instance.due_at) == 1,
            *requests,
        ],
        "late": [
            repo.completed_condition(window),
            repo.on_time(Instance.ended_at, Instance.due_at) == 0,
            *requests,
        ],
    }
    if figure in conditions:
        return and_(*conditions[figure])
    step_conditions = {
        "steps_late": [*steps_done, repo.on_time(WorkItem.completed_at, WorkItem.due_at) == 0],
        "activity": [
            *dashboard_activities.activity_condition(window),
            WorkItem.activity_id == activity,
        ],
        "activity_completed": [
            *dashboard_activities.activity_condition(window),
            WorkItem.activity_id == activity,
            WorkItem.status == WorkItemStatus.COMPLETED,
        ],
        "activity_open": [
            *dashboard_activities.activity_condition(window),
            WorkItem.activity_id == activity,
            WorkItem.status.in_(repo.OPEN),
        ],
        "activity_breached": [
            *dashboard_activities.activity_condition(window),
            WorkItem.activity_id == activity,
            WorkItem.breached_at.is_not(None),
        ],
        "position": [*steps_done, WorkItem.position_id == position_id],
        "position_breached": [
            *steps_done,
            WorkItem.position_id == position_id,
            WorkItem.breached_at.is_not(None),
        ],
        # Open now, as the workload's "open" column (the inbox, not the period).
        "position_open": [
            *items,
            WorkItem.position_id == position_id,
            WorkItem.status.in_(repo.OPEN),
        ],
        "officer": [*steps_done, WorkItem.completed_by_id == user_id],
        "officer_open": [
            *items,
            WorkItem.claimed_by_id == user_id,
            WorkItem.status == WorkItemStatus.CLAIMED,
        ],
        "officer_breached": [
            *steps_done,
            WorkItem.completed_by_id == user_id,
            WorkItem.breached_at.is_not(None),
        ],
    }
    needs = {"activity": ("activity", activity), "position": ("position", position_id)}
    needs["officer"] = ("user", user_id)
    for prefix, (parameter, value) in needs.items():
        if figure.startswith(prefix) and value is None:
            raise Invalid(
                FIGURE_NEEDS_PARAMETER, {"field": parameter}, figure=figure, parameter=parameter
            )
    return Instance.id.in_(select(WorkItem.instance_id).where(*step_conditions[figure]))


def requests_behind(
    ctx: Context,
    actor: Actor,
    figure: str,
    filters: Filters,
    page: PageRequest,
    *,
    activity: str | None = None,
    position_id: int | None = None,
    user_id: int | None = None,
    week: date | None = None,
    lifetime: bool = False,
) -> Page:
    """The requests behind one dashboard figure, newest first.

    ``week`` (a Monday) narrows the period to that week, as the trend's points are.
    ``lifetime`` ignores the period, as the version comparison does (each version's whole life).
    :raises Invalid: an unknown figure, or one missing the activity/position/officer it needs.
    """
    if figure not in FIGURES:
        raise Invalid(FIGURE_UNKNOWN, {"figures": list(FIGURES)}, figure=figure)
    if week is not None:
        start = max(filters.start, week)
        end = min(filters.end, week + timedelta(days=6))
        if start > end:
            raise Invalid(WEEK_OUTSIDE, {"field": "week"})
        filters = Filters(start, end, filters.unit_id, filters.sop_id, filters.version_id)
    with reading(ctx) as session:
        window = resolve_window(session, ctx, actor, filters)
        if lifetime:
            window = dataclasses.replace(window, start=BEGINNING, end=END_OF_TIME)
        condition = _behind(figure, window, activity, position_id, user_id)
        # A figure counts a unit's work; each row listed must still open for the actor.
        visible = visible_requests(session, actor)
        query = (
            select(Instance)
            .where(condition, visible)
            .order_by(Instance.started_at.desc(), Instance.id)
        )
        return paginate(session, query, page.clamped(100))
