"""An officer's verbs on steps: see the inbox, claim, unclaim, complete."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import ExpressionError, FormInvalid, TaskNotReady
from engine.sop_metadata import Activity
from storage.models import Instance, Role, User, WorkItem, WorkItemStatus
from storage.repositories import runtime as repo
from web.usecases.context import Actor, Context
from web.usecases.dashboard import summaries
from web.usecases.errors import Conflict, Invalid, NotFound, form_invalid
from web.usecases.organization.calendars import calendar_of_unit
from web.usecases.pagination import Page, PageRequest, paginate
from web.usecases.runtime import durations
from web.usecases.runtime.breaches import notice_late_completion
from web.usecases.runtime.progress import process_of, put_back, record, restore, save_progress
from web.usecases.scope import require_instance_visible, require_item_actor


@dataclass(frozen=True)
class WorkItemView:
    item: WorkItem
    instance: Instance
    activity: Activity
    # The request's data so far (start data and earlier steps' forms): fills the step's form.
    data: dict[str, Any]


def inbox(
    ctx: Context,
    actor: Actor,
    request: PageRequest,
    sop_key: str | None = None,
    overdue: bool = False,
) -> Page:
    """Steps claimed by the actor, then open steps of their positions; overdue first.

    With ``overdue``, only the steps past their due time.
    """
    with ctx.transaction() as session:
        query = repo.inbox_query(
            actor.user_id or 0,
            sorted(actor.position_ids),
            sop_key,
            overdue_at=ctx.clock() if overdue else None,
        )
        return paginate(session, query, request)


@dataclass(frozen=True)
class InboxCounts:
    claimed: int  # claimed by the actor
    open: int  # open for the actor's positions
    overdue: int  # of both, past their due time


def inbox_counts(ctx: Context, actor: Actor, sop_key: str | None = None) -> InboxCounts:
    """How many steps of the actor's inbox are claimed by them, open, and overdue."""
    with ctx.transaction() as session:
        counts = repo.inbox_counts(
            session, actor.user_id or 0, sorted(actor.position_ids), ctx.clock(), sop_key
        )
        return InboxCounts(*counts)


def _item(session: Session, item_id: int) -> WorkItem:
    item = repo.work_item(session, item_id)
    if item is None:
        raise NotFound(f"Work item {item_id} does not exist.")
    return item


def _activity(ctx: Context, item: WorkItem) -> Activity:
    process = process_of(item.instance.sop_version, ctx.engine_options.allow_script_tasks)
    return process.activities[item.activity_id]


def get_work_item(ctx: Context, actor: Actor, item_id: int) -> WorkItemView:
    """A step with its request and its activity (mutu baku and form fields)."""
    with ctx.transaction() as session:
        item = _item(session, item_id)
        if item.position_id not in actor.position_ids:
            require_instance_visible(session, actor, item.instance)
        execution = restore(ctx, item.instance)
        data = execution.data
        put_back(item.instance, execution)
        return WorkItemView(item, item.instance, _activity(ctx, item), data)


def _closed_conflict(session: Session, item: WorkItem) -> Conflict:
    """Say who moved the step on, and when, so the officer knows what happened."""
    if item.status == WorkItemStatus.COMPLETED:
        who = session.get(User, item.completed_by_id) if item.completed_by_id else None
        name = who.full_name if who else "someone else"
        return Conflict(
            f"This step was already completed by {name} at {item.completed_at:%Y-%m-%d %H:%M} UTC.",
            {
                "work_item": item.id,
                "status": item.status.value,
                "completed_by": who.username if who else None,
                "completed_at": item.completed_at.isoformat() if item.completed_at else None,
            },
        )
    withdrawal = repo.last_event_of_work_item(session, item.id, "work_item_withdrawn")
    if withdrawal is not None and withdrawal.payload.get("cause") == "timer":
        return Conflict(
            f"This step was withdrawn at {withdrawal.occurred_at:%Y-%m-%d %H:%M} UTC: its time "
            "limit passed and the SOP's timer escalated the request. Your input was not saved.",
            {
                "work_item": item.id,
                "status": item.status.value,
                "cause": "timer",
                "withdrawn_at": withdrawal.occurred_at.isoformat(),
            },
        )
    return Conflict(
        "This step was withdrawn (the request moved on without it or was cancelled).",
        {"work_item": item.id, "status": item.status.value},
    )


