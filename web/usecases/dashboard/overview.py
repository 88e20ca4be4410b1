"""The efficiency dashboard: real cycle times and steps against the SOP's time standards.

Managers see the requests and steps of their unit and the units below it; analysts and
administrators see everything and may pick any unit. Every figure is computed in SQL by
storage.repositories.dashboard. This module holds the filters, the scope and the overview and
one-SOP pages; dashboard_workload, dashboard_versions and dashboard_drill (the requests behind
any figure, with the same conditions, so a number and its list always agree) the rest.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from storage.models import (
    Organization,
    Role,
    Sop,
    SopVersion,
    Unit,
)
from storage.repositories import dashboard as repo
from storage.repositories import dashboard_versions
from web.usecases.bounds import PERIOD_TOO_LONG, parse_day, parse_number
from web.usecases.context import Actor, Context
from web.usecases.dashboard import summary_reads
from web.usecases.dashboard.views import (
    ActivityRow,
    Filters,
    Overview,
    Share,
    SopDetail,
    SopOverviewRow,
    Spread,
    WeekPoint,
)
from web.usecases.errors import Forbidden, Invalid, NotFound, message
from web.usecases.library.sops import SOP_NOT_FOUND
from web.usecases.organization.administration import UNIT_NOT_FOUND
from web.usecases.organization.calendars import NO_ORGANIZATION, calendar_of, first_organization
from web.usecases.scope import managed_units

PERIOD_STARTS_AFTER_END = message(
    "period_starts_after_end", "The period starts after it ends: 'from' must not be after 'to'."
)
UNIT_NOT_MANAGED = message("unit_not_managed", "That unit is outside the units you manage.")
VERSION_NOT_OF_SOP = message(
    "sop_version_not_of_sop", "SOP version {id} does not exist for this SOP."
)
NO_VERSION_YET = message("sop_has_no_version", "SOP {key} has no version yet.")

DEFAULT_DAYS = 90
PG_WORK_MEM = "64MB"
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class FilterChoices:
    """What the filter bar offers the actor."""

    units: list[tuple[int, str]]
    sops: list[tuple[int, str, str]]  # id, key, name
    versions: dict[int, list[tuple[int, int]]]  # sop id -> [(version id, number)], newest first
    unit_locked: bool  # a manager: only the units listed, never "all units"


@contextmanager
def reading(ctx: Context) -> Iterator[Session]:
    """A read-only transaction: on SQLite the dashboard never holds the officers' write lock.

    On PostgreSQL the percentile windows sort up to a few hundred thousand values; more
    work_mem keeps those sorts in memory (the queries themselves are the same everywhere).
    """
    with ctx.reading() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"SET LOCAL work_mem = '{PG_WORK_MEM}'"))
        yield session


def require_viewer(actor: Actor) -> None:
    actor.require_role(Role.MANAGER, Role.ANALYST, Role.ADMIN, action="open the dashboard")


def _organization(session: Session) -> Organization:
    organization = first_organization(session)
    if organization is None:
        raise NotFound(NO_ORGANIZATION)
    return organization


def org_calendar(session: Session, ctx: Context) -> WorkingCalendar:
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
    return parse_number(raw, name) if raw else None


def _date_arg(args: Mapping[str, str], name: str, default: date) -> date:
    raw = (args.get(name) or "").strip()
    return parse_day(raw, name) if raw else default


def filters_from_args(ctx: Context, actor: Actor, args: Mapping[str, str]) -> Filters:
    """Filters from a query string: ``from``, ``to`` (YYYY-MM-DD), ``unit``, ``sop``, ``version``.

    Defaults: the last 90 days up to today (local), all units (a manager: none chosen means
    the units they manage). :raises Invalid: naming the parameter that is wrong.
    """
    require_viewer(actor)
    with reading(ctx) as session:
        today = ctx.clock().astimezone(org_calendar(session, ctx).zone).date()
    end = _date_arg(args, "to", today)
    start = _date_arg(args, "from", end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        raise Invalid(PERIOD_STARTS_AFTER_END, {"field": "from"})
    if (end - start).days > MAX_DAYS:
        raise Invalid(PERIOD_TOO_LONG, {"field": "from"}, days=MAX_DAYS)
    return Filters(
        start, end, _int_arg(args, "unit"), _int_arg(args, "sop"), _int_arg(args, "version")
    )


def filter_choices(ctx: Context, actor: Actor) -> FilterChoices:
    require_viewer(actor)
    with reading(ctx) as session:
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


def resolve_window(session: Session, ctx: Context, actor: Actor, filters: Filters) -> repo.Window:
    """Resolve the filters against the actor's scope. :raises Forbidden: a unit outside it."""
    require_viewer(actor)
    zone = org_calendar(session, ctx).zone
    allowed = _allowed_units(session, actor)
    if filters.unit_id is not None:
        if session.get(Unit, filters.unit_id) is None:
            raise NotFound(UNIT_NOT_FOUND, code=filters.unit_id)
        if allowed is not None and filters.unit_id not in allowed:
            raise Forbidden(UNIT_NOT_MANAGED, {"unit": filters.unit_id})
        units: frozenset[int] | None = _subtree(session, filters.unit_id)
    else:
        units = None if allowed is None else frozenset(allowed)
    if filters.version_id is not None:
        version = session.get(SopVersion, filters.version_id)
        if version is None or (filters.sop_id is not None and version.sop_id != filters.sop_id):
            raise NotFound(VERSION_NOT_OF_SOP, id=filters.version_id)
    start = datetime.combine(filters.start, time(0), zone).astimezone(UTC)
    end = datetime.combine(filters.end + timedelta(days=1), time(0), zone).astimezone(UTC)
    days = (filters.start, filters.end)
    return repo.Window(start, end, filters.sop_id, filters.version_id, units, days)


