"""Time of each dashboard query on 1,000,000 work items, on SQLite and PostgreSQL side by side.

Each database is migrated, seeded with the demo organization and the SOP library (one SOP
republished halfway through the year as a second version), then filled with a year of requests
ending now by bulk INSERTs (not through the engine): arrivals on working days weighted like the
demo simulation, each request walking its version's activities (lanes and positions from the
SOP's metadata, some branches skipped, some rework, some rejected early), long-tailed waiting
and handling times in office hours of the organization's working calendar, due times from the
time standards, breaches, a few requests still open or cancelled at the end. The same rows go
into every database. After ANALYZE, each dashboard use case (the calls the pages make) is timed
as an analyst (everything) and as a manager (their unit): the first run, and the median of the
next ones. Targets (issue 5): the overview under 1 s, one SOP's page under 300 ms.
--exact then measures again with every percentile exact, sorted from the work items as before
the per-day summaries (" exact"); --proposed-indexes then adds the indexes proposed below and
measures again (+ix);
--custom-plans then measures PostgreSQL again without generic plans (+cp); --explain prints
the plans of the slowest statements of every query that misses its target, in each pass.

Usage: python bench/dashboard.py [--work-items N] [--databases sqlite,postgresql]
           [--postgres URL] [--runs 5] [--exact] [--proposed-indexes] [--custom-plans] [--explain]
           [--keep DIR]
"""

import argparse
import dataclasses
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event, func, insert, select, text

from bench.databases import postgres_database
from engine.calendar import WorkingCalendar
from engine.sop_metadata import Activity
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import (
    Instance,
    InstanceStatus,
    Organization,
    Position,
    Role,
    Sop,
    SopVersion,
    User,
    VersionStatus,
    WorkItem,
    WorkItemStatus,
)
from storage.models.organization import user_position
from web.usecases.analysis.simulation import (
    DEFAULT_RATE,
    MONTH_FACTOR,
    RATES,
    REDESIGNED,
    WEEKDAY_FACTOR,
    without_paraf,
)
from web.usecases.context import SYSTEM, Actor, Context
from web.usecases.dashboard import drill as dashboard_drill
from web.usecases.dashboard import overview as dashboard
from web.usecases.dashboard import summaries, summary_reads
from web.usecases.dashboard import versions as dashboard_versions
from web.usecases.dashboard import workload as dashboard_workload
from web.usecases.dashboard.views import Filters
from web.usecases.demo import seed_organization
from web.usecases.library import sops
from web.usecases.organization.calendars import calendar_of
from web.usecases.pagination import PageRequest
from web.usecases.scope import managed_units

EXACT_PASS_LIMIT = 10**12  # more values than any period holds: the exact path always
DEFAULT_LIMIT = summary_reads.EXACT_LIMIT
ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
DAYS = 365
CHUNK = 10_000
OVERVIEW_MS, SOP_PAGE_MS = 1000, 300
# Paths: a later activity is skipped (a branch not taken), a request is rejected after a
# step, a step sends the request back one activity (rework, at most once), a request is
# withdrawn while a step is open.
SKIP, REJECT, REWORK, CANCEL = 0.12, 0.03, 0.05, 0.005
# A request forgotten on someone's desk: one of its steps waits this many times longer.
STALL, STALL_FACTOR = 0.03, 40.0
# The backlog now: of the requests started in the last BACKLOG_DAYS, this share is still
# waiting on a step (about 2% of all requests); some of those steps are claimed.
BACKLOG, BACKLOG_DAYS, BACKLOG_CLAIMED = 0.16, 45, 0.3
STUCK = 90 * 86400  # office seconds: far beyond now
# Office time: waiting is a share of the standard (times a per-activity slowness, so some
# activities are bottlenecks), handling follows the simulation's minutes of real work.
WAIT_SHARE, WAIT_SIGMA, HANDLE_SIGMA = 0.25, 0.9, 0.7
REDESIGN_SPEEDUP = 0.75  # the redesigned version's steps wait less
EXPLAINED = 3  # statements explained per query that misses its target
# What this benchmark proposes (--proposed-indexes): the period scans lead with the status
# they filter on (SQLite otherwise picks the status-only scheduler indexes and reads every
# completed row), and cover the columns the dashboard reads, so no table row is visited.
PROPOSED_INDEXES = {
    "bx_work_item_done": "work_item (status, completed_at, sop_id, due_at, breached_at, "
    "position_id, completed_by_id, unit_id, handle_office_seconds)",
    "bx_instance_done": "instance (status, ended_at, sop_id, due_at, cycle_seconds, "
    "cycle_office_seconds, standard_office_seconds)",
    "bx_work_item_sop_ready": "work_item (sop_id, ready_at, status, activity_id, position_id, "
    "unit_id, due_at, breached_at, wait_office_seconds, handle_office_seconds, "
    "standard_office_seconds)",
}

