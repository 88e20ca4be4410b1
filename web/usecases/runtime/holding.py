"""The one way a verb takes hold of a step or a request before changing it.

Claim, unclaim, complete, cancel, timers and the release of someone's claims all lock the
request first and then read what they are about to change, so two verbs on the same step run
one after the other and the second sees what the first did. On PostgreSQL the request's row
lock serializes them; on SQLite every writing transaction already holds the database's write
lock from its start (storage.db), so both act only on the state they checked. The loser gets
a Conflict saying what happened to the step meanwhile.
"""

from collections.abc import Collection

from sqlalchemy.orm import Session

from storage.models import Instance, User, WorkItem, WorkItemStatus
from storage.repositories import runtime as repo
from web.usecases.context import Actor, Context
from web.usecases.errors import Conflict, NotFound, Phrase, message
from web.usecases.runtime.progress import record

WORK_ITEM_NOT_FOUND = message("work_item_not_found", "Work item {id} does not exist.")
INSTANCE_NOT_FOUND = message("instance_not_found", "Request {id} does not exist.")
ALREADY_COMPLETED = message(
    "work_item_already_completed", "This step was already completed by {name} at {at}."
)
CLAIMED_BY = message("work_item_claimed_by", "This step is claimed by {name}.")
BACK_IN_INBOX = message(
    "work_item_back_in_inbox",
    "This step is not claimed: it is back in its position's shared inbox.",
)
WITHDRAWN_BY_TIMER = message(
    "work_item_withdrawn_by_timer",
    "This step was withdrawn at {at}: its time limit passed and the SOP's timer escalated "
    "the request. Your input was not saved.",
)
WITHDRAWN = message(
    "work_item_withdrawn",
    "This step was withdrawn (the request moved on without it or was cancelled).",
)


def hold_work_item(
    session: Session, item_id: int, expected: Collection[WorkItemStatus]
) -> WorkItem:
    """The step, its request locked, provided it is in one of the ``expected`` states.

    :raises NotFound: there is no such step.
    :raises Conflict: the step is in another state (see :func:`moved_on`).
    """
    item = repo.lock_work_item(session, item_id)
    if item is None:
        raise NotFound(WORK_ITEM_NOT_FOUND, id=item_id)
    if item.status not in expected:
        raise moved_on(session, item)
    return item


def return_to_inbox(
    session: Session, ctx: Context, actor: Actor, item: WorkItem, **why: object
) -> None:
    """Give a claimed step back to its position's shared inbox, with its audit event."""
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
        **why,
    )


def hold_instance(session: Session, instance_id: int) -> Instance:
    """The request, locked and read as it is now.

    :raises NotFound: there is no such request.
    """
    instance = repo.lock_instance(session, instance_id)
    if instance is None:
        raise NotFound(INSTANCE_NOT_FOUND, id=instance_id)
    return instance


def moved_on(session: Session, item: WorkItem) -> Conflict:
    """Say what the step became, who made it so and when, so the officer knows what happened."""
    if item.status == WorkItemStatus.COMPLETED:
        who = session.get(User, item.completed_by_id) if item.completed_by_id else None
        return Conflict(
            ALREADY_COMPLETED,
            {
                "work_item": item.id,
                "status": item.status.value,
                "completed_by": who.username if who else None,
                "completed_at": item.completed_at.isoformat() if item.completed_at else None,
            },
            name=who.full_name if who else Phrase("someone else"),
            at=item.completed_at,
        )
    if item.status == WorkItemStatus.CLAIMED:
        return Conflict(
            CLAIMED_BY,
            {
                "work_item": item.id,
                "status": item.status.value,
                "claimed_by": item.claimed_by.username,
            },
            name=item.claimed_by.full_name,
        )
    if item.status == WorkItemStatus.OPEN:
        return Conflict(BACK_IN_INBOX, {"work_item": item.id, "status": item.status.value})
    withdrawal = repo.last_event_of_work_item(session, item.id, "work_item_withdrawn")
    if withdrawal is not None and withdrawal.payload.get("cause") == "timer":
        return Conflict(
            WITHDRAWN_BY_TIMER,
            {
                "work_item": item.id,
                "status": item.status.value,
                "cause": "timer",
                "withdrawn_at": withdrawal.occurred_at.isoformat(),
            },
            at=withdrawal.occurred_at,
        )
    return Conflict(WITHDRAWN, {"work_item": item.id, "status": item.status.value})
