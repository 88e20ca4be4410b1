"""The typed SQLAlchemy models of Alur, importable from one place."""

from storage.models.base import Base
from storage.models.organization import ApiToken, Organization, Position, Role, Unit, User
from storage.models.runtime import (
    OPEN_STATUSES,
    Event,
    Instance,
    InstanceStatus,
    ReferenceCounter,
    WorkItem,
    WorkItemStatus,
)
from storage.models.sop import Sop, SopVersion, VersionStatus

__all__ = [
    "OPEN_STATUSES",
    "ApiToken",
    "Base",
    "Event",
    "Instance",
    "InstanceStatus",
    "Organization",
    "Position",
    "ReferenceCounter",
    "Role",
    "Sop",
    "SopVersion",
    "Unit",
    "User",
    "VersionStatus",
    "WorkItem",
    "WorkItemStatus",
]
