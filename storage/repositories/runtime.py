"""Lookups and locks of instances, work items and events."""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session, lazyload, undefer
from sqlalchemy.orm.attributes import set_committed_value

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

    PostgreSQL locks the row FOR NO KEY UPDATE: lockers exclude each other, but rows that
    merely reference the instance (events, work items, reminders: their foreign key check
    takes FOR KEY SHARE) can still be written by others meanwhile. A plain FOR UPDATE would
    make such a writer wait, and deadlock when the lock holder then waits for a row that
    writer holds (a scheduler recording a breach of a step being completed). SQLite's writers
    already hold the database lock (BEGIN IMMEDIATE).
    """
    return session.scalar(
        select(Instance)
        .where(Instance.id == instance_id)
        .options(undefer(Instance.state))
        .with_for_update(of=Instance, key_share=True)
        # What the caller checks must be what the lock holds, even if it read the row before.
        .execution_options(populate_existing=True)
    )


def lock_instance_of_work_item(session: Session, item_id: int) -> Instance | None:
    """Like :func:`lock_instance`, found by one of its work items, in one round trip."""
    owner = select(WorkItem.instance_id).where(WorkItem.id == item_id).scalar_subquery()
    return session.scalar(
        select(Instance)
        .where(Instance.id == owner)
        .options(undefer(Instance.state))
        .with_for_update(of=Instance, key_share=True)
        .execution_options(populate_existing=True)
    )


def lock_work_item(session: Session, item_id: int) -> WorkItem | None:
    """The work item as it is once its instance is locked (see :func:`lock_instance`).

    Every change of a work item's state holds its instance's lock, so the item read here
    cannot change until the transaction ends. It is read again even if the session had it:
    a copy read before the lock may be stale. Its instance is the one just locked, taken from
    the session rather than joined again: a joined copy read with ``populate_existing`` would
    forget the state just read with the lock, and the caller would read it a second time.
    """
    instance = lock_instance_of_work_item(session, item_id)
    if instance is None:
        return None
    item = session.scalar(
        select(WorkItem)
        .where(WorkItem.id == item_id)
        .options(lazyload(WorkItem.instance))
        .execution_options(populate_existing=True)
    )
    if item is not None:
        set_committed_value(item, "instance", instance)  # the locked row, without a change
    return item


def instance(session: Session, instance_id: int) -> Instance | None:
    return session.get(Instance, instance_id)


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
    """The open items of an instance the caller holds: their ``instance`` is not joined again
    (it resolves to the caller's row in the session), a cost every state change would pay."""
    return list(
        session.scalars(
            select(WorkItem)
            .where(WorkItem.instance_id == instance_id, WorkItem.status.in_(OPEN_STATUSES))
            .options(lazyload(WorkItem.instance))
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
    user_id: int,
    position_ids: Sequence[int],
    sop_key: str | None = None,
    overdue_at: datetime | None = None,
) -> Select[tuple[WorkItem]]:
    """Items claimed by the user, then open items of their positions; overdue first, then due.

    With ``overdue_at``, only the items whose due time is before that instant.
    """
    mine = WorkItem.claimed_by_id == user_id
    waiting = (WorkItem.status == WorkItemStatus.OPEN) & WorkItem.position_id.in_(position_ids)
    query = (
        select(WorkItem)
        .where(((WorkItem.status == WorkItemStatus.CLAIMED) & mine) | waiting)
        .order_by(case((mine, 0), else_=1), WorkItem.due_at.is_(None), WorkItem.due_at, WorkItem.id)
    )
    if overdue_at is not None:
        query = query.where(WorkItem.due_at < overdue_at)
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
    visible: ColumnElement[bool] | None = None,
    overdue_at: datetime | None = None,
    reference: str | None = None,
) -> Select[tuple[Instance]]:
    """Requests, newest first; with ``visible``, only those it holds for (the reader's scope);
    with ``overdue_at``, only running ones past their own due time; with ``reference``, those
    whose reference starts with it (case-insensitive)."""
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
    if visible is not None:
        query = query.where(visible)
    if overdue_at is not None:
        query = query.where(Instance.status == InstanceStatus.RUNNING, Instance.due_at < overdue_at)
    if reference:
        query = query.where(Instance.reference.startswith(reference.upper(), autoescape=True))
    return query


def page(session: Session, query: Select, offset: int, limit: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(session.scalars(query.offset(offset).limit(limit)))
    return rows, int(total or 0)


def lock_next_due_instance(
    session: Session, now: datetime, passed: Collection[int] = ()
) -> Instance | None:
    """The running instance whose timer is due the earliest, locked; None when there is none.

    Instances another transaction holds (a scheduler, an officer completing a step) are
    skipped, not waited for (PostgreSQL's SKIP LOCKED): several schedulers share the work and
    none stalls behind a completion. SQLite has one writer at a time (BEGIN IMMEDIATE), so
    nothing is ever locked there. ``passed`` are ids this caller already handled.
    """
    query = (
        select(Instance.id)
        # Strictly past, as SpiffWorkflow fires a timer only once the clock is past it.
        .where(Instance.status == InstanceStatus.RUNNING, Instance.next_wake_at < now)
        .order_by(Instance.next_wake_at, Instance.id)
        .limit(1)
        .with_for_update(skip_locked=True, key_share=True)
    )
    if passed:
        query = query.where(Instance.id.not_in(passed))
    found = session.scalar(query)
    return None if found is None else lock_instance(session, found)


def last_event_of_work_item(session: Session, item_id: int, type_: str) -> Event | None:
    return session.scalar(
        select(Event)
        .where(Event.work_item_id == item_id, Event.type == type_)
        .order_by(Event.id.desc())
        .limit(1)
    )


def claimed_items(
    session: Session, user_id: int, position_ids: Sequence[int] | None = None
) -> list[WorkItem]:
    """Steps ``user_id`` has claimed and not completed (only of ``position_ids`` when given)."""
    query = select(WorkItem).where(
        WorkItem.claimed_by_id == user_id, WorkItem.status == WorkItemStatus.CLAIMED
    )
    if position_ids is not None:
        query = query.where(WorkItem.position_id.in_(position_ids))
    return list(session.scalars(query.order_by(WorkItem.id)))


def inbox_counts(
    session: Session,
    user_id: int,
    position_ids: Sequence[int],
    now: datetime,
    sop_key: str | None = None,
) -> tuple[int, int, int]:
    """Of the inbox (see :func:`inbox_query`): claimed by the user, open, and overdue."""
    items = inbox_query(user_id, position_ids, sop_key).order_by(None).subquery()
    claimed, waiting, overdue = session.execute(
        select(
            func.count().filter(items.c.status == WorkItemStatus.CLAIMED),
            func.count().filter(items.c.status == WorkItemStatus.OPEN),
            func.count().filter(items.c.due_at < now),
        )
    ).one()
    return int(claimed), int(waiting), int(overdue)