def claim(ctx: Context, actor: Actor, item_id: int) -> WorkItem:
    """Take a step so colleagues in the same position see it is being handled."""
    with ctx.transaction() as session:
        item = _item(session, item_id)
        require_item_actor(session, actor, item, "claim")
        if item.status == WorkItemStatus.CLAIMED:
            if item.claimed_by_id == actor.user_id:
                return item
            raise Conflict(
                f"This step is already claimed by {item.claimed_by.full_name}.",
                {"work_item": item.id, "claimed_by": item.claimed_by.username},
            )
        if item.status != WorkItemStatus.OPEN:
            raise _closed_conflict(session, item)
        now = ctx.clock()
        if not repo.claim_if_open(session, item.id, actor.user_id, now):
            raise Conflict("Someone claimed this step a moment ago.", {"work_item": item.id})
        session.refresh(item)
        record(
            session,
            ctx,
            actor,
            "work_item_claimed",
            instance=item.instance,
            work_item=item,
            activity=item.activity_id,
        )
        return item


def unclaim(ctx: Context, actor: Actor, item_id: int) -> WorkItem:
    """Give a claimed step back to the position's shared inbox."""
    with ctx.transaction() as session:
        item = _item(session, item_id)
        if item.status != WorkItemStatus.CLAIMED:
            raise Conflict(
                f"This step is {item.status.value}, not claimed.",
                {"work_item": item.id, "status": item.status.value},
            )
        if item.claimed_by_id != actor.user_id and not actor.has_role(Role.MANAGER, Role.ADMIN):
            raise Conflict(
                f"This step is claimed by {item.claimed_by.full_name}, not by you.",
                {"work_item": item.id, "claimed_by": item.claimed_by.username},
            )
        if actor.has_role(Role.MANAGER) and item.claimed_by_id != actor.user_id:
            require_instance_visible(session, actor, item.instance)
        # The relationship, not only the id: the caller shows who holds the step.
        item.status, item.claimed_by, item.claimed_at = WorkItemStatus.OPEN, None, None
        record(
            session,
            ctx,
            actor,
            "work_item_unclaimed",
            instance=item.instance,
            work_item=item,
            activity=item.activity_id,
        )
        return item


def complete(
    ctx: Context, actor: Actor, item_id: int, data: dict, comment: str | None = None
) -> WorkItem:
    """Complete a step with its form data and move the request to its next steps.

    One transaction locks the request, checks the step is still open and the actor holds its
    position, runs the engine, writes the state and the work items, and audits it.

    :raises Conflict: the step was completed or withdrawn meanwhile, or claimed by another.
    :raises Invalid: the form data is wrong (``details["field_errors"]``: field -> code).
    """
    with ctx.transaction() as session:
        # Lock the request first, then read the step: what is checked is what is current.
        instance = repo.lock_instance_of_work_item(session, item_id)
        if instance is None:
            raise NotFound(f"Work item {item_id} does not exist.")
        item = _item(session, item_id)
        require_item_actor(session, actor, item, "complete")
        if item.status not in (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED):
            raise _closed_conflict(session, item)
        if item.status == WorkItemStatus.CLAIMED and item.claimed_by_id != actor.user_id:
            raise Conflict(
                f"This step is claimed by {item.claimed_by.full_name}.",
                {"work_item": item.id, "claimed_by": item.claimed_by.username},
            )
        execution = restore(ctx, instance)
        try:
            cleaned = execution.complete(item.task_id, data)
        except FormInvalid as exc:
            raise form_invalid(exc) from None
        except TaskNotReady as exc:
            raise Conflict(
                f"This step can no longer be completed: {exc}", {"work_item": item.id}
            ) from None
        except ExpressionError as exc:
            raise Invalid(f"The SOP could not continue after this step: {exc}") from None
        now = ctx.clock()
        notice_late_completion(session, ctx, actor, item, now)
        # Set the relationships, not only the ids: the caller shows who claimed and completed.
        performer = session.get(User, actor.user_id) if actor.user_id is not None else None
        if item.claimed_at is None:
            item.claimed_at, item.claimed_by = now, performer
        item.status = WorkItemStatus.COMPLETED
        item.completed_at, item.completed_by = now, performer
        durations.step_completed(calendar_of_unit(session, ctx, item.unit_id), item)
        summaries.step_completed(session, ctx, item)
        item.form_data = cleaned
        item.comment = (comment or "").strip() or None
        record(
            session,
            ctx,
            actor,
            "work_item_completed",
            instance=instance,
            work_item=item,
            activity=item.activity_id,
            data=cleaned,
            comment=item.comment,
        )
        save_progress(session, ctx, actor, instance, execution)
        return item
