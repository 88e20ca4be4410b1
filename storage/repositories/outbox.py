"""The outbox: reminders queued with their cause, taken by senders under a lease."""

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxMessage


def claim_due(
    session: Session, now: datetime, lease_until: datetime, limit: int, max_attempts: int
) -> list[OutboxMessage]:
    """Unsent reminders whose turn has come, leased to the caller until ``lease_until``.

    The lease (``next_attempt_at``) keeps other senders off them while this one sends outside
    the transaction; if it dies, they are due again when the lease ends.
    """
    ids = list(
        session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.attempts < max_attempts,
                or_(
                    OutboxMessage.next_attempt_at.is_(None),
                    OutboxMessage.next_attempt_at <= now,
                ),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True, key_share=True)
        )
    )
    if not ids:
        return []
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(next_attempt_at=lease_until, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        )
    )
