"""Per-day summaries of completed steps and requests, so the dashboard does not sort a year.

A completed step or request never changes again, so the transaction that completes it adds
it to its day's rows (``step_completed``, ``request_completed``): StepDay (by ready day, per
activity, with a histogram of its durations), StepDoneDay (by completion day: compliance) and
RequestDay (by end day, with a histogram of cycle times). ``rebuild`` recomputes them all from
the work items and requests; ``ensure`` (run by ``alur db upgrade``) rebuilds when they do not
add up.

The pages read them through web.usecases.dashboard.summary_reads.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage.models import Instance, RequestDay, StepDay, StepDoneDay, WorkItem
from storage.repositories import summaries as repo
from web.usecases.context import Context
from web.usecases.dashboard import histogram
from web.usecases.organization.calendars import calendar_of, first_organization

REBUILD_BATCH = 5000


def summary_zone(session: Session, ctx: Context) -> ZoneInfo:
    """The dashboard's time zone (its periods are local days): the organization's calendar's.

    Looked up once per transaction: a completion asks for it for the step and the request.
    """
    zone = session.info.get("alur_summary_zone")
    if zone is None:
        organization = first_organization(session)
        zone = ZoneInfo("UTC") if organization is None else calendar_of(ctx, organization).zone
        session.info["alur_summary_zone"] = zone
    return zone


def _step_measures(wait: int | None, handle: int | None, standard: int | None) -> list:
    spent = None if wait is None or handle is None else wait + handle
    return [wait, handle, spent, standard]


def _on_time(ended: datetime, due: datetime | None) -> int:
    return int(due is not None and ended <= due)


def _units_key(unit_ids: list[int]) -> str:
    return " " + " ".join(str(unit_id) for unit_id in sorted(set(unit_ids))) + " "


# --- Keeping them current ----------------------------------------------------------------------


def step_completed(session: Session, ctx: Context, item: WorkItem) -> None:
    """Add a step that was just completed (its durations stored) to its days' rows."""
    if item.sop_id is None or item.sop_version_id is None or item.completed_at is None:
        return
    zone = summary_zone(session, ctx)
    values = _step_measures(
        item.wait_office_seconds, item.handle_office_seconds, item.standard_office_seconds
    )
    day = repo.lock_row(
        session,
        StepDay,
        {
            "sop_id": item.sop_id,
            "day": item.ready_at.astimezone(zone).date(),
            "sop_version_id": item.sop_version_id,
            "activity_id": item.activity_id,
            "unit_id": item.unit_id,
            "position_id": item.position_id,
        },
        {"activity_name": item.activity_name, "lane": item.lane, "completed": 0, "measured": 0}
        | {"breached": 0, "spent": 0, "histogram": b""},
    )
    day.completed += 1
    day.measured += item.due_at is not None
    day.breached += item.breached_at is not None
    day.spent += values[2] or 0
    day.histogram = histogram.encode(histogram.decode(day.histogram) + histogram.row_counts(values))
    day.activity_name, day.lane = item.activity_name, item.lane
    done = repo.lock_row(
        session,
        StepDoneDay,
        {
            "sop_id": item.sop_id,
            "day": item.completed_at.astimezone(zone).date(),
            "sop_version_id": item.sop_version_id,
            "unit_id": item.unit_id,
        },
        {"completed": 0, "measured": 0, "on_time": 0},
    )
    done.completed += 1
    done.measured += item.due_at is not None
    done.on_time += _on_time(item.completed_at, item.due_at)


def request_completed(session: Session, ctx: Context, instance: Instance) -> None:
    """Add a request that was just completed (its cycle times stored) to its day's row."""
    if instance.sop_id is None or instance.ended_at is None:
        return
    row = repo.lock_row(
        session,
        RequestDay,
        {
            "sop_id": instance.sop_id,
            "day": instance.ended_at.astimezone(summary_zone(session, ctx)).date(),
            "sop_version_id": instance.sop_version_id,
            "units": _units_key(repo.units_of(session, instance.id)),
        },
        {"completed": 0, "measured": 0, "on_time": 0, "histogram": b""},
    )
    row.completed += 1
    row.measured += instance.due_at is not None
    row.on_time += _on_time(instance.ended_at, instance.due_at)
    values = [
        instance.cycle_seconds,
        instance.cycle_office_seconds,
        instance.standard_office_seconds,
    ]
    row.histogram = histogram.encode(histogram.decode(row.histogram) + histogram.row_counts(values))


# --- Rebuilding --------------------------------------------------------------------------------


