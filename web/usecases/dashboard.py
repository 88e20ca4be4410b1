"""The efficiency dashboard: real cycle times and steps against the SOP's time standards.

Managers see the requests and steps of their unit and the units below it; analysts and
administrators see everything and may pick any unit. Every figure is computed in SQL by
storage.repositories.dashboard; :func:`requests_behind` lists the requests behind any figure
with the same conditions, so a number and its list always agree.
"""

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median

from sqlalchemy import and_, select, text
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from storage.models import (
    Instance,
    Organization,
    Position,
    Role,
    Sop,
    SopVersion,
    Unit,
    User,
    WorkItem,
    WorkItemStatus,
)
from storage.repositories import dashboard as repo
from web.usecases.calendars import calendar_of
from web.usecases.context import Actor, Context
from web.usecases.dashboard_views import (
    ActivityRow,
    Difference,
    Filters,
    LoadRow,
    Overview,
    Share,
    SopDetail,
    SopOverviewRow,
    Spread,
    VersionComparison,
    WeekPoint,
    Workload,
)
from web.usecases.errors import Forbidden, Invalid, NotFound
from web.usecases.pagination import Page, PageRequest, paginate
from web.usecases.scope import managed_units
from web.usecases.stats import mann_whitney_p, nearest_rank, two_proportion_p

DEFAULT_DAYS = 90
PG_WORK_MEM = "64MB"
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)
MAX_DAYS = 3 * 366
SIGNIFICANCE = 0.05
MIN_SAMPLE = 10
OUTLIER_MADS = 3.0
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


@dataclass(frozen=True)
class FilterChoices:
    """What the filter bar offers the actor."""

    units: list[tuple[int, str]]
    sops: list[tuple[int, str, str]]  # id, key, name
    versions: dict[int, list[tuple[int, int]]]  # sop id -> [(version id, number)], newest first
    unit_locked: bool  # a manager: only the units listed, never "all units"


@contextmanager
def _reading(ctx: Context) -> Iterator[Session]:
    """A read-only transaction: on SQLite the dashboard never holds the officers' write lock.

    On PostgreSQL the percentile windows sort up to a few hundred thousand values; more
    work_mem keeps those sorts in memory (the queries themselves are the same everywhere).
    """
    with ctx.reading() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"SET LOCAL work_mem = '{PG_WORK_MEM}'"))
        yield session


def _require_viewer(actor: Actor) -> None:
    actor.require_role(Role.MANAGER, Role.ANALYST, Role.ADMIN, action="open the dashboard")


def _organization(session: Session) -> Organization:
    organization = session.scalars(select(Organization).order_by(Organization.id)).first()
    if organization is None:
        raise NotFound("There is no organization yet; run `alur demo` or create one.")
    return organization


def _calendar(session: Session, ctx: Context) -> WorkingCalendar:
    return calendar_of(ctx, _organization(session))


def _allowed_units(session: Session, actor: Actor) -> set[int] | None:
    """Units the actor may filter by (None: every unit, and "all units")."""
    return managed_units(session, actor)


def _subtree(session: Session, unit_id: int) -> frozenset[int]:
    children: dict[int | None, list[int]] = {}
    for child, parent in session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent, []).append(child)
    found, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return frozenset(found)


