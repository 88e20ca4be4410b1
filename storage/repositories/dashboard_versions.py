"""The dashboard's SQL for comparing an SOP's versions: which versions ran, and the cycle
times and step durations of each.
"""

from sqlalchemy import ColumnElement, case, literal, select
from sqlalchemy.orm import Session

from storage.models import Instance, InstanceStatus, SopVersion, WorkItem, WorkItemStatus
from storage.repositories.dashboard import Window, on_time


def _measured_requests(window: Window) -> list[ColumnElement[bool]]:
    """Completed requests with a measured cycle, in the window's units, at any time."""
    return [
        Instance.status == InstanceStatus.COMPLETED,
        Instance.cycle_office_seconds.is_not(None),
        *Window(window.start, window.end, unit_ids=window.unit_ids).instances(),
    ]


def cycle_values(session: Session, version_id: int, window: Window) -> list[tuple[int, int | None]]:
    """(office cycle seconds, on time 1/0/None) of every completed request of a version."""
    query = select(
        Instance.cycle_office_seconds, on_time(Instance.ended_at, Instance.due_at)
    ).where(Instance.sop_version_id == version_id, *_measured_requests(window))
    return [(int(cycle), punctual) for cycle, punctual in session.execute(query)]


def measured_versions(session: Session, sop_id: int, window: Window) -> list[int]:
    """Ids of an SOP's versions with a completed request in the window's units, newest first:
    the versions a comparison has figures for."""
    measured = (
        select(literal(1))
        .where(Instance.sop_version_id == SopVersion.id, *_measured_requests(window))
        .exists()
    )
    query = (
        select(SopVersion.id)
        .where(SopVersion.sop_id == sop_id, measured)
        .order_by(SopVersion.number.desc())
    )
    return list(session.scalars(query))


def step_values(session: Session, version_id: int, window: Window) -> list[tuple[str, int, int]]:
    """(activity id, office wait + handle seconds, breached 1/0) of a version's completed steps."""
    query = select(
        WorkItem.activity_id,
        WorkItem.wait_office_seconds + WorkItem.handle_office_seconds,
        case((WorkItem.breached_at.is_not(None), 1), else_=0),
    ).where(
        WorkItem.sop_version_id == version_id,
        WorkItem.status == WorkItemStatus.COMPLETED,
        WorkItem.handle_office_seconds.is_not(None),
        *Window(window.start, window.end, unit_ids=window.unit_ids).items(),
    )
    return [(activity, int(spent), late) for activity, spent, late in session.execute(query)]


def versions_of(session: Session, sop_id: int) -> list[tuple[int, int]]:
    """(id, number) of an SOP's versions that ran at least one request, newest first."""
    ran = select(literal(1)).where(Instance.sop_version_id == SopVersion.id).exists()
    query = (
        select(SopVersion.id, SopVersion.number)
        .where(SopVersion.sop_id == sop_id, ran)
        .order_by(SopVersion.number.desc())
    )
    return [(version_id, number) for version_id, number in session.execute(query)]
