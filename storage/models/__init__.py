"""The typed SQLAlchemy models of Alur, importable from one place."""

from storage.models.base import Base
from storage.models.organization import ApiToken, Organization, Position, Role, Unit, User
from storage.models.outbox import OutboxMessage, ReminderKind
from storage.models.overlaps import FlagState, OverlapFlag
from storage.models.runtime import (
    OPEN_STATUSES,
    Event,
    Instance,
    InstanceStatus,
    ReferenceCounter,
    WorkItem,
    WorkItemStatus,
)
from storage.models.scheduler import SCHEDULER_JOBS_TABLE, scheduler_jobs
from storage.models.sop import Sop, SopVersion, VersionStatus
from storage.models.summaries import RequestDay, StepDay, StepDoneDay

__all__ = [
    "OPEN_STATUSES",
    "SCHEDULER_JOBS_TABLE",
    "ApiToken",
    "Base",
    "Event",
    "FlagState",
    "Instance",
    "InstanceStatus",
    "Organization",
    "OutboxMessage",
    "OverlapFlag",
    "Position",
    "ReferenceCounter",
    "ReminderKind",
    "RequestDay",
    "Role",
    "Sop",
    "SopVersion",
    "StepDay",
    "StepDoneDay",
    "Unit",
    "User",
    "VersionStatus",
    "WorkItem",
    "WorkItemStatus",
    "scheduler_jobs",
]