def _int_arg(args: Mapping[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise Invalid(f"Parameter '{name}' must be a number, not {raw[:40]!r}.", {"field": name})
    return int(raw)


def _date_arg(args: Mapping[str, str], name: str, default: date) -> date:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            f"Parameter '{name}' must be a date as YYYY-MM-DD, not {raw[:40]!r}.", {"field": name}
        ) from None


def filters_from_args(ctx: Context, actor: Actor, args: Mapping[str, str]) -> Filters:
    """Filters from a query string: ``from``, ``to`` (YYYY-MM-DD), ``unit``, ``sop``, ``version``.

    Defaults: the last 90 days up to today (local), all units (a manager: none chosen means
    the units they manage). :raises Invalid: naming the parameter that is wrong.
    """
    _require_viewer(actor)
    with _reading(ctx) as session:
        today = ctx.clock().astimezone(_calendar(session, ctx).zone).date()
    end = _date_arg(args, "to", today)
    start = _date_arg(args, "from", end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        raise Invalid(
            "The period starts after it ends: 'from' must not be after 'to'.", {"field": "from"}
        )
    if (end - start).days > MAX_DAYS:
        raise Invalid(f"The period may span at most {MAX_DAYS} days.", {"field": "from"})
    return Filters(
        start, end, _int_arg(args, "unit"), _int_arg(args, "sop"), _int_arg(args, "version")
    )


def filter_choices(ctx: Context, actor: Actor) -> FilterChoices:
    _require_viewer(actor)
    with _reading(ctx) as session:
        allowed = _allowed_units(session, actor)
        units = [
            (unit_id, name)
            for unit_id, name in session.execute(select(Unit.id, Unit.name).order_by(Unit.name))
            if allowed is None or unit_id in allowed
        ]
        sops = [
            (sop.id, sop.key, sop.name) for sop in session.scalars(select(Sop).order_by(Sop.name))
        ]
        versions: dict[int, list[tuple[int, int]]] = {}
        for version_id, sop_id, number in session.execute(
            select(SopVersion.id, SopVersion.sop_id, SopVersion.number).order_by(
                SopVersion.number.desc()
            )
        ):
            versions.setdefault(sop_id, []).append((version_id, number))
        return FilterChoices(units, sops, versions, unit_locked=allowed is not None)


def _window(session: Session, ctx: Context, actor: Actor, filters: Filters) -> repo.Window:
    """Resolve the filters against the actor's scope. :raises Forbidden: a unit outside it."""
    _require_viewer(actor)
    zone = _calendar(session, ctx).zone
    allowed = _allowed_units(session, actor)
    if filters.unit_id is not None:
        if session.get(Unit, filters.unit_id) is None:
            raise NotFound(f"Unit {filters.unit_id} does not exist.")
        if allowed is not None and filters.unit_id not in allowed:
            raise Forbidden("That unit is outside the units you manage.", {"unit": filters.unit_id})
        units: frozenset[int] | None = _subtree(session, filters.unit_id)
    else:
        units = None if allowed is None else frozenset(allowed)
    if filters.version_id is not None:
        version = session.get(SopVersion, filters.version_id)
        if version is None or (filters.sop_id is not None and version.sop_id != filters.sop_id):
            raise NotFound(f"SOP version {filters.version_id} does not exist for this SOP.")
    start = datetime.combine(filters.start, time(0), zone).astimezone(UTC)
    end = datetime.combine(filters.end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return repo.Window(start, end, filters.sop_id, filters.version_id, units)


def _spread(figures: Mapping[str, tuple], name: str) -> Spread:
    found = figures.get(name)
    return Spread(*found) if found else Spread()


def _overview_rows(session: Session, window: repo.Window) -> list[SopOverviewRow]:
    started = repo.started_per_sop(session, window)
    still_open = repo.open_per_sop(session, window)
    completed = repo.completed_per_sop(session, window)
    steps = repo.steps_on_time_per_sop(session, window)
    sop_ids = set(started) | set(still_open) | set(completed) | set(steps)
    sops = {sop.id: sop for sop in session.scalars(select(Sop).where(Sop.id.in_(sop_ids)))}
    rows = []
    for sop_id in sorted(sop_ids, key=lambda key: sops[key].name):
        done = completed.get(sop_id, {})
        measured_steps, good_steps = steps.get(sop_id, (0, 0))
        rows.append(
            SopOverviewRow(
                sop_id=sop_id,
                sop_key=sops[sop_id].key,
                sop_name=sops[sop_id].name,
                started=started.get(sop_id, 0),
                completed=done.get("completed", 0),
                open=still_open.get(sop_id, 0),
                cycle=_spread(done, "cycle"),
                cycle_office=_spread(done, "cycle_office"),
                standard_office=_spread(done, "standard_office"),
                requests_on_time=Share(done.get("on_time", 0), done.get("measured", 0)),
                steps_on_time=Share(good_steps, measured_steps),
            )
        )
    return rows


def week_starts(filters: Filters) -> list[date]:
    """Mondays of the weeks the period touches, and the Monday after the last one."""
    first = filters.start - timedelta(days=filters.start.weekday())
    weeks = [first]
    while weeks[-1] <= filters.end:
        weeks.append(weeks[-1] + timedelta(days=7))
    return weeks


def overview(ctx: Context, actor: Actor, filters: Filters) -> Overview:
    """Per SOP: requests started, completed, open; cycle times against standards; compliance."""
    with _reading(ctx) as session:
        window = _window(session, ctx, actor, filters)
        zone = _calendar(session, ctx).zone
        weeks = week_starts(filters)
        boundaries = [datetime.combine(day, time(0), zone).astimezone(UTC) for day in weeks]
        per_week = repo.weekly(session, window, boundaries)
        trend = []
        for index, monday in enumerate(weeks[:-1]):
            figures = per_week.get(index, {})
            trend.append(
                WeekPoint(
                    week_start=monday,
                    started=figures.get("started", 0),
                    completed=figures.get("completed", 0),
                    cycle_office=_spread(figures, "cycle_office"),
                    requests_on_time=Share(figures.get("on_time", 0), figures.get("measured", 0)),
                )
            )
        return Overview(filters, _overview_rows(session, window), trend)


def _sop(session: Session, sop_id: int) -> Sop:
    sop = session.get(Sop, sop_id)
    if sop is None:
        raise NotFound(f"SOP {sop_id} does not exist.")
    return sop


def _activity_order(session: Session, version_id: int) -> dict[str, int]:
    version = session.get(SopVersion, version_id)
    activities = (version.sop_metadata or {}).get("activities", []) if version else []
    return {activity["id"]: index for index, activity in enumerate(activities)}


def _lane_names(session: Session, sop_id: int) -> dict[str, str]:
    """Lane id -> lane name over every version of an SOP (the newest name wins)."""
    names: dict[str, str] = {}
    for (metadata,) in session.execute(
        select(SopVersion.sop_metadata)
        .where(SopVersion.sop_id == sop_id)
        .order_by(SopVersion.number)
    ):
        for lane in (metadata or {}).get("lanes", []):
            names[lane["id"]] = lane.get("name") or lane["id"]
    return names


def sop_detail(ctx: Context, actor: Actor, sop_id: int, filters: Filters) -> SopDetail:
    """Per activity of one SOP: waiting against working time, breaches, ranked bottlenecks."""
    filters = Filters(filters.start, filters.end, filters.unit_id, sop_id, filters.version_id)
    with _reading(ctx) as session:
        sop = _sop(session, sop_id)
        window = _window(session, ctx, actor, filters)
        versions = repo.versions_of(session, sop_id) or [
            (version.id, version.number)
            for version in sorted(sop.versions, key=lambda v: -v.number)
        ]
        if not versions:
            raise NotFound(f"SOP {sop.key} has no version yet.")
        diagram = filters.version_id or versions[0][0]
        order = _activity_order(session, diagram)
        lanes = _lane_names(session, sop_id)
        found = repo.activities(session, window)
        total = sum(figures["spent"] for figures in found.values())
        ranked = sorted(
            (key for key in found if found[key]["spent"]), key=lambda key: -found[key]["spent"]
        )
        rows = [
            ActivityRow(
                activity_id=key,
                name=figures["name"],
                lane=lanes.get(figures["lane"], figures["lane"]),
                positions=figures["positions"],
                items=figures["items"],
                completed=figures["completed"],
                open=figures["open"],
                wait_office=_spread(figures, "wait_office"),
                handle_office=_spread(figures, "handle_office"),
                duration_office=_spread(figures, "duration_office"),
                standard_office=_spread(figures, "standard_office").median,
                breaches=Share(figures["breached"], figures["measured"]),
                load_share=figures["spent"] / total if total else None,
                bottleneck_rank=ranked.index(key) + 1 if key in ranked else None,
            )
            for key, figures in sorted(
                found.items(), key=lambda item: (order.get(item[0], len(order)), item[0])
            )
        ]
        summary = next(iter(_overview_rows(session, window)), None)
        return SopDetail(filters, sop.id, sop.key, sop.name, diagram, versions, summary, rows)


def _working_days(calendar: WorkingCalendar, filters: Filters) -> int:
    days = (filters.end - filters.start).days + 1
    return sum(
        1 for offset in range(days) if calendar.is_working_day(filters.start + timedelta(offset))
    )


def _outliers(values: dict[int, float]) -> set[int]:
    """Keys whose value is above median + 3 scaled MADs (and above 1.5 x the median)."""
    if len(values) < 3:
        return set()
    middle = median(values.values())
    spread = 1.4826 * median(abs(value - middle) for value in values.values())
    limit = max(middle + OUTLIER_MADS * spread, 1.5 * middle)
    return {key for key, value in values.items() if value > limit and value > 0}


def _union_office(calendar: WorkingCalendar, intervals: list[tuple]) -> int:
    """Office seconds in which at least one of ``intervals`` (start, end, office seconds)
    was open: steps held at the same time count once. Sorted by start."""
    total = 0
    start = end = None
    alone: int | None = None  # the office seconds of a merged run made of one interval
    for begin, finish, office in intervals:
        if begin is None or finish is None:
            continue
        if end is not None and begin < end:
            end, alone = max(end, finish), None
            continue
        if end is not None:
            total += alone if alone is not None else _office(calendar, start, end)
        start, end, alone = begin, finish, office
    if end is not None:
        total += alone if alone is not None else _office(calendar, start, end)
    return total


def _office(calendar: WorkingCalendar, start: datetime, end: datetime) -> int:
    return round(calendar.working_time(start, end).total_seconds())


def _busy(calendar: WorkingCalendar, rows: list[tuple]) -> tuple[dict[int, int], dict[int, int]]:
    """Busy office seconds per position (summed over its officers) and per officer."""
    per_pair: dict[tuple[int, int | None], list[tuple]] = {}
    per_officer: dict[int, list[tuple]] = {}
    for position_id, user_id, claimed, completed, office in rows:
        per_pair.setdefault((position_id, user_id), []).append((claimed, completed, office))
        if user_id is not None:
            per_officer.setdefault(user_id, []).append((claimed, completed, office))
    positions: dict[int, int] = {}
    for (position_id, _user), intervals in per_pair.items():
        intervals.sort(key=lambda interval: interval[0])
        positions[position_id] = positions.get(position_id, 0) + _union_office(calendar, intervals)
    officers = {
        user_id: _union_office(calendar, sorted(intervals, key=lambda interval: interval[0]))
        for user_id, intervals in per_officer.items()
    }
    return positions, officers


def workload(ctx: Context, actor: Actor, filters: Filters) -> Workload:
    """Hours of work per week and steps per day, per position (per holder) and per officer."""
    with _reading(ctx) as session:
        window = _window(session, ctx, actor, filters)
        calendar = _calendar(session, ctx)
        weeks = ((filters.end - filters.start).days + 1) / 7
        working_days = max(1, _working_days(calendar, filters))
        holders = repo.holders_per_position(session)
        busy_positions, busy_officers = _busy(calendar, repo.held_intervals(session, window))
        per_position = {
            pid: {**figures, "handled": busy_positions.get(pid, 0)}
            for pid, figures in repo.load_per_position(session, window).items()
        }
        open_items = repo.open_per_position(session, window)
        position_ids = set(per_position) | set(open_items)
        positions = {
            position.id: position
            for position in session.scalars(select(Position).where(Position.id.in_(position_ids)))
        }
        position_rows = [
            _load_row(
                per_position.get(pid, {}),
                open_items.get(pid, 0),
                max(1, holders.get(pid, 0)),
                weeks,
                working_days,
                key=positions[pid].code,
                name=positions[pid].name,
                unit=positions[pid].unit.name,
                holders=holders.get(pid, 0),
                position_id=pid,
            )
            for pid in position_ids
        ]
        per_officer = {
            user_id: {**figures, "handled": busy_officers.get(user_id, 0)}
            for user_id, figures in repo.load_per_officer(session, window).items()
            if user_id is not None
        }
        claimed = repo.claimed_per_officer(session, window)
        user_ids = set(per_officer) | {key for key in claimed if key is not None}
        users = {
            user.id: user for user in session.scalars(select(User).where(User.id.in_(user_ids)))
        }
        officer_rows = [
            _load_row(
                per_officer.get(uid, {}),
                claimed.get(uid, 0),
                1,
                weeks,
                working_days,
                key=users[uid].username,
                name=users[uid].full_name,
                unit=", ".join(sorted({p.unit.name for p in users[uid].positions})),
                holders=1,
                user_id=uid,
            )
            for uid in user_ids
        ]
        return Workload(
            filters,
            weeks,
            working_days,
            _mark_outliers(position_rows),
            _mark_outliers(officer_rows),
        )


def _load_row(
    figures: Mapping[str, int],
    open_count: int,
    per: int,
    weeks: float,
    working_days: int,
    **identity: object,
) -> LoadRow:
    return LoadRow(
        completed=figures.get("completed", 0),
        hours_per_week=figures.get("handled", 0) / 3600 / weeks / per,
        items_per_day=figures.get("completed", 0) / working_days / per,
        open=open_count,
        breaches=Share(figures.get("breached", 0), figures.get("measured", 0)),
        outlier=False,
        **identity,  # type: ignore[arg-type]
    )


def _mark_outliers(rows: list[LoadRow]) -> list[LoadRow]:
    flagged = _outliers({index: row.hours_per_week for index, row in enumerate(rows)})
    marked = [
        LoadRow(**{**row.__dict__, "outlier": index in flagged}) for index, row in enumerate(rows)
    ]
    return sorted(marked, key=lambda row: (-row.hours_per_week, row.key))


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
    p_value = test(before, after) if before and after else None
    return Difference(
        measure,
        activity,
        first,
        second,
        None if first is None or second is None else second - first,
        p_value,
        _significant(p_value, len(before), len(after)),
        len(before),
        len(after),
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


def _significant(p_value: float | None, before: int, after: int) -> bool:
    return (
        p_value is not None
        and p_value < SIGNIFICANCE
        and min(before, after) >= MIN_SAMPLE
        and not math.isnan(p_value)
    )


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
    Defaults: the two newest versions that ran requests.
    """
    filters = Filters(filters.start, filters.end, filters.unit_id, sop_id, None)
    with _reading(ctx) as session:
        sop = _sop(session, sop_id)
        window = _window(session, ctx, actor, filters)
        versions = repo.versions_of(session, sop_id)
        numbers = dict(versions)
        if after_id is None:
            after_id = versions[0][0] if versions else None
        if before_id is None:
            before_id = next((vid for vid, _ in versions if vid != after_id), None)
        if before_id is None or after_id is None:
            raise Invalid(
                f"SOP {sop.key} needs two versions that ran requests to compare them.",
                {"versions": [number for _, number in versions]},
            )
        for chosen in (before_id, after_id):
            if chosen not in numbers:
                raise NotFound(f"Version {chosen} of SOP {sop.key} ran no request.")
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
        order = _activity_order(session, after_id)
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
        "activity": [*repo.activity_condition(window), WorkItem.activity_id == activity],
        "activity_completed": [
            *repo.activity_condition(window),
            WorkItem.activity_id == activity,
            WorkItem.status == WorkItemStatus.COMPLETED,
        ],
        "activity_open": [
            *repo.activity_condition(window),
            WorkItem.activity_id == activity,
            WorkItem.status.in_(repo.OPEN),
        ],
        "activity_breached": [
            *repo.activity_condition(window),
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
                f"The figure '{figure}' needs the parameter '{parameter}'.", {"field": parameter}
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
        raise Invalid(f"Unknown figure '{figure}'.", {"figures": list(FIGURES)})
    if week is not None:
        start = max(filters.start, week)
        end = min(filters.end, week + timedelta(days=6))
        if start > end:
            raise Invalid("The week lies outside the period.", {"field": "week"})
        filters = Filters(start, end, filters.unit_id, filters.sop_id, filters.version_id)
    with _reading(ctx) as session:
        window = _window(session, ctx, actor, filters)
        if lifetime:
            window = dataclasses.replace(window, start=BEGINNING, end=END_OF_TIME)
        condition = _behind(figure, window, activity, position_id, user_id)
        query = select(Instance).where(condition).order_by(Instance.started_at.desc(), Instance.id)
        return paginate(session, query, page.clamped(100))


__all__ = [
    "FIGURES",
    "FilterChoices",
    "compare_versions",
    "filter_choices",
    "filters_from_args",
    "overview",
    "requests_behind",
    "sop_detail",
    "workload",
]