@dataclass
class _Totals:
    """One summary row being rebuilt: counters by column name and histogram counts."""

    fixed: dict[str, Any]
    counters: dict[str, int] = field(default_factory=dict)
    counts: dict[int, int] | None = None

    def add(self, values: list | None = None, **increments: int) -> None:
        for name, amount in increments.items():
            self.counters[name] = self.counters.get(name, 0) + amount
        if values is not None:
            counts = self.counts = self.counts if self.counts is not None else {}
            for measure, value in enumerate(values):
                if value is not None:
                    bucket = histogram.key(measure, value)
                    counts[bucket] = counts.get(bucket, 0) + 1

    def row(self, key: tuple, model: Any) -> dict[str, Any]:
        row = dict(zip(repo.KEYS[model], key, strict=True)) | self.fixed | self.counters
        if self.counts is not None:
            row["histogram"] = histogram.encode(self.counts)
        return row


def _rows(model: Any, found: dict[tuple, _Totals]) -> Iterator[dict[str, Any]]:
    return (totals.row(key, model) for key, totals in found.items())


def _summarise_steps(session: Session, zone: ZoneInfo, progress: Callable | None) -> tuple:
    ready: dict[tuple, _Totals] = {}
    done: dict[tuple, _Totals] = {}
    seen = 0
    for batch in repo.completed_steps(session, REBUILD_BATCH):
        for row in batch:
            (sop_id, ready_at, completed_at, version_id, activity, unit_id, position_id) = row[:7]
            name, lane, due_at, breached_at, wait, handle, standard = row[7:]
            key = (sop_id, ready_at.astimezone(zone).date(), version_id, activity, unit_id)
            key += (position_id,)
            if key not in ready:
                ready[key] = _Totals({"activity_name": name, "lane": lane})
            values = _step_measures(wait, handle, standard)
            ready[key].add(
                values,
                completed=1,
                measured=due_at is not None,
                breached=breached_at is not None,
                spent=values[2] or 0,
            )
            key = (sop_id, completed_at.astimezone(zone).date(), version_id, unit_id)
            if key not in done:
                done[key] = _Totals({})
            done[key].add(
                completed=1,
                measured=due_at is not None,
                on_time=_on_time(completed_at, due_at),
            )
        seen += len(batch)
        if progress:
            progress(seen)
    return ready, done, seen


def _summarise_requests(
    session: Session, zone: ZoneInfo, progress: Callable | None, seen: int
) -> dict[tuple, _Totals]:
    units: dict[int, list[int]] = {}
    for batch in repo.request_units(session, REBUILD_BATCH):
        for instance_id, unit_id in batch:
            units.setdefault(instance_id, []).append(unit_id)
    found: dict[tuple, _Totals] = {}
    for batch in repo.completed_requests(session, REBUILD_BATCH):
        for instance_id, sop_id, ended_at, version_id, due_at, *cycles in batch:
            key = (sop_id, ended_at.astimezone(zone).date(), version_id)
            key += (_units_key(units.get(instance_id, [])),)
            if key not in found:
                found[key] = _Totals({})
            found[key].add(
                cycles,
                completed=1,
                measured=due_at is not None,
                on_time=_on_time(ended_at, due_at),
            )
        seen += len(batch)
        if progress:
            progress(seen)
    return found


def rebuild(ctx: Context, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every summary row from the completed steps and requests, in one transaction.

    ``progress`` is called with the number of steps and requests read so far (steps first).
    Returns the rows written.
    """
    with ctx.transaction() as session:
        zone = summary_zone(session, ctx)
        ready, done, seen = _summarise_steps(session, zone, progress)
        requests = _summarise_requests(session, zone, progress, seen)
        return (
            repo.replace_all(session, StepDay, _rows(StepDay, ready))
            + repo.replace_all(session, StepDoneDay, _rows(StepDoneDay, done))
            + repo.replace_all(session, RequestDay, _rows(RequestDay, requests))
        )


def stale(ctx: Context) -> tuple[bool, int]:
    """Whether the summaries do not add up to the completed steps and requests (every table
    counted apart), and how many completed steps and requests there are."""
    with ctx.reading() as session:
        step_days, done_days, steps, request_days, requests = repo.totals(session)
    return (step_days, done_days, request_days) != (steps, steps, requests), steps + requests


def ensure(ctx: Context, progress: Callable[[int], None] | None = None) -> int | None:
    """Rebuild when the summaries do not add up (after the upgrade that added them, or rows
    imported by hand). Returns the rows written, or None when they were current. A change of
    time zone is not detected: ``rebuild`` then."""
    if not stale(ctx)[0]:
        return None
    return rebuild(ctx, progress)