INSTANCE_COLUMNS = [
    "id",
    "reference",
    "sop_version_id",
    "sop_id",
    "status",
    "data",
    "state",
    "serializer_version",
    "version",
    "due_at",
    "at_risk_at",
    "started_at",
    "started_by_id",
    "ended_at",
    "cycle_seconds",
    "cycle_office_seconds",
    "standard_office_seconds",
]
ITEM_COLUMNS = [
    "id",
    "instance_id",
    "sop_id",
    "sop_version_id",
    "task_id",
    "activity_id",
    "activity_name",
    "lane",
    "position_id",
    "unit_id",
    "status",
    "ready_at",
    "due_at",
    "at_risk_at",
    "breached_at",
    "claimed_at",
    "claimed_by_id",
    "completed_at",
    "completed_by_id",
    "standard_office_seconds",
    "wait_seconds",
    "wait_office_seconds",
    "handle_seconds",
    "handle_office_seconds",
]


# --- The organization and the SOP library --------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One activity of one SOP version, as the generator needs it."""

    activity_id: str
    name: str
    lane: str | None
    position_id: int
    unit_id: int
    activity: Activity
    wait_median: float  # office seconds
    handle_median: float


@dataclass(frozen=True)
class Version:
    id: int
    number: int
    sop_id: int
    key: str
    prefix: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Library:
    versions: dict[str, tuple[Version, ...]]  # SOP key -> versions, oldest first
    holders: dict[int, tuple[int, ...]]  # position id -> active users holding it
    redesigned_at: datetime

    def signature(self) -> tuple:
        """What the generated rows depend on: equal in every database, or the rows differ."""
        return (
            sorted(
                (v.key, v.id, v.sop_id, [(s.activity_id, s.position_id) for s in v.steps])
                for versions in self.versions.values()
                for v in versions
            ),
            sorted(self.holders.items()),
        )


