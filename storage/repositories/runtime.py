"""Lookups and locks of instances, work items and events."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.orm import Session, undefer

from storage.models import (
    OPEN_STATUSES,
    Event,
    Instance,
    InstanceStatus,
    ReferenceCounter,
    Sop,
    SopVersion,
    WorkItem,
    WorkItemStatus,
)


def next_reference_number(session: Session, sop_id: int, year: int) -> int:
    """Hand out the next number of ``sop_id`` in ``year``; the row lock serializes starters."""
    counter = session.scalar(
        select(ReferenceCounter)
        .where(ReferenceCounter.sop_id == sop_id, ReferenceCounter.year == year)
        .with_for_update()
    )
    if counter is None:
        counter = ReferenceCounter(sop_id=sop_id, year=year, last_number=0)
        session.add(counter)
    counter.last_number += 1
    session.flush()
    return counter.last_number


def lock_instance(session: Session, instance_id: int) -> Instance | None:
    """The instance with its state, locked until the transaction ends.

    PostgreSQL locks the row; SQLite's writers already hold the database lock (BEGIN IMMEDIATE).
    """
    return session.scalar(
        select(Instance)
        .where(Instance.id == instance_id)
        .options(undefer(Instance.state))
        .with_for_update(of=Instance)
    )


def lock_instance_of_work_item(session: Session, item_id: int) -> Instance | None:
    """Like :func:`lock_instance`, found by one of its work items, in one round trip."""
    owner = select(WorkItem.instance_id).where(WorkItem.id == item_id).scalar_subquery()
    return session.scalar(
        select(Instance)
        .where(Instance.id == owner)
        .options(undefer(Instance.state))
        .with_for_update(of=Instance)
    )


def instance(session: Session, instance_id: int) -> Instance | None:
    return session.get(Instance, instance_id)


def instance_by_reference(session: Session, reference: str) -> Instance | None:
    return session.scalar(select(Instance).where(Instance.reference == reference))


def work_item(session: Session, item_id: int) -> WorkItem | None:
    return session.get(WorkItem, item_id)


def work_items_of(session: Session, instance_id: int) -> list[WorkItem]:
    return list(
        session.scalars(
            select(WorkItem)
            .where(WorkItem.instance_id == instance_id)
            .order_by(WorkItem.ready_at, WorkItem.id)
        )
    )


def open_work_items_of(session: Session, instance_id: int) -> list[WorkItem]:
    return list(
        session.scalars(
            select(WorkItem).where(
                WorkItem.instance_id == instance_id, WorkItem.status.in_(OPEN_STATUSES)
            )
        )
    )


def events_of(session: Session, instance_id: int) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(Event.instance_id == instance_id)
            .order_by(Event.occurred_at, Event.id)
        )
    )


def inbox_query(
    user_id: int, position_ids: Sequence[int], sop_key: str | None = None
) -> Select[tuple[WorkItem]]:
    """Items claimed by the user, then open items of their positions; overdue first, then due."""
    mine = WorkItem.claimed_by_id == user_id
    waiting = (WorkItem.status == WorkItemStatus.OPEN) & WorkItem.position_id.in_(position_ids)
    query = (
        select(WorkItem)
        .where(((WorkItem.status == WorkItemStatus.CLAIMED) & mine) | waiting)
        .order_by(case((mine, 0), else_=1), WorkItem.due_at.is_(None), WorkItem.due_at, WorkItem.id)
    )
    if sop_key:
        query = (
            query.join(Instance, Instance.id == WorkItem.instance_id)
            .join(SopVersion, SopVersion.id == Instance.sop_version_id)
            .join(Sop, Sop.id == SopVersion.sop_id)
            .where(Sop.key == sop_key)
        )
    return query


def instances_query(
    sop_key: str | None = None,
    status: InstanceStatus | None = None,
    unit_ids: Sequence[int] | None = None,
) -> Select[tuple[Instance]]:
    query = (
        select(Instance)
        .join(SopVersion, SopVersion.id == Instance.sop_version_id)
        .join(Sop, Sop.id == SopVersion.sop_id)
        .order_by(Instance.started_at.desc(), Instance.id.desc())
    )
    if sop_key:
        query = query.where(Sop.key == sop_key)
    if status:
        query = query.where(Instance.status == status)
    if unit_ids is not None:
        touched = select(WorkItem.instance_id).where(WorkItem.unit_id.in_(unit_ids))
        query = query.where(Instance.id.in_(touched))
    return query


def page(session: Session, query: Select, offset: int, limit: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(session.scalars(query.offset(offset).limit(limit)))
    return rows, int(total or 0)


def due_instance_ids(session: Session, now: datetime, limit: int = 100) -> list[int]:
    return list(
        session.scalars(
            select(Instance.id)
            .where(Instance.status == InstanceStatus.RUNNING, Instance.next_wake_at <= now)
            .order_by(Instance.next_wake_at)
            .limit(limit)
        )
    )


def claim_if_open(session: Session, item_id: int, user_id: int, now: datetime) -> bool:
    """Claim atomically: exactly one of several concurrent claimers sees True."""
    result = session.execute(
        update(WorkItem)
        .where(WorkItem.id == item_id, WorkItem.status == WorkItemStatus.OPEN)
        .values(status=WorkItemStatus.CLAIMED, claimed_by_id=user_id, claimed_at=now)
    )
    return result.rowcount == 1
