"""Reminders waiting to leave Alur: one row per reminder, written with the change it is about."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, enum_column


class ReminderKind(enum.StrEnum):
    # A step has used 80% of its time standard.
    AT_RISK = "work_item_at_risk"
    # A step passed its due time.
    BREACHED = "work_item_breached"
    # A BPMN timer opened a step (an escalation, or a step after a wait).
    ESCALATION = "escalation"


class OutboxMessage(Base):
    """A reminder to a position, queued in the transaction that noticed its cause.

    Delivery (``ALUR_NOTIFY_VIA``: webhook or email) is off by default: rows then stay
    unsent, as the record of what would have been sent. Delivery is at least once: a process
    that dies between sending and marking ``sent_at`` sends the row again after its lease, so
    receivers should ignore an ``id`` they have seen.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)

    # SQLite only autoincrements INTEGER PRIMARY KEY; years of reminders need BIGINT elsewhere.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    kind: Mapped[ReminderKind] = enum_column(ReminderKind)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("position.id"))
    # Who it is for, as people read it: the position's code.
    recipient: Mapped[str] = mapped_column(String(200))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    work_item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"))
    # Everything a receiver needs to write the message without asking Alur.
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # Not before this instant: the lease of a sender at work, or the back-off after a failure.
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