def setup(url: str, now: datetime) -> tuple[Engine, Context, WorkingCalendar]:
    """Migrate, seed the demo organization, load the library and redesign one SOP."""
    migrate.upgrade(url)
    engine = make_engine(url)
    ctx = Context(make_session_factory(engine))
    year_ago = now - timedelta(days=DAYS + 1)
    seed_organization(
        dataclasses.replace(ctx, clock=lambda: year_ago),
        PROCESSES / "demo_organization.json",
        "bench",
    )
    loaded = sops.load_processes(dataclasses.replace(ctx, clock=lambda: year_ago), PROCESSES)
    refused = [r.file for r in loaded if r.outcome not in ("published", "unchanged")]
    assert not refused, f"SOP files not published: {refused}"
    halfway = dataclasses.replace(ctx, clock=lambda: now - timedelta(days=DAYS // 2))
    xml = sops.get_version_bpmn(halfway, SYSTEM, REDESIGNED, 1)
    version = sops.upload_version(halfway, SYSTEM, without_paraf(xml).encode("utf-8"))
    sops.publish_version(halfway, SYSTEM, REDESIGNED, version.number)
    with ctx.transaction() as session:
        organization = session.scalars(select(Organization).order_by(Organization.id)).first()
        calendar = calendar_of(ctx, organization)
    return engine, ctx, calendar


def read_library(ctx: Context, seed: int) -> Library:
    rng = random.Random(seed)
    with ctx.transaction() as session:
        positions = {
            code: (pid, unit_id)
            for pid, code, unit_id in session.execute(
                select(Position.id, Position.code, Position.unit_id)
            )
        }
        holders: dict[int, list[int]] = {}
        for position_id, user_id in session.execute(
            select(user_position.c.position_id, user_position.c.user_id)
            .join(User, User.id == user_position.c.user_id)
            .where(User.is_active.is_(True))
            .order_by(user_position.c.position_id, user_position.c.user_id)
        ):
            holders.setdefault(position_id, []).append(user_id)
        versions: dict[str, list[Version]] = {}
        redesigned_at = None
        rows = session.scalars(
            select(SopVersion)
            .where(SopVersion.status.in_([VersionStatus.PUBLISHED, VersionStatus.RETIRED]))
            .order_by(SopVersion.sop_id, SopVersion.number)
        ).all()
        slowness: dict[tuple[str, str], float] = {}
        for version in rows:
            sop = session.get(Sop, version.sop_id)
            steps = []
            for data in version.sop_metadata["activities"]:
                activity = Activity.from_dict(data)
                position_id, unit_id = positions[activity.position_code]
                standard = activity.time_standard
                minutes = standard.total_minutes_estimate if standard else 30
                slow = slowness.setdefault((sop.key, activity.id), rng.lognormvariate(0, 0.5))
                if version.number > 1:
                    slow *= REDESIGN_SPEEDUP
                steps.append(
                    Step(
                        activity.id,
                        activity.name,
                        activity.lane_id,
                        position_id,
                        unit_id,
                        activity,
                        wait_median=max(120.0, WAIT_SHARE * minutes * 60 * slow),
                        handle_median=min(max(minutes * 0.35, 3.0), 60.0) * 60,
                    )
                )
            versions.setdefault(sop.key, []).append(
                Version(
                    version.id, version.number, sop.id, sop.key, sop.reference_prefix, tuple(steps)
                )
            )
            if version.number > 1:
                redesigned_at = version.published_at
    assert redesigned_at is not None, "the redesigned SOP has no second version"
    return Library(
        {key: tuple(found) for key, found in versions.items()},
        {pid: tuple(users) for pid, users in holders.items()},
        redesigned_at,
    )


# --- The rows ------------------------------------------------------------------------------


@dataclass
class Data:
    instances: list[tuple]
    items: list[tuple]
    items_per_sop: Counter
    statuses: Counter
    seconds: float


def _path(rng: random.Random, steps: Sequence[Step]) -> list[Step]:
    path, reworked, index = [], False, 0
    while index < len(steps):
        if index and rng.random() < SKIP:
            index += 1
            continue
        path.append(steps[index])
        if rng.random() < REJECT:
            break
        if index and not reworked and rng.random() < REWORK:
            reworked = True
            index -= 1
            continue
        index += 1
    return path


def generate(library: Library, calendar: WorkingCalendar, target: int, now: datetime, seed: int):
    """About ``target`` work items: requests over the last year, oldest first."""
    began = time.perf_counter()
    rng = random.Random(seed)
    zone = calendar.zone
    today = now.astimezone(zone).date()
    days = [
        day
        for day in (today - timedelta(days=offset) for offset in range(DAYS, -1, -1))
        if calendar.is_working_day(day)
    ]
    day_weights = list(
        accumulate(
            MONTH_FACTOR.get(d.month, 1.0) * WEEKDAY_FACTOR.get(d.weekday(), 1.0) for d in days
        )
    )
    keys = sorted(library.versions)
    sop_weights = list(accumulate(RATES.get(key, DEFAULT_RATE) for key in keys))
    # Requests needed: a pilot of paths gives the mean number of steps per request.
    pilot = [
        len(_path(rng, library.versions[key][0].steps))
        for key in rng.choices(keys, cum_weights=sop_weights, k=5000)
    ]
    # Some requests are still open or were cancelled: fewer steps than planned.
    count = round(target / statistics.fmean(pilot) * 1.025)
    starts = []
    for day in rng.choices(days, cum_weights=day_weights, k=count):
        opens, closes = calendar.hours[day.weekday()]
        first = datetime.combine(day, opens, zone)
        length = (datetime.combine(day, closes, zone) - first).total_seconds()
        moment = (first + timedelta(seconds=rng.uniform(0, length))).astimezone(UTC)
        if moment < now:
            starts.append(moment)
    starts.sort()

    instances: list[tuple] = []
    items: list[tuple] = []
    per_sop: Counter = Counter()
    statuses: Counter = Counter()
    numbers: Counter = Counter()
    for started in starts:
        key = rng.choices(keys, cum_weights=sop_weights)[0]
        versions = library.versions[key]
        version = versions[-1] if started >= library.redesigned_at else versions[0]
        path = _path(rng, version.steps)
        cancel_at = rng.randrange(len(path)) if rng.random() < CANCEL else None
        stall_at = rng.randrange(len(path)) if rng.random() < STALL else None
        recent = started > now - timedelta(days=BACKLOG_DAYS)
        stuck_at = rng.randrange(len(path)) if recent and rng.random() < BACKLOG else None
        instance_id = len(instances) + 1
        year = started.astimezone(zone).year
        numbers[(key, year)] += 1
        reference = f"{version.prefix}-{year}-{numbers[(key, year)]:05d}"
        ready, status, ended = started, InstanceStatus.COMPLETED, None
        standard_total = cycle_office = 0
        starter = rng.choice(library.holders[path[0].position_id])
        for index, step in enumerate(path):
            standard = step.activity.time_standard
            due = calendar.add(ready, standard) if standard else None
            standard_office = (
                round(calendar.working_time(ready, due).total_seconds()) if due else None
            )
            standard_total += standard_office or 0
            at_risk = ready + (due - ready) * 0.8 if due else None
            wait = round(rng.lognormvariate(math.log(step.wait_median), WAIT_SIGMA))
            handle = max(30, round(rng.lognormvariate(math.log(step.handle_median), HANDLE_SIGMA)))
            if index == stall_at:
                wait = round(wait * STALL_FACTOR)
            if index == stuck_at:
                if rng.random() < BACKLOG_CLAIMED:
                    handle = STUCK
                else:
                    wait = STUCK
            claimed = calendar.add_working_time(ready, timedelta(seconds=wait))
            completed = calendar.add_working_time(claimed, timedelta(seconds=handle))
            officer = rng.choice(library.holders[step.position_id])
            if index == cancel_at and claimed < now:
                state, end = WorkItemStatus.CANCELLED, claimed
            elif completed < now:
                state, end = WorkItemStatus.COMPLETED, completed
            else:
                state = WorkItemStatus.CLAIMED if claimed < now else WorkItemStatus.OPEN
                end = now
            done = state == WorkItemStatus.COMPLETED
            taken = done or state == WorkItemStatus.CLAIMED
            items.append(
                (
                    len(items) + 1,
                    instance_id,
                    version.sop_id,
                    version.id,
                    f"bench-{len(items) + 1:012d}",
                    step.activity_id,
                    step.name,
                    step.lane,
                    step.position_id,
                    step.unit_id,
                    state.value,
                    ready,
                    due,
                    at_risk,
                    due if due is not None and end > due else None,  # breached_at
                    claimed if taken else None,
                    officer if taken else None,
                    completed if done else None,
                    officer if done else None,
                    standard_office,
                    round((claimed - ready).total_seconds()) if done else None,
                    wait if done else None,
                    round((completed - claimed).total_seconds()) if done else None,
                    handle if done else None,
                )
            )
            per_sop[key] += 1
            if state == WorkItemStatus.CANCELLED:
                status, ended = InstanceStatus.CANCELLED, claimed
                break
            if not done:
                status = InstanceStatus.RUNNING
                break
            cycle_office += wait + handle
            ready = ended = completed
        due_at = calendar.add_working_time(started, timedelta(seconds=standard_total))
        finished = status == InstanceStatus.COMPLETED
        statuses[status.value] += 1
        instances.append(
            (
                instance_id,
                reference,
                version.id,
                version.sop_id,
                status.value,
                {},
                "{}",
                "bench",
                1,
                due_at if standard_total else None,
                started + (due_at - started) * 0.8 if standard_total else None,
                started,
                starter,
                None if status == InstanceStatus.RUNNING else ended,
                round((ended - started).total_seconds()) if finished else None,
                cycle_office if finished else None,
                standard_total if finished else None,
            )
        )
    return Data(instances, items, per_sop, statuses, time.perf_counter() - began)


def load(engine: Engine, data: Data) -> float:
    """Insert the rows in one transaction, in chunks; returns the seconds it took."""
    began = time.perf_counter()
    with engine.begin() as connection:
        for table, columns, rows in (
            (Instance.__table__, INSTANCE_COLUMNS, data.instances),
            (WorkItem.__table__, ITEM_COLUMNS, data.items),
        ):
            for offset in range(0, len(rows), CHUNK):
                chunk = [
                    dict(zip(columns, row, strict=True)) for row in rows[offset : offset + CHUNK]
                ]
                connection.execute(insert(table), chunk)
        if engine.dialect.name == "postgresql":
            for table in ("instance", "work_item"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    return time.perf_counter() - began


def analyze(engine: Engine) -> float:
    """What an operator runs after a bulk load (PostgreSQL: with the VACUUM autovacuum would
    start during the measurements anyway, which also sets the visibility map)."""
    began = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("VACUUM (ANALYZE)")
        else:
            connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - began


# --- The measurements ----------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    label: str
    actor: str
    target_ms: float | None
    call: Callable[[], object]


@dataclass
class Timing:
    first_ms: float
    median_ms: float
    statements: list[tuple[float, str, Any]]  # (ms, SQL, parameters) of one run, slowest first


class Recorder:
    """The SQL statements an engine runs while recording, each with the time until the next
    one starts (or the recording ends): executing, fetching and using its rows."""

    def __init__(self, engine: Engine):
        self.on = False
        self.statements: list[tuple[float, str, Any]] = []
        self._open: tuple[float, str, Any] | None = None
        event.listen(engine, "before_cursor_execute", self._before)

    def _close(self) -> None:
        if self._open is not None:
            began, statement, parameters = self._open
            self.statements.append(((time.perf_counter() - began) * 1000, statement, parameters))
            self._open = None

    def _before(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        if self.on:
            self._close()
            self._open = (time.perf_counter(), statement, parameters)

    @contextmanager
    def recording(self) -> Iterator[list[tuple[float, str, Any]]]:
        self.statements, self.on = [], True
        try:
            yield self.statements
        finally:
            self._close()
            self.on = False


def measure(query: Query, runs: int, recorder: Recorder) -> Timing:
    def once() -> float:
        began = time.perf_counter()
        query.call()
        return (time.perf_counter() - began) * 1000

    first = once()
    times = [once() for _ in range(runs)]
    with recorder.recording() as statements:
        query.call()
    return Timing(first, statistics.median(times), sorted(statements, key=lambda s: -s[0]))


def _actor(ctx: Context, username: str) -> Actor:
    with ctx.transaction() as session:
        return Actor.of(session.scalars(select(User).where(User.username == username)).one())


def pick_manager(ctx: Context, library: Library, key: str) -> Actor:
    """The manager with the narrowest scope that still covers the SOP's first step."""
    unit_id = library.versions[key][0].steps[0].unit_id
    with ctx.transaction() as session:
        managers = session.scalars(
            select(User).where(User.role == Role.MANAGER).order_by(User.username)
        ).all()
        scopes = [(managed_units(session, Actor.of(user)) or set(), user) for user in managers]
        covering = [(len(scope), user.username, user) for scope, user in scopes if unit_id in scope]
        return Actor.of(min(covering, key=lambda found: found[:2])[2])


def queries(ctx: Context, library: Library, busiest: str, manager: Actor) -> list[Query]:
    analyst = _actor(ctx, "ratna")
    busiest_id = library.versions[busiest][0].sop_id
    redesigned_id = library.versions[REDESIGNED][0].sop_id
    found = []
    for actor in (analyst, manager):
        who = f"{actor.role.value} {actor.username}"
        last_90 = dashboard.filters_from_args(ctx, actor, {})
        year = Filters(last_90.end - timedelta(days=DAYS - 1), last_90.end)
        page = PageRequest(1, 25)

        def bind(function: Callable, *args: Any, actor: Actor = actor) -> Callable[[], object]:
            return lambda: function(ctx, actor, *args)

        found += [
            Query("overview, 90 days", who, OVERVIEW_MS, bind(dashboard.overview, last_90)),
            Query("overview, 12 months", who, OVERVIEW_MS, bind(dashboard.overview, year)),
            Query(
                f"sop_detail {busiest}, 90 days",
                who,
                SOP_PAGE_MS,
                bind(dashboard.sop_detail, busiest_id, last_90),
            ),
            Query(
                f"sop_detail {busiest}, 12 months",
                who,
                SOP_PAGE_MS,
                bind(dashboard.sop_detail, busiest_id, year),
            ),
            Query("workload, 90 days", who, None, bind(dashboard_workload.workload, last_90)),
            Query(
                f"compare_versions {REDESIGNED}",
                who,
                None,
                bind(dashboard_versions.compare_versions, redesigned_id, last_90),
            ),
            Query(
                "requests_behind completed, page 1",
                who,
                None,
                bind(dashboard_drill.requests_behind, "completed", last_90, page),
            ),
        ]
    return found


def explain(engine: Engine, statement: str, parameters: Any) -> list[str]:
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        connection.rollback()
    if postgres:
        return [row[0] for row in rows]
    depth: dict[int, int] = {0: 0}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * depth[node] + detail)
    return lines


# --- The run -------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    timings: dict[tuple[str, str], Timing]
    plans: list[str]  # of the slowest statements of the queries that missed their target


def add_proposed_indexes(engine: Engine) -> float:
    """The indexes this benchmark proposes (see PROPOSED_INDEXES), then ANALYZE again."""
    began = time.perf_counter()
    with engine.begin() as connection:
        for name, columns in PROPOSED_INDEXES.items():
            connection.exec_driver_sql(f"CREATE INDEX {name} ON {columns}")
    return time.perf_counter() - began + analyze(engine)


def force_custom_plans(engine: Engine) -> None:
    """PostgreSQL plans every execution for its parameters, never a generic plan.

    psycopg prepares a statement on its 6th execution on a connection, and after 5 more the
    server may switch to a generic plan, blind to the period and the units asked for.
    """

    @event.listens_for(engine, "connect")
    def _custom(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()  # or the pool's rollback would undo the SET


def plans(engine: Engine, name: str, found: list[Query], timings: dict) -> list[str]:
    lines = []
    for query in found:
        timing = timings[(query.label, query.actor)]
        if query.target_ms is None or timing.median_ms <= query.target_ms:
            continue
        lines.append(f"\n=== {name}: {query.label} ({query.actor}), {timing.median_ms:.0f} ms")
        for elapsed, statement, parameters in timing.statements[:EXPLAINED]:
            sql = " ".join(statement.split())
            shown = sql if len(sql) <= 700 else sql[:500] + " ... " + sql[-200:]
            lines.append(f"--- {elapsed:.0f} ms: {shown}")
            lines.append(f"    parameters: {str(parameters)[:300]}")
            lines += ["    " + line for line in explain(engine, statement, parameters)]
    return lines


def run_database(
    label: str, url: str, args: argparse.Namespace, now: datetime, shared: dict[str, Any]
) -> list[Result]:
    began = time.perf_counter()
    engine, ctx, calendar = setup(url, now)
    library = read_library(ctx, args.seed)
    if "data" not in shared:
        shared["library"] = library.signature()
        shared["data"] = data = generate(library, calendar, args.work_items, now, args.seed)
        statuses = ", ".join(f"{n:,} {status}" for status, n in sorted(data.statuses.items()))
        print(
            f"Generated {len(data.items):,} work items of {len(data.instances):,} requests "
            f"({statuses}) in {data.seconds:.1f} s"
        )
    assert shared["library"] == library.signature(), f"{label}: another library than before"
    data = shared["data"]
    inserted = load(engine, data)
    summarising = time.perf_counter()
    summary_rows = summaries.rebuild(ctx)
    summarised = time.perf_counter() - summarising
    analyzed = analyze(engine)
    with engine.connect() as connection:
        counts = [
            connection.scalar(query)
            for query in (
                select(func.count()).select_from(Instance),
                select(func.count()).select_from(WorkItem),
                select(func.count()).where(WorkItem.status.in_(["open", "claimed"])),
                select(func.count()).where(WorkItem.breached_at.is_not(None)),
            )
        ]
    print(
        f"{label}: set up and inserted in {time.perf_counter() - began - analyzed:.1f} s "
        f"(inserts {inserted:.1f} s, summaries {summarised:.1f} s: {summary_rows:,} rows), "
        f"ANALYZE {analyzed:.1f} s; {counts[0]:,} requests, "
        f"{counts[1]:,} work items ({counts[2]:,} open or claimed, {counts[3]:,} breached)"
    )
    busiest = data.items_per_sop.most_common(1)[0][0]
    manager = pick_manager(ctx, library, busiest)
    found = queries(ctx, library, busiest, manager)
    shared.setdefault("queries", [(q.label, q.actor, q.target_ms) for q in found])
    recorder = Recorder(engine)
    passes = [label]
    if args.exact:
        passes.append(f"{label} exact")
    if args.proposed_indexes:
        passes.append(f"{label}+ix")
    if args.custom_plans and engine.dialect.name == "postgresql":
        passes.append(f"{passes[-1]}+cp")
    results = []
    for name in passes:
        if name.endswith("+ix"):
            seconds = add_proposed_indexes(engine)
            print(f"{name}: proposed indexes built and analyzed in {seconds:.1f} s")
        elif name.endswith("+cp"):
            force_custom_plans(engine)
        # The exact pass never reads the histograms: every percentile sorts the work items.
        summary_reads.EXACT_LIMIT = EXACT_PASS_LIMIT if name.endswith(" exact") else DEFAULT_LIMIT
        engine.dispose()  # every pass starts on new connections, nothing prepared yet
        measuring = time.perf_counter()
        timings = {(q.label, q.actor): measure(q, args.runs, recorder) for q in found}
        load_now = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"{name}: measured in {time.perf_counter() - measuring:.0f} s "
            f"(load average now {load_now})"
        )
        explained = plans(engine, name, found, timings) if args.explain else []
        results.append(Result(name, timings, explained))
    engine.dispose()
    return results


def report(results: list[Result], found: list[tuple[str, str, float | None]], runs: int) -> None:
    print(f"\nDashboard use cases, ms: median of {runs} runs (first run in brackets)")
    width = max(len(label) for label, _, _ in found)
    print(
        f"{'query':<{width}} {'actor':<16}"
        + "".join(f" {result.label:>17}" for result in results)
        + f" {'target':>7}  met"
    )
    for label, actor, target in found:
        cells, misses = "", []
        for result in results:
            timing = result.timings[(label, actor)]
            cells += f" {timing.median_ms:7.0f} ({timing.first_ms:6.0f})"
            if target is not None and timing.median_ms > target:
                misses.append(result.label)
        goal = "-" if target is None else f"< {target:.0f}"
        verdict = "" if target is None else "no: " + ", ".join(misses) if misses else "yes"
        print(f"{label:<{width}} {actor:<16}{cells} {goal:>7}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-items", type=int, default=1_000_000, help="about this many")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server URL (a throw-away database is created on it)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--exact",
        action="store_true",
        help="then measure again without the summaries' histograms (exact percentiles)",
    )
    parser.add_argument(
        "--proposed-indexes",
        action="store_true",
        help="then add the indexes this benchmark proposes and measure again",
    )
    parser.add_argument(
        "--custom-plans",
        action="store_true",
        help="then, on PostgreSQL, measure again with plan_cache_mode = force_custom_plan",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the plans of the slowest statements of each query missing its target",
    )
    parser.add_argument(
        "--keep", type=Path, help="keep the databases: the SQLite file in this folder"
    )
    args = parser.parse_args()
    began = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    wanted = [name.strip() for name in args.databases.split(",") if name.strip()]
    for name in wanted:
        if name not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {name!r}")
    shared: dict[str, Any] = {}
    results: list[Result] = []
    drops: list[Callable[[], None]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            if "sqlite" in wanted:
                where = args.keep or Path(folder)
                where.mkdir(parents=True, exist_ok=True)
                url = f"sqlite:///{where / 'dashboard.sqlite'}"
                results += run_database("SQLite", url, args, now, shared)
            if "postgresql" in wanted:
                try:
                    url, drop = postgres_database(args.postgres)
                except Exception as exc:
                    print(f"PostgreSQL skipped: {exc}")
                else:
                    if args.keep:
                        print(f"PostgreSQL database kept: {url}")
                    else:
                        drops.append(drop)
                    results += run_database("PostgreSQL", url, args, now, shared)
            if results:
                report(results, shared["queries"], args.runs)
                for result in results:
                    for line in result.plans:
                        print(line)
    finally:
        for drop in drops:
            drop()
    print(f"\nTotal run time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
