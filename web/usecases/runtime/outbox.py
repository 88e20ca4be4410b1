"""Reminders: queued in the outbox in the transaction that noticed them, delivered by the scheduler.

Queuing never sends anything. Delivery takes due rows under a lease, sends them outside any
transaction (a slow receiver holds no lock), then marks each sent, or failed with a back-off.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from storage.models import OutboxMessage, ReminderKind, WorkItem
from storage.repositories import outbox as repo
from web.usecases.context import Context
from web.usecases.organization.calendars import calendar_of_unit

# After this many failed attempts a reminder stays unsent, with its last error, for a person.
MAX_ATTEMPTS = 8
BATCH = 20
_FIRST_RETRY = timedelta(minutes=1)
_LONGEST_RETRY = timedelta(hours=6)
log = logging.getLogger(__name__)


class Sender(Protocol):
    """Delivers one reminder document, or raises; ``timeout`` bounds one call, in seconds."""

    timeout: float

    def send(self, message: dict[str, Any]) -> None: ...


def queue(
    session: Session, ctx: Context, kind: ReminderKind, item: WorkItem, **details: Any
) -> None:
    """Queue a reminder about ``item`` to its position, in the caller's transaction."""
    instance = item.instance
    zone = calendar_of_unit(session, ctx, item.unit_id).timezone
    payload = {
        "reference": instance.reference,
        "instance_id": instance.id,
        "sop": instance.sop_version.sop.key,
        "sop_name": instance.sop_version.name,
        "work_item_id": item.id,
        "activity": item.activity_id,
        "activity_name": item.activity_name,
        "position": item.position.code,
        "position_name": item.position.name,
        "claimed_by": item.claimed_by.username if item.claimed_by else None,
        "ready_at": item.ready_at.isoformat(),
        "due_at": item.due_at.isoformat() if item.due_at else None,
        "timezone": zone,
        **details,
    }
    session.add(
        OutboxMessage(
            kind=kind,
            position_id=item.position_id,
            recipient=item.position.code,
            instance_id=instance.id,
            work_item_id=item.id,
            payload=payload,
            created_at=ctx.clock(),
            attempts=0,
        )
    )


def document(message: OutboxMessage) -> dict[str, Any]:
    """What a sender delivers: the row's id (for receivers to drop repeats) and contents."""
    return {
        "id": message.id,
        "kind": message.kind.value,
        "recipient": message.recipient,
        "created_at": message.created_at.isoformat(),
        "payload": message.payload,
    }


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    failed: int = 0


def _retry_delay(attempts: int) -> timedelta:
    return min(_FIRST_RETRY * 2 ** max(0, attempts - 1), _LONGEST_RETRY)


def deliver_due(ctx: Context, sender: Sender, limit: int = BATCH) -> Delivery:
    """Send up to ``limit`` reminders whose turn has come; safe with several schedulers."""
    now = ctx.clock()
    lease = timedelta(seconds=sender.timeout * limit + 60)
    with ctx.transaction() as session:
        batch = [
            document(m) for m in repo.claim_due(session, now, now + lease, limit, MAX_ATTEMPTS)
        ]
    outcomes: list[tuple[int, str | None]] = []
    for message in batch:
        try:
            sender.send(message)
            outcomes.append((message["id"], None))
        except Exception as exc:  # any failure of a receiver is recorded, never raised
            outcomes.append((message["id"], f"{type(exc).__name__}: {exc}"[:2000]))
    if not outcomes:
        return Delivery()
    with ctx.transaction() as session:
        done = ctx.clock()
        for message_id, error in outcomes:
            message = session.get(OutboxMessage, message_id)
            if error is None:
                message.sent_at, message.next_attempt_at, message.last_error = done, None, None
                continue
            message.last_error = error
            message.next_attempt_at = done + _retry_delay(message.attempts)
            if message.attempts >= MAX_ATTEMPTS:
                log.warning(
                    "reminder %d given up after %d attempts: %s",
                    message_id,
                    message.attempts,
                    error,
                )
    failed = sum(error is not None for _, error in outcomes)
    return Delivery(sent=len(outcomes) - failed, failed=failed)
