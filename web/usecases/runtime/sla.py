"""Service level of steps and requests: states for the API and the pages, and request deadlines.

A step's state compares the clock with its stored ``at_risk_at`` and ``due_at`` (see
:mod:`engine.sla`). A request (instance) is measured the same way against its own time
standard: the sum, in working time, of the standards of the steps opened on its path so far
(steps withdrawn by a timer or a cancellation excluded), counted in working time from the
moment it started. Steps that run in parallel each add their standard, and time spent waiting
on a BPMN timer counts against the request, so the request's state says how its total time
compares with what its steps promised, not which step is late.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from engine.calendar import WorkingCalendar
from engine.sla import AT_RISK_SHARE, SlaState, sla_state
from storage.models import Instance, InstanceStatus, WorkItem, WorkItemStatus

__all__ = ["SlaState", "extend_instance_deadline", "instance_sla", "work_item_sla"]


def work_item_sla(item: WorkItem, now: datetime) -> SlaState | None:
    """On time, at risk or breached at ``now``; once completed, whether it was late.

    None for a withdrawn step and for a step without a time standard.
    """
    if item.status == WorkItemStatus.CANCELLED:
        return None
    finished = item.completed_at if item.status == WorkItemStatus.COMPLETED else None
    return sla_state(now, item.due_at, item.at_risk_at, finished)


def instance_sla(instance: Instance, now: datetime) -> SlaState | None:
    """Like :func:`work_item_sla`, for a request against the sum of its steps' standards."""
    if instance.status == InstanceStatus.CANCELLED:
        return None
    finished = instance.ended_at if instance.status == InstanceStatus.COMPLETED else None
    return sla_state(now, instance.due_at, instance.at_risk_at, finished)


def extend_instance_deadline(
    calendar: WorkingCalendar,
    instance: Instance,
    opened: Sequence[WorkItem],
    withdrawn: Sequence[WorkItem] = (),
) -> None:
    """Move the request's ``due_at`` and ``at_risk_at`` by the steps just opened or withdrawn.

    The request's time standard so far is read back from its stored due time (working time
    is exact both ways), so no other step needs loading. ``calendar`` is that of the
    organization of its steps.
    """
    budget = timedelta(0)
    if instance.due_at is not None:
        budget = calendar.working_time(instance.started_at, instance.due_at)
    for item in opened:
        if item.due_at is not None:
            budget += calendar.working_time(item.ready_at, item.due_at)
    for item in withdrawn:
        if item.due_at is not None:
            budget -= calendar.working_time(item.ready_at, item.due_at)
    if budget <= timedelta(0):
        instance.due_at = instance.at_risk_at = None
        return
    instance.due_at = calendar.add_working_time(instance.started_at, budget)
    instance.at_risk_at = calendar.add_working_time(instance.started_at, budget * AT_RISK_SHARE)
