"""Waking requests whose BPMN timers are due (boundary escalations, intermediate waits).

Each request is woken in its own transaction holding its row lock, the same lock a completion
takes, so a timer and a completion of the same step never interleave: whichever takes the
lock first wins and the other sees its result. If the completion wins, the step is done and
its boundary timer is withdrawn with it; if the timer wins, an interrupting timer withdraws
the step and the officer gets a Conflict saying so (see web.usecases.runtime.work_items).
"""

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import EngineError
from storage.models import Instance, ReminderKind, WorkItem, WorkItemStatus
from storage.repositories import runtime as repo
from web.usecases.context import SYSTEM, Context
from web.usecases.runtime import outbox
from web.usecases.runtime.progress import record, restore, save_progress

# Requests woken per call at most, so that a tick ends; the next tick takes the rest.
BATCH = 500
# An instance whose wake-up failed unexpectedly (a bug, a broken state) is retried this late,
# so it cannot keep the scheduler from the others.
RETRY_AFTER = timedelta(minutes=5)
log = logging.getLogger(__name__)


def _step(item: WorkItem) -> dict[str, Any]:
    return {
        "work_item": item.id,
        "activity": item.activity_id,
        "name": item.activity_name,
        "position": item.position.code if item.position else None,
    }


def _wake(session: Session, ctx: Context, instance: Instance) -> bool:
    """Fire the due timers of a locked instance; True when one fired."""
    now = ctx.clock()
    execution = restore(ctx, instance)
    due = [timer for timer in execution.pending_timers() if timer.due_at < now]
    if not due:
        # A stale wake-up time (nothing to fire): correct it and move on.
        instance.next_wake_at = execution.next_timer_at()
        return False
    before = repo.open_work_items_of(session, instance.id)
    try:
        execution.advance()
    except EngineError as exc:
        record(session, ctx, SYSTEM, "timer_failed", instance=instance, error=str(exc))
        instance.next_wake_at = None
        return False
    opened = save_progress(session, ctx, SYSTEM, instance, execution, cause="timer")
    session.flush()
    timers = [timer.as_dict() for timer in due]
    for item in opened:
        outbox.queue(session, ctx, ReminderKind.ESCALATION, item, timers=timers)
    record(
        session,
        ctx,
        SYSTEM,
        "timer_fired",
        instance=instance,
        timers=timers,
        opened=[_step(item) for item in opened],
        withdrawn=[_step(item) for item in before if item.status == WorkItemStatus.CANCELLED],
    )
    return True


def _postpone(ctx: Context, instance_id: int, error: Exception) -> None:
    with ctx.transaction() as session:
        instance = repo.lock_instance(session, instance_id)
        if instance is not None:
            instance.next_wake_at = ctx.clock() + RETRY_AFTER
            record(
                session,
                ctx,
                SYSTEM,
                "timer_failed",
                instance=instance,
                error=f"{type(error).__name__}: {error}",
                retry_at=instance.next_wake_at.isoformat(),
            )


def fire_due_timers(ctx: Context, limit: int | None = None) -> int:
    """Wake up to ``limit`` (default :data:`BATCH`) due requests; returns how many fired.

    Safe with several schedulers and with officers at work: a request someone else holds is
    skipped (it is still due on the next tick if nothing moved it), and every request is
    re-checked under its lock before it is woken, so each timer fires once.
    """
    limit = BATCH if limit is None else limit
    fired = 0
    passed: list[int] = []
    while len(passed) < limit:
        current = None
        try:
            with ctx.transaction() as session:
                instance = repo.lock_next_due_instance(session, ctx.clock(), passed)
                if instance is None:
                    break
                current = instance.id
                passed.append(current)
                fired += int(_wake(session, ctx, instance))
        except Exception as exc:
            if current is None:
                raise
            log.exception("waking request %s failed; retrying in %s", current, RETRY_AFTER)
            _postpone(ctx, current, exc)
    return fired
