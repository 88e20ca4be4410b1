"""The durations the dashboard aggregates, written once when a step or a request ends.

Office time needs the organization's working calendar (Python), so it cannot be computed by
the dashboard's SQL; it is computed here, at the moment the step or request ends, and stored
next to the calendar time. The dashboard then only sums, counts and ranks stored integers.
"""

from datetime import datetime

from sqlalchemy import or_, select

from engine.calendar import WorkingCalendar
from storage.models import Instance, InstanceStatus, WorkItem, WorkItemStatus
from web.usecases.context import Context
from web.usecases.organization.calendars import calendar_of_instance, calendar_of_unit

BACKFILL_BATCH = 2000


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds()))


def _office(calendar: WorkingCalendar, start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return round(calendar.working_time(start, end).total_seconds())


def step_opened(calendar: WorkingCalendar, item: WorkItem) -> None:
    """Store the step's time standard in office time (from its ready and due times)."""
    item.standard_office_seconds = _office(calendar, item.ready_at, item.due_at)


def step_completed(calendar: WorkingCalendar, item: WorkItem) -> None:
    """Store waiting (ready -> claimed) and handling (claimed -> completed) time."""
    item.wait_seconds = _seconds(item.ready_at, item.claimed_at)
    item.wait_office_seconds = _office(calendar, item.ready_at, item.claimed_at)
    item.handle_seconds = _seconds(item.claimed_at, item.completed_at)
    item.handle_office_seconds = _office(calendar, item.claimed_at, item.completed_at)


def request_completed(calendar: WorkingCalendar, instance: Instance) -> None:
    """Store the request's cycle time and its time standard (started_at -> due_at)."""
    instance.cycle_seconds = _seconds(instance.started_at, instance.ended_at)
    instance.cycle_office_seconds = _office(calendar, instance.started_at, instance.ended_at)
    instance.standard_office_seconds = _office(calendar, instance.started_at, instance.due_at)


def backfill(ctx: Context) -> int:
    """Fill the durations of steps and requests that ended before they were recorded.

    Idempotent: only rows that lack them are touched, in batches by id. Returns how many.
    """
    done = 0
    for model, wanted in (
        (
            WorkItem,
            or_(
                (WorkItem.status == WorkItemStatus.COMPLETED) & WorkItem.handle_seconds.is_(None),
                WorkItem.due_at.is_not(None) & WorkItem.standard_office_seconds.is_(None),
            ),
        ),
        (
            Instance,
            (Instance.status == InstanceStatus.COMPLETED) & Instance.cycle_seconds.is_(None),
        ),
    ):
        last_id = 0
        while True:
            with ctx.transaction() as session:
                rows = session.scalars(
                    select(model)
                    .where(wanted, model.id > last_id)
                    .order_by(model.id)
                    .limit(BACKFILL_BATCH)
                ).all()
                if not rows:
                    break
                for row in rows:
                    # Each row by the calendar the live code uses for it.
                    if isinstance(row, Instance):
                        request_completed(calendar_of_instance(session, ctx, row), row)
                        continue
                    calendar = calendar_of_unit(session, ctx, row.unit_id)
                    step_opened(calendar, row)
                    if row.status == WorkItemStatus.COMPLETED:
                        step_completed(calendar, row)
                last_id = rows[-1].id
                done += len(rows)
    return done
