"""The scheduler's scans of open steps: breaches and at-risk warnings, each marked once.

Marking is a conditional UPDATE (``... WHERE breached_at IS NULL``): of several transactions
marking the same step, exactly one changes the row, and only that one records the event.
Candidates are locked FOR NO KEY UPDATE SKIP LOCKED on PostgreSQL, so two schedulers split
the steps between them and neither waits behind a completion that holds a step; the events
and reminders written next only take FOR KEY SHARE on the request, which a completion's
FOR NO KEY UPDATE allows, so a scheduler never waits for a completion and cannot deadlock
with one.
"""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import OPEN_STATUSES, WorkItem


def lock_breach_candidates(session: Session, now: datetime, limit: int) -> list[int]:
    """Open steps past their due time whose breach is not yet recorded, locked."""
    return list(
        session.scalars(
            select(WorkItem.id)
            .where(
                WorkItem.status.in_(OPEN_STATUSES),
                WorkItem.breached_at.is_(None),
                WorkItem.due_at < now,
            )
            .order_by(WorkItem.due_at, WorkItem.id)
            .limit(limit)
            .with_for_update(skip_locked=True, key_share=True)
        )
    )


def mark_breached(
    session: Session, item_ids: Collection[int], now: datetime, open_only: bool = True
) -> list[int]:
    """Set ``breached_at`` on those of ``item_ids`` not yet marked; returns the ids changed."""
    if not item_ids:
        return []
    conditions = [WorkItem.id.in_(item_ids), WorkItem.breached_at.is_(None)]
    if open_only:
        conditions.append(WorkItem.status.in_(OPEN_STATUSES))
    result = session.execute(
        update(WorkItem)
        .where(*conditions)
        .values(breached_at=now)
        .returning(WorkItem.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars())


def lock_warning_candidates(session: Session, now: datetime, limit: int) -> list[int]:
    """Open steps at risk (and not yet due) whose warning is not yet queued, locked."""
    return list(
        session.scalars(
            select(WorkItem.id)
            .where(
                WorkItem.status.in_(OPEN_STATUSES),
                WorkItem.warned_at.is_(None),
                WorkItem.at_risk_at <= now,
                WorkItem.due_at >= now,
            )
            .order_by(WorkItem.at_risk_at, WorkItem.id)
            .limit(limit)
            .with_for_update(skip_locked=True, key_share=True)
        )
    )


def mark_warned(session: Session, item_ids: Collection[int], now: datetime) -> list[int]:
    """Set ``warned_at`` on those of ``item_ids`` not yet warned; returns the ids changed."""
    if not item_ids:
        return []
    result = session.execute(
        update(WorkItem)
        .where(
            WorkItem.id.in_(item_ids),
            WorkItem.warned_at.is_(None),
            WorkItem.status.in_(OPEN_STATUSES),
        )
        .values(warned_at=now)
        .returning(WorkItem.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars())


def work_items(session: Session, item_ids: Collection[int]) -> list[WorkItem]:
    return list(
        session.scalars(select(WorkItem).where(WorkItem.id.in_(item_ids)).order_by(WorkItem.id))
    )
