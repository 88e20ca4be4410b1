"""The dashboard's SQL for the workload page: steps completed and handle time per position
and per officer, the open inboxes and who holds each position.
"""

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from storage.models import User, WorkItem, WorkItemStatus
from storage.models.organization import user_position
from storage.repositories.dashboard import OPEN, Window, steps_completed_condition


def _load(session: Session, window: Window, group: Any) -> dict[Any, dict[str, int]]:
    breached = case((WorkItem.breached_at.is_not(None), 1), else_=0)
    measured = case((WorkItem.due_at.is_not(None), 1), else_=0)
    rows = session.execute(
        select(
            group,
            func.count(),
            func.sum(WorkItem.handle_office_seconds),
            func.sum(measured),
            func.sum(breached),
        )
        .where(steps_completed_condition(window), *window.items())
        .group_by(group)
    )
    return {
        key: {
            "completed": count,
            "handled": int(handled or 0),
            "measured": int(with_due or 0),
            "breached": int(late or 0),
        }
        for key, count, handled, with_due, late in rows
    }


def held_intervals(session: Session, window: Window) -> list[tuple]:
    """(position, officer, claimed_at, completed_at, handle office seconds) of the steps
    completed in the window, by officer and claim time: what busy time is merged from."""
    query = (
        select(
            WorkItem.position_id,
            WorkItem.completed_by_id,
            WorkItem.claimed_at,
            WorkItem.completed_at,
            WorkItem.handle_office_seconds,
        )
        .where(steps_completed_condition(window), *window.items())
        .order_by(WorkItem.completed_by_id, WorkItem.claimed_at)
    )
    return [tuple(row) for row in session.execute(query)]


def load_per_position(session: Session, window: Window) -> dict[int, dict[str, int]]:
    return _load(session, window, WorkItem.position_id)


def load_per_officer(session: Session, window: Window) -> dict[int, dict[str, int]]:
    return _load(session, window, WorkItem.completed_by_id)


def open_per_position(session: Session, window: Window) -> dict[int, int]:
    """Steps open now per position (the inbox), in the window's SOP, version and units."""
    query = (
        select(WorkItem.position_id, func.count())
        .where(WorkItem.status.in_(OPEN), *window.items())
        .group_by(WorkItem.position_id)
    )
    return {key: count for key, count in session.execute(query)}


def claimed_per_officer(session: Session, window: Window) -> dict[int, int]:
    query = (
        select(WorkItem.claimed_by_id, func.count())
        .where(WorkItem.status == WorkItemStatus.CLAIMED, *window.items())
        .group_by(WorkItem.claimed_by_id)
    )
    return {key: count for key, count in session.execute(query)}


def holders_per_position(session: Session) -> dict[int, int]:
    query = (
        select(user_position.c.position_id, func.count())
        .join(User, User.id == user_position.c.user_id)
        .where(User.is_active.is_(True))
        .group_by(user_position.c.position_id)
    )
    return {key: count for key, count in session.execute(query)}
