"""What the request page shows of a request's history: diagram markers, steps and timeline."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _

from storage.models import Event, WorkItem, WorkItemStatus
from web.pages.display import EVENTS, duration, is_overdue, when

_MARKER_RANK = {"done": 0, "active": 1, "overdue": 2}


def markers(items: list[WorkItem], now: datetime) -> dict[str, str]:
    """BPMN element id -> done, active or overdue; a step run again shows its latest state."""
    found: dict[str, str] = {}
    for item in items:
        if item.status == WorkItemStatus.COMPLETED:
            marker = "done"
        elif item.status in (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED):
            marker = "overdue" if is_overdue(item.due_at, now) else "active"
        else:
            continue
        if _MARKER_RANK[marker] >= _MARKER_RANK.get(found.get(item.activity_id, ""), -1):
            found[item.activity_id] = marker
    return found


@dataclass(frozen=True)
class StepRow:
    """One work item with how long it waited (ready -> claimed) and took (claimed -> done)."""

    item: WorkItem
    waited: timedelta | None
    took: timedelta | None
    still_waiting: bool = False
    still_working: bool = False
    overdue: bool = False

    @property
    def performer(self) -> str | None:
        person = self.item.completed_by or self.item.claimed_by
        return person.full_name if person else None

    @property
    def on_time(self) -> bool | None:
        item = self.item
        if item.status != WorkItemStatus.COMPLETED or item.due_at is None:
            return None
        return item.completed_at is not None and item.completed_at <= item.due_at


def step_rows(items: list[WorkItem], now: datetime) -> list[StepRow]:
    rows = []
    for item in items:
        running = item.status in (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED)
        claimed = item.claimed_at
        waited = (claimed or now) - item.ready_at if claimed or running else None
        took = None
        if claimed and item.completed_at and item.status == WorkItemStatus.COMPLETED:
            took = item.completed_at - claimed
        elif claimed and running:
            took = now - claimed
        rows.append(
            StepRow(
                item,
                waited,
                took,
                still_waiting=item.status == WorkItemStatus.OPEN,
                still_working=item.status == WorkItemStatus.CLAIMED,
                overdue=running and is_overdue(item.due_at, now),
            )
        )
    return rows


@dataclass(frozen=True)
class TimelineEntry:
    event: Event
    what: str
    who: str
    step: str | None
    details: list[str] = field(default_factory=list)


def _details(event: Event, item: WorkItem | None, rows: dict[int, StepRow]) -> list[str]:
    payload = event.payload or {}
    if event.type == "work_item_opened" and item is not None:
        found = [_("For %(position)s", position=item.position.name)]
        if item.due_at:
            found.append(_("due %(time)s", time=when(item.due_at)))
        return found
    if event.type == "work_item_completed" and item is not None:
        row = rows[item.id]
        found = [_("waited %(waited)s", waited=duration(row.waited))]
        if row.took is not None:
            found.append(_("took %(took)s", took=duration(row.took)))
        if payload.get("comment"):
            found.append(_("comment: %(comment)s", comment=payload["comment"]))
        return found
    if event.type == "instance_cancelled" and payload.get("reason"):
        return [_("reason: %(reason)s", reason=payload["reason"])]
    if event.type == "timer_failed" and payload.get("error"):
        return [str(payload["error"])]
    if event.type == "timer_fired":
        opened = [step["name"] for step in payload.get("opened", [])]
        withdrawn = [step["name"] for step in payload.get("withdrawn", [])]
        found = [_("escalated to: %(steps)s", steps=", ".join(opened))] if opened else []
        if withdrawn:
            found.append(_("withdrawn: %(steps)s", steps=", ".join(withdrawn)))
        return found
    if event.type in ("work_item_breached", "work_item_warned") and item is not None:
        return [_("due %(time)s", time=when(item.due_at))] if item.due_at else []
    return []


def timeline(events: list[Event], rows: list[StepRow]) -> list[TimelineEntry]:
    """Every event of the request, oldest first, with who did it and what it meant."""
    by_id = {row.item.id: row for row in rows}
    entries = []
    for event in events:
        row = by_id.get(event.work_item_id) if event.work_item_id else None
        item = row.item if row else None
        entries.append(
            TimelineEntry(
                event,
                str(EVENTS.get(event.type, event.type)),
                event.actor.full_name if event.actor else _("System"),
                item.activity_name if item else None,
                _details(event, item, by_id),
            )
        )
    return entries
