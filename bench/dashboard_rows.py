"""The dashboard benchmark's rows: a year of requests and their work items generated in Python
(the same rows for every database), bulk-inserted, then ANALYZEd (bench/dashboard.py).
"""

import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from sqlalchemy import Engine, insert, text

from bench.dashboard_library import DAYS, Library, Step
from engine.calendar import WorkingCalendar
from storage.models import Instance, InstanceStatus, WorkItem, WorkItemStatus
from web.usecases.analysis.simulation import DEFAULT_RATE, MONTH_FACTOR, RATES, WEEKDAY_FACTOR

CHUNK = 10_000
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
# The spreads of waiting and handling around their medians (dashboard_library).
WAIT_SIGMA, HANDLE_SIGMA = 0.9, 0.7

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
