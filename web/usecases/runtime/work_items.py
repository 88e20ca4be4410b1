"""An officer's verbs on steps: see the inbox, claim, unclaim, complete."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import ExpressionError, FormInvalid, TaskNotReady
from engine.sop_metadata import Activity
from storage.models import OPEN_STATUSES, Instance, Role, User, WorkItem, WorkItemStatus
from storage.repositories import runtime as repo
from web.usecases.context import Actor, Context
from web.usecases.dashboard import summaries
from web.usecases.errors import Conflict, Invalid, NotFound, form_invalid, message
from web.usecases.organization.calendars import calendar_of_unit
from web.usecases.pagination import Page, PageRequest, paginate
from web.usecases.runtime import durations
from web.usecases.runtime.breaches import notice_late_completion
from web.usecases.runtime.holding import (
    WORK_ITEM_NOT_FOUND,
    hold_work_item,
    moved_on,
    return_to_inbox,
)
from web.usecases.runtime.progress import process_of, put_back, record, restore, save_progress
from web.usecases.scope import require_instance_visible, require_item_actor

CLAIMED_BY_OTHER = message(
    "work_item_claimed_by_other", "This step is claimed by {name}, not by you."
)
NOT_READY = message("work_item_not_ready", "This step is no longer waiting to be completed.")
EXPRESSION_FAILED = message(
    "sop_expression_failed", "The SOP could not continue after this step: {reason}"
)


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
        raise NotFound(WORK_ITEM_NOT_FOUND, id=item_id)
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


def claim(ctx: Context, actor: Actor, item_id: int) -> WorkItem:
    """Take a step so colleagues in the same position see it is being handled."""
    with ctx.transaction() as session:
        item = hold_work_item(session, item_id, OPEN_STATUSES)
        require_item_actor(session, actor, item, action="claim")
        if item.status == WorkItemStatus.CLAIMED:
            if item.claimed_by_id == actor.user_id:
                return item
            raise moved_on(session, item)
        # The relationship, not only the id: the caller shows who holds the step. Read before
        # the item changes, so that the change goes out in one UPDATE.
        claimer = session.get(User, actor.user_id) if actor.user_id is not None else None
        item.status, item.claimed_at, item.claimed_by = WorkItemStatus.CLAIMED, ctx.clock(), claimer
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
        item = hold_work_item(session, item_id, [WorkItemStatus.CLAIMED])
        if item.claimed_by_id != actor.user_id and not actor.has_role(Role.MANAGER, Role.ADMIN):
            raise Conflict(
                CLAIMED_BY_OTHER,
                {"work_item": item.id, "claimed_by": item.claimed_by.username},
                name=item.claimed_by.full_name,
            )
        if actor.has_role(Role.MANAGER) and item.claimed_by_id != actor.user_id:
            require_instance_visible(session, actor, item.instance)
        return_to_inbox(session, ctx, actor, item)
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
        item = hold_work_item(session, item_id, OPEN_STATUSES)
        instance = item.instance
        require_item_actor(session, actor, item, action="complete")
        if item.status == WorkItemStatus.CLAIMED and item.claimed_by_id != actor.user_id:
            raise moved_on(session, item)
        execution = restore(ctx, instance)
        try:
            cleaned = execution.complete(item.task_id, data)
        except FormInvalid as exc:
            raise form_invalid(exc) from None
        except TaskNotReady as exc:
            raise Conflict(NOT_READY, {"work_item": item.id, "reason": str(exc)}) from None
        except ExpressionError as exc:
            raise Invalid(EXPRESSION_FAILED, reason=str(exc)) from None
        now = ctx.clock()
        notice_late_completion(session, ctx, actor, item, now)
        # Set the relationships, not only the ids: the caller shows who claimed and completed.
        performer = session.get(User, actor.user_id) if actor.user_id is not None else None
        calendar = calendar_of_unit(session, ctx, item.unit_id)
        if item.claimed_at is None:
            item.claimed_at, item.claimed_by = now, performer
        item.status = WorkItemStatus.COMPLETED
        item.completed_at, item.completed_by = now, performer
        item.form_data = cleaned
        item.comment = (comment or "").strip() or None
        # Everything read first, the item changed at once: it goes out in one UPDATE.
        durations.step_completed(calendar, item)
        summaries.step_completed(session, ctx, item)
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