def _spread(figures: Mapping[str, tuple], name: str) -> Spread:
    found = figures.get(name)
    return Spread(*found) if found else Spread()


def _overview_rows(
    session: Session, window: repo.Window, request_rows: list | None
) -> tuple[list[SopOverviewRow], bool]:
    """The overview's rows, and whether their cycle-time percentiles are approximate."""
    started = repo.started_per_sop(session, window)
    still_open = repo.open_per_sop(session, window)
    completed, approximate = summary_reads.completed_per_sop(session, window, request_rows)
    steps = summary_reads.steps_on_time_per_sop(session, window)
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
    return rows, approximate


def week_starts(filters: Filters) -> list[date]:
    """Mondays of the weeks the period touches, and the Monday after the last one."""
    first = filters.start - timedelta(days=filters.start.weekday())
    weeks = [first]
    while weeks[-1] <= filters.end:
        weeks.append(weeks[-1] + timedelta(days=7))
    return weeks


def overview(ctx: Context, actor: Actor, filters: Filters) -> Overview:
    """Per SOP: requests started, completed, open; cycle times against standards; compliance."""
    with reading(ctx) as session:
        window = resolve_window(session, ctx, actor, filters)
        zone = org_calendar(session, ctx).zone
        weeks = week_starts(filters)
        boundaries = [datetime.combine(day, time(0), zone).astimezone(UTC) for day in weeks]
        started = repo.weekly_started(session, window, boundaries)
        request_rows = summary_reads.request_rows(session, window)
        per_week, weeks_approximate = summary_reads.weekly_completed(
            session, window, request_rows, boundaries, weeks
        )
        trend = []
        for index, monday in enumerate(weeks[:-1]):
            figures = per_week.get(index, {})
            trend.append(
                WeekPoint(
                    week_start=monday,
                    started=started.get(index, 0),
                    completed=figures.get("completed", 0),
                    cycle_office=_spread(figures, "cycle_office"),
                    requests_on_time=Share(figures.get("on_time", 0), figures.get("measured", 0)),
                )
            )
        rows, approximate = _overview_rows(session, window, request_rows)
        return Overview(filters, rows, trend, approximate or weeks_approximate)


def sop_or_404(session: Session, sop_id: int) -> Sop:
    sop = session.get(Sop, sop_id)
    if sop is None:
        raise NotFound(SOP_NOT_FOUND, key=sop_id)
    return sop


def activity_order(session: Session, version_id: int) -> dict[str, int]:
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
    with reading(ctx) as session:
        sop = sop_or_404(session, sop_id)
        window = resolve_window(session, ctx, actor, filters)
        versions = dashboard_versions.versions_of(session, sop_id) or [
            (version.id, version.number)
            for version in sorted(sop.versions, key=lambda v: -v.number)
        ]
        if not versions:
            raise NotFound(NO_VERSION_YET, key=sop.key)
        diagram = filters.version_id or versions[0][0]
        order = activity_order(session, diagram)
        lanes = _lane_names(session, sop_id)
        found, approximate = summary_reads.activities(session, window)
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
        overview_rows, summary_approximate = _overview_rows(
            session, window, summary_reads.request_rows(session, window)
        )
        summary = next(iter(overview_rows), None)
        return SopDetail(
            filters,
            sop.id,
            sop.key,
            sop.name,
            diagram,
            versions,
            summary,
            rows,
            approximate or summary_approximate,
        )
