"""What every state change of an instance shares: loading the engine, saving, and the audit log.

After the engine moves, :func:`save_progress` writes the new state and makes the work items
match the engine's READY human steps: new steps open items (with their due time from mutu
baku in working time), steps the engine withdrew (timer, cancel) close theirs.
"""

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy.orm import Session

from engine.runtime import Execution, Process
from engine.sla import at_risk_moment
from engine.time_standard import TimeStandard
from storage.models import (
    Event,
    Instance,
    InstanceStatus,
    SopVersion,
    WorkItem,
    WorkItemStatus,
)
from storage.repositories import organization as org_repo
from storage.repositories import runtime as repo
from web.usecases.context import Actor, Context
from web.usecases.dashboard import summaries
from web.usecases.errors import Conflict, message
from web.usecases.organization.calendars import calendar_of_instance, calendar_of_unit
from web.usecases.runtime import durations
from web.usecases.runtime.sla import extend_instance_deadline

POSITION_MISSING = message(
    "position_missing",
    "Step '{activity}' needs position {position}, which no longer exists; an administrator "
    "must restore it.",
)

_PROCESSES: dict[tuple[str, bool], Process] = {}


def process_of(version: SopVersion, allow_scripts: bool) -> Process:
    """The runnable process of a version; versions never change, so it is built once."""
    key = (version.bpmn_sha256, allow_scripts)
    process = _PROCESSES.get(key)
    if process is None:
        process = Process.from_stored(version.sop_metadata, version.spec_json, allow_scripts)
        _PROCESSES[key] = process
    return process


class _ExecutionCache:
    """Executions kept in memory between steps, keyed by the exact state text they dump to.

    Keyed by content, an entry can never be stale: a state written by another process is a
    different key. Entries are taken out while in use, so no two threads share a workflow.
    """

    def __init__(self, size: int = 256):
        self._size = size
        self._items: OrderedDict[str, Execution] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, state: str) -> Execution | None:
        with self._lock:
            return self._items.pop(state, None)

    def put(self, state: str, execution: Execution) -> None:
        with self._lock:
            self._items[state] = execution
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_EXECUTIONS = _ExecutionCache()


def restore(ctx: Context, instance: Instance) -> Execution:
    """The instance's execution: from memory when its state is cached, else deserialized."""
    execution = _EXECUTIONS.take(instance.state)
    if execution is not None:
        execution.now = ctx.clock
        return execution
    process = process_of(instance.sop_version, ctx.engine_options.allow_script_tasks)
    return Execution.restore(process, instance.state, instance.serializer_version, ctx.clock)


def put_back(instance: Instance, execution: Execution) -> None:
    """Return an execution that was only read, unchanged, to the cache."""
    _EXECUTIONS.put(instance.state, execution)


def record(
    session: Session,
    ctx: Context,
    actor: Actor | None,
    type_: str,
    *,
    instance: Instance | None = None,
    work_item: WorkItem | None = None,
    **payload: Any,
) -> None:
    """Append an audit event in the caller's transaction."""
    session.add(
        Event(
            type=type_,
            occurred_at=ctx.clock(),
            actor_id=actor.user_id if actor else None,
            instance=instance,
            work_item=work_item,
            payload=payload,
        )
    )


def save_progress(
    session: Session,
    ctx: Context,
    actor: Actor | None,
    instance: Instance,
    execution: Execution,
    cause: str | None = None,
) -> list[WorkItem]:
    """Write the engine's state to ``instance`` and open/close work items; returns new items.

    ``cause`` (e.g. "timer") is noted on the events of the steps opened and withdrawn.
    """
    now = ctx.clock()
    because = {"cause": cause} if cause else {}
    withdrawn = []
    ready = {step.task_id: step for step in execution.ready_steps()}
    for item in repo.open_work_items_of(session, instance.id):
        if item.task_id not in ready:
            item.status = WorkItemStatus.CANCELLED
            item.completed_at = now
            record(
                session,
                ctx,
                actor,
                "work_item_withdrawn",
                instance=instance,
                work_item=item,
                activity=item.activity_id,
                **because,
            )
            withdrawn.append(item)
        else:
            del ready[item.task_id]
    positions = org_repo.positions_by_codes(
        session, [s.activity.position_code for s in ready.values() if s.activity.position_code]
    )
    opened = []
    for task_id, step in ready.items():
        position = positions.get(step.activity.position_code or "")
        if position is None:
            raise Conflict(
                POSITION_MISSING,
                {"activity": step.activity.id, "position": step.activity.position_code},
                activity=step.activity.name,
                position=step.activity.position_code,
            )
        standard: TimeStandard | None = step.activity.time_standard
        calendar = calendar_of_unit(session, ctx, position.unit_id)
        due = at_risk = None
        if standard:
            due = calendar.add(now, standard)
            at_risk = at_risk_moment(calendar, now, due)
        item = WorkItem(
            instance=instance,
            sop_id=instance.sop_id,
            sop_version_id=instance.sop_version_id,
            task_id=task_id,
            activity_id=step.activity.id,
            activity_name=step.activity.name,
            lane=step.activity.lane_id,
            position_id=position.id,
            unit_id=position.unit_id,
            status=WorkItemStatus.OPEN,
            ready_at=now,
            due_at=due,
            at_risk_at=at_risk,
        )
        durations.step_opened(calendar, item)
        session.add(item)
        record(
            session,
            ctx,
            actor,
            "work_item_opened",
            instance=instance,
            work_item=item,
            activity=step.activity.id,
            position=position.code,
            due_at=due.isoformat() if due else None,
            **because,
        )
        opened.append(item)
    # The instance changes last, so that its state and deadline go out in one UPDATE.
    instance.state, instance.serializer_version = execution.dump()
    _EXECUTIONS.put(instance.state, execution)
    instance.next_wake_at = execution.next_timer_at()
    changed = [item for item in (*opened, *withdrawn) if item.due_at is not None]
    if changed:
        calendar = calendar_of_unit(session, ctx, changed[0].unit_id)
        extend_instance_deadline(calendar, instance, opened, withdrawn)
    if execution.is_completed and instance.status == InstanceStatus.RUNNING:
        instance.status = InstanceStatus.COMPLETED
        instance.ended_at = now
        instance.next_wake_at = None
        durations.request_completed(calendar_of_instance(session, ctx, instance), instance)
        summaries.request_completed(session, ctx, instance)
        record(
            session,
            ctx,
            actor,
            "instance_completed",
            instance=instance,
            outcome=execution.reached_ends(),
        )
    return opened
