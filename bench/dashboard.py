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

The library it seeds is set up in bench/dashboard_library.py, the rows generated and loaded in
bench/dashboard_rows.py, the timed cases in bench/dashboard_cases.py; this script runs the
passes and prints the report.

Usage: python bench/dashboard.py [--work-items N] [--databases sqlite,postgresql]
           [--postgres URL] [--runs 5] [--exact] [--proposed-indexes] [--custom-plans] [--explain]
           [--keep DIR]
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event, func, select

from bench.dashboard_cases import Recorder, Timing, measure, pick_manager, plans, queries
from bench.dashboard_library import read_library, setup
from bench.dashboard_rows import analyze, generate, load
from bench.databases import postgres_database
from storage.models import Instance, WorkItem
from web.usecases.dashboard import summaries, summary_reads

EXACT_PASS_LIMIT = 10**12  # more values than any period holds: the exact path always
DEFAULT_LIMIT = summary_reads.EXACT_LIMIT
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
