"""The dashboard benchmark's timed cases: the use cases the pages call, as an analyst and as a
manager, timed with the SQL statements they run, and the plans of the slowest ones
(bench/dashboard.py).
"""

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event, select

from bench.dashboard_library import DAYS, Library
from storage.models import Role, User
from web.usecases.analysis.simulation import REDESIGNED
from web.usecases.context import Actor, Context
from web.usecases.dashboard import drill as dashboard_drill
from web.usecases.dashboard import overview as dashboard
from web.usecases.dashboard import versions as dashboard_versions
from web.usecases.dashboard import workload as dashboard_workload
from web.usecases.dashboard.views import Filters
from web.usecases.pagination import PageRequest
from web.usecases.scope import managed_units

OVERVIEW_MS, SOP_PAGE_MS = 1000, 300
EXPLAINED = 3  # statements explained per query that misses its target


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
