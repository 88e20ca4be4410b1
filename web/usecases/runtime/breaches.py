"""Noticing steps that breach their time standard, or are about to, exactly once each.

The scheduler calls :func:`record_breaches` and :func:`warn_at_risk` every tick; a completion
past the due time notices its own breach (:func:`notice_late_completion`) if the scheduler has
not yet. Either way the step's ``breached_at`` is set by one conditional UPDATE, and only the
transaction whose UPDATE changed the row records ``work_item_breached``.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import ReminderKind, WorkItem
from storage.repositories import sla as repo
from web.usecases.context import SYSTEM, Actor, Context
from web.usecases.runtime import outbox
from web.usecases.runtime.progress import record

BATCH = 200
# A bound on batches per call, so one tick always ends; the next tick takes the rest.
MAX_BATCHES = 50


def _breach_event(
    session: Session, ctx: Context, actor: Actor | None, item: WorkItem, noticed_by: str
) -> None:
    record(
        session,
        ctx,
        actor,
        "work_item_breached",
        instance=item.instance,
        work_item=item,
        activity=item.activity_id,
        activity_name=item.activity_name,
        position=item.position.code,
        due_at=item.due_at.isoformat() if item.due_at else None,
        noticed_by=noticed_by,
    )


def record_breaches(ctx: Context, batch: int = BATCH) -> int:
    """Record every open step past its due time not yet recorded; returns how many.

    Each is recorded once: ``breached_at``, a ``work_item_breached`` event and a reminder to
    its position, in one transaction per batch.
    """
    total = 0
    for _ in range(MAX_BATCHES):
        with ctx.transaction() as session:
            now = ctx.clock()
            candidates = repo.lock_breach_candidates(session, now, batch)
            marked = repo.mark_breached(session, candidates, now)
            for item in repo.work_items(session, marked):
                _breach_event(session, ctx, SYSTEM, item, "scheduler")
                outbox.queue(session, ctx, ReminderKind.BREACHED, item, breached_at=now.isoformat())
        total += len(marked)
        if len(candidates) < batch:
            break
    return total


def warn_at_risk(ctx: Context, batch: int = BATCH) -> int:
    """Queue a reminder for every open step that has used 80% of its standard; once each."""
    total = 0
    for _ in range(MAX_BATCHES):
        with ctx.transaction() as session:
            now = ctx.clock()
            candidates = repo.lock_warning_candidates(session, now, batch)
            marked = repo.mark_warned(session, candidates, now)
            for item in repo.work_items(session, marked):
                record(
                    session,
                    ctx,
                    SYSTEM,
                    "work_item_warned",
                    instance=item.instance,
                    work_item=item,
                    activity=item.activity_id,
                    position=item.position.code,
                    due_at=item.due_at.isoformat() if item.due_at else None,
                )
                outbox.queue(session, ctx, ReminderKind.AT_RISK, item)
        total += len(marked)
        if len(candidates) < batch:
            break
    return total


def notice_late_completion(
    session: Session, ctx: Context, actor: Actor, item: WorkItem, now: datetime
) -> None:
    """Inside a completion: record the step's breach if it is late and nobody recorded it yet.

    No reminder is queued: the step is done.
    """
    if item.due_at is None or item.breached_at is not None or now <= item.due_at:
        return
    if repo.mark_breached(session, [item.id], now, open_only=False):
        _breach_event(session, ctx, actor, item, "completion")
    # Whoever marked it, show the time that is stored.
    session.refresh(item, ["breached_at"])
