"""Summaries the dashboard reads instead of sorting every step or request of a long period."""

from datetime import date

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class StepDay(Base):
    """The completed steps of one activity that became ready on one (local) day.

    One row per day, SOP version, activity, unit and position: counts, breaches, office time
    spent and a histogram of the durations (web.usecases.dashboard.histogram). A completed
    step never changes, so the row is added to in the transaction that completes the step
    (web.usecases.step_days) and can be rebuilt from the work items at any time.
    """

    __tablename__ = "step_day"
    __table_args__ = (
        # Leads with the SOP and the day: what the one-SOP page asks for.
        UniqueConstraint(
            "sop_id",
            "day",
            "sop_version_id",
            "activity_id",
            "unit_id",
            "position_id",
            name="uq_step_day_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_id: Mapped[int] = mapped_column(ForeignKey("sop.id"))
    day: Mapped[date]  # ready_at in the dashboard's time zone
    sop_version_id: Mapped[int] = mapped_column(ForeignKey("sop_version.id"))
    activity_id: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"))
    activity_name: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(200))
    completed: Mapped[int]
    measured: Mapped[int]  # with a due time
    breached: Mapped[int]
    spent: Mapped[int] = mapped_column(BigInteger)  # office seconds waiting and handling
    histogram: Mapped[bytes] = mapped_column(LargeBinary)


class StepDoneDay(Base):
    """The steps completed on one (local) day, per SOP version and unit: how many had a due
    time and how many of those were on time. Kept like StepDay, read for step compliance."""

    __tablename__ = "step_done_day"
    __table_args__ = (
        UniqueConstraint("sop_id", "day", "sop_version_id", "unit_id", name="uq_step_done_day_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_id: Mapped[int] = mapped_column(ForeignKey("sop.id"))
    day: Mapped[date]  # completed_at in the dashboard's time zone
    sop_version_id: Mapped[int] = mapped_column(ForeignKey("sop_version.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    completed: Mapped[int]
    measured: Mapped[int]  # with a due time
    on_time: Mapped[int]  # completed by the due time


class RequestDay(Base):
    """The requests completed on one (local) day, per SOP version and set of units.

    ``units`` lists the units any step of the request belonged to, space-separated and padded
    (" 3 5 "): a manager's page keeps the rows whose units meet theirs. Counts, compliance
    and a histogram of cycle times (web.usecases.dashboard.histogram), kept like StepDay.
    """

    __tablename__ = "request_day"
    __table_args__ = (
        UniqueConstraint("sop_id", "day", "sop_version_id", "units", name="uq_request_day_key"),
        Index("ix_request_day_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_id: Mapped[int] = mapped_column(ForeignKey("sop.id"))
    day: Mapped[date]  # ended_at in the dashboard's time zone
    sop_version_id: Mapped[int] = mapped_column(ForeignKey("sop_version.id"))
    units: Mapped[str] = mapped_column(Text)
    completed: Mapped[int]
    measured: Mapped[int]  # with a due time
    on_time: Mapped[int]  # completed by the due time
    histogram: Mapped[bytes] = mapped_column(LargeBinary)
