"""The dashboard's SQL for one SOP's page: per activity, counts, breaches and duration spreads.

Built on the windows and spreads of storage.repositories.dashboard, so it runs unchanged on
SQLite and PostgreSQL.
"""

from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from storage.models import Position, WorkItem, WorkItemStatus
from storage.repositories.dashboard import OPEN, Window, spreads, within


def activity_condition(window: Window) -> list[ColumnElement[bool]]:
    """Steps of the window's SOP that became ready in the period and were not withdrawn."""
    return [
        within(WorkItem.ready_at, window.start, window.end),
        WorkItem.status != WorkItemStatus.CANCELLED,
        *window.items(),
    ]


def activities(session: Session, window: Window) -> dict[str, dict[str, Any]]:
    """Per activity id: counts, breaches, office time spent, and the duration spreads."""
    conditions = activity_condition(window)
    is_open = case((WorkItem.status.in_(OPEN), 1), else_=0)
    is_done = case((WorkItem.status == WorkItemStatus.COMPLETED, 1), else_=0)
    breached = case((WorkItem.breached_at.is_not(None), 1), else_=0)
    spent = WorkItem.wait_office_seconds + WorkItem.handle_office_seconds
    rows = session.execute(
        select(
            WorkItem.activity_id,
            func.max(WorkItem.activity_name),
            func.max(WorkItem.lane),
            func.count(),
            func.sum(is_done),
            func.sum(is_open),
            func.count(WorkItem.due_at),
            func.sum(breached),
            func.sum(spent),
        )
        .where(*conditions)
        .group_by(WorkItem.activity_id)
    )
    result: dict[str, dict[str, Any]] = {}
    for activity, name, lane, items, done, open_, measured, late, total in rows:
        result[activity] = {
            "name": name,
            "lane": lane,
            "items": items,
            "completed": int(done or 0),
            "open": int(open_ or 0),
            "measured": measured,
            "breached": int(late or 0),
            "spent": int(total or 0),
            "positions": [],
        }
    for (activity,), figures in spreads(
        session,
        [WorkItem.activity_id],
        {
            "wait_office": WorkItem.wait_office_seconds,
            "handle_office": WorkItem.handle_office_seconds,
            "duration_office": spent,
            "standard_office": WorkItem.standard_office_seconds,
        },
        conditions,
    ).items():
        result[activity].update(figures)
    for activity, code in session.execute(
        select(WorkItem.activity_id, Position.code)
        .join(Position, Position.id == WorkItem.position_id)
        .where(*conditions)
        .group_by(WorkItem.activity_id, Position.code)
        .order_by(Position.code)
    ):
        result[activity]["positions"].append(code)
    return result
