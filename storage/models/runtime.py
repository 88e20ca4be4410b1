"""Running requests: instances, their work items (inbox and timing record) and the audit log."""

import enum
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column
from storage.models.organization import Position, User
from storage.models.sop import SopVersion


class InstanceStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class WorkItemStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


OPEN_STATUSES = (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED)


class ReferenceCounter(Base):
    """The last reference number handed out per SOP and year (SKD/2026/000123)."""

    __tablename__ = "reference_counter"

    sop_id: Mapped[int] = mapped_column(ForeignKey("sop.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Instance(Base):
    """A permohonan: one service request moving through one SOP version."""

    __tablename__ = "instance"
    __table_args__ = (
        UniqueConstraint("reference"),
        Index("ix_instance_overdue", "status", "due_at"),
        # The dashboard's period scans: requests started / ended in a period, per SOP.
        Index("ix_instance_started", "started_at", "sop_id"),
        # Completed requests in a period, covering what the overview reads (SQLite otherwise
        # prefers the status-only index and reads every completed request ever).
        Index(
            "ix_instance_done",
            "status",
            "ended_at",
            "sop_id",
            "due_at",
            "cycle_seconds",
            "cycle_office_seconds",
            "standard_office_seconds",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(60))
    sop_version_id: Mapped[int] = mapped_column(ForeignKey("sop_version.id"), index=True)
    # The SOP of that version, copied so the dashboard filters without joining versions.
    sop_id: Mapped[int | None] = mapped_column(ForeignKey("sop.id"))
    status: Mapped[InstanceStatus] = enum_column(InstanceStatus, default=InstanceStatus.RUNNING)
    # Data entered when the request started (applicant, subject); task data lives in the state.
    data: Mapped[dict[str, Any]]
    # SpiffWorkflow state without the process definition, and the format it was written in.
    state: Mapped[str] = mapped_column(Text, deferred=True)
    serializer_version: Mapped[str] = mapped_column(String(20))
    # Bumped on every state change; writes check it, so a stale copy can never overwrite.
    version: Mapped[int] = mapped_column(default=1)
    # The earliest pending BPMN timer; the scheduler looks here instead of at every state.
    next_wake_at: Mapped[datetime | None] = mapped_column(index=True)
    # The request's own time standard: started_at plus, in working time, the sum of the
    # standards of the steps opened on its path so far (withdrawn steps excluded); it moves
    # later as steps open. at_risk_at is when 80% of that sum is used
    # (see web.usecases.runtime.sla).
    due_at: Mapped[datetime | None]
    at_risk_at: Mapped[datetime | None]
    started_at: Mapped[datetime]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ended_at: Mapped[datetime | None]
    # Written once when the request completes (see web.usecases.runtime.durations): start -> end in
    # calendar and in office time, and its time standard (started_at -> due_at) in office time.
    cycle_seconds: Mapped[int | None]
    cycle_office_seconds: Mapped[int | None]
    standard_office_seconds: Mapped[int | None]

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    sop_version: Mapped[SopVersion] = relationship(lazy="joined")
    started_by: Mapped[User | None] = relationship()


class WorkItem(Base):
    """One human step of one instance: the inbox entry and the timing record of that step."""

    __tablename__ = "work_item"
    __table_args__ = (
        Index("ix_work_item_inbox", "position_id", "status", "due_at"),
        Index("ix_work_item_claimed", "claimed_by_id", "status"),
        # What the scheduler scans each tick: open steps not yet breached / not yet warned.
        Index("ix_work_item_breach_scan", "status", "breached_at", "due_at"),
        Index("ix_work_item_warning_scan", "status", "warned_at", "at_risk_at"),
        # The dashboard: one SOP's steps by period, steps completed in a period (workload,
        # compliance), a unit's requests, an officer's completed steps.
        # Both cover the columns their dashboard queries read, so no table row is visited.
        Index(
            "ix_work_item_sop_ready",
            "sop_id",
            "ready_at",
            "status",
            "activity_id",
            "position_id",
            "unit_id",
            "due_at",
            "breached_at",
            "wait_office_seconds",
            "handle_office_seconds",
            "standard_office_seconds",
        ),
        Index(
            "ix_work_item_done",
            "status",
            "completed_at",
            "sop_id",
            "due_at",
            "breached_at",
            "position_id",
            "completed_by_id",
            "unit_id",
            "handle_office_seconds",
        ),
        Index("ix_work_item_unit_instance", "unit_id", "instance_id"),
        Index("ix_work_item_completed_by", "completed_by_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    # The instance's SOP and version, copied so the dashboard reads one table.
    sop_id: Mapped[int | None] = mapped_column(ForeignKey("sop.id"))
    sop_version_id: Mapped[int | None] = mapped_column(ForeignKey("sop_version.id"))
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    activity_id: Mapped[str] = mapped_column(String(200))
    activity_name: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(200))
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[WorkItemStatus] = enum_column(WorkItemStatus, default=WorkItemStatus.OPEN)
    ready_at: Mapped[datetime]
    # ready_at plus the activity's time standard in the organization's working time.
    due_at: Mapped[datetime | None]
    # When 80% of the standard is used, in working time (engine.sla.at_risk_moment).
    at_risk_at: Mapped[datetime | None]
    # Set once, by a conditional UPDATE, when the scheduler queued the at-risk reminder.
    warned_at: Mapped[datetime | None]
    # Set once, by a conditional UPDATE, when the breach was noticed (by the scheduler, or by
    # a completion past the due time); the work_item_breached event goes with it.
    breached_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    form_data: Mapped[dict[str, Any] | None]
    comment: Mapped[str | None] = mapped_column(Text)
    # The step's time standard (ready_at -> due_at) in office time, written when it opens; its
    # waiting (ready -> claimed) and handling (claimed -> completed) time in calendar and in
    # office time, written when it completes (see web.usecases.runtime.durations).
    standard_office_seconds: Mapped[int | None]
    wait_seconds: Mapped[int | None]
    wait_office_seconds: Mapped[int | None]
    handle_seconds: Mapped[int | None]
    handle_office_seconds: Mapped[int | None]

    instance: Mapped[Instance] = relationship(lazy="joined")
    position: Mapped[Position] = relationship(lazy="joined")
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id], lazy="joined")
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id], lazy="joined")


class Event(Base):
    """Append-only audit log; types are subject_past_tense_verb (``work_item_completed``)."""

    __tablename__ = "event"

    # SQLite only autoincrements INTEGER PRIMARY KEY; years of events need BIGINT elsewhere.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    type: Mapped[str] = mapped_column(String(60), index=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    work_item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"))
    sop_version_id: Mapped[int | None] = mapped_column(ForeignKey("sop_version.id"))
    payload: Mapped[dict[str, Any]]

    actor: Mapped[User | None] = relationship(lazy="joined")
    # Set by whoever records the event, so the insert needs no flush for the ids first.
    instance: Mapped[Instance | None] = relationship()
    work_item: Mapped[WorkItem | None] = relationship()
