"""Waking requests whose BPMN timers are due (boundary escalations, waits)."""

from engine.errors import EngineError
from storage.models import InstanceStatus
from storage.repositories import runtime as repo
from web.usecases.context import SYSTEM, Context
from web.usecases.progress import record, restore, save_progress


def fire_due_timers(ctx: Context, limit: int = 100) -> int:
    """Run every request whose next timer is due; each in its own transaction. Returns how many.

    Safe with several schedulers: each request is locked and re-checked before it is woken, so
    a timer fires once however many processes look at it.
    """
    with ctx.transaction() as session:
        due = repo.due_instance_ids(session, ctx.clock(), limit)
    fired = 0
    for instance_id in due:
        with ctx.transaction() as session:
            instance = repo.lock_instance(session, instance_id)
            now = ctx.clock()
            if (
                instance is None
                or instance.status != InstanceStatus.RUNNING
                or instance.next_wake_at is None
                or instance.next_wake_at > now
            ):
                continue
            execution = restore(ctx, instance)
            try:
                execution.advance()
            except EngineError as exc:
                record(session, ctx, SYSTEM, "timer_failed", instance=instance, error=str(exc))
                instance.next_wake_at = None
                continue
            opened = save_progress(session, ctx, SYSTEM, instance, execution)
            record(
                session,
                ctx,
                SYSTEM,
                "timer_fired",
                instance=instance,
                opened=[item.activity_id for item in opened],
            )
            fired += 1
    return fired
