"""The event log of an SOP for process-mining tools: XES (IEEE 1849-2016) or CSV, streamed.

Every work item gives the lifecycle events it went through: ``schedule`` when it became
ready, ``start`` when claimed, ``complete`` when completed; a withdrawn step ends in
``ate_abort`` if someone had started it, else in ``withdraw``. Events are written one request
(trace) at a time, in time order, so the export never holds more than one request in memory.
"""

import csv
import enum
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from itertools import groupby
from operator import attrgetter
from typing import Any
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlalchemy.orm import Session

from storage.models import Role, WorkItemStatus
from storage.repositories import event_log as repo
from storage.repositories import organization as org_repo
from storage.repositories import sops as sop_repo
from web.usecases.bounds import PERIOD_TOO_LONG, check_day
from web.usecases.context import Actor, Context
from web.usecases.errors import Invalid, NotFound, message
from web.usecases.library.sops import SOP_NOT_FOUND, VERSION_NOT_FOUND
from web.usecases.scope import visible_requests

PERIOD_REVERSED = message("period_reversed", "The period must end after it starts.")

# The longest period one export covers (three years): a longer one is refused before the
# first byte, as is a day outside web.usecases.bounds, instead of breaking the stream.
MAX_DAYS = 3 * 366


class LogFormat(enum.StrEnum):
    XES = "xes"
    CSV = "csv"


@dataclass(frozen=True)
class EventLog:
    """A log ready to send: ``chunks`` opens its own transaction when first read."""

    filename: str
    media_type: str
    chunks: Iterator[str]


@dataclass(frozen=True)
class LogEvent:
    """One lifecycle event of one work item."""

    activity: str
    activity_id: str
    lifecycle: str
    timestamp: datetime
    resource: str | None
    role: str
    group: str


def lifecycle_events(row: Row) -> list[LogEvent]:
    """The lifecycle events a work item went through, in order."""
    moments: list[tuple[str, datetime, str | None]] = [("schedule", row.ready_at, None)]
    if row.claimed_at is not None:
        moments.append(("start", row.claimed_at, row.claimed_by))
    if row.status == WorkItemStatus.COMPLETED and row.completed_at is not None:
        moments.append(("complete", row.completed_at, row.completed_by))
    elif row.status == WorkItemStatus.CANCELLED and row.completed_at is not None:
        # A withdrawn step keeps its withdrawal time in completed_at
        # (web.usecases.runtime.progress).
        if row.claimed_at is not None:
            moments.append(("ate_abort", row.completed_at, row.claimed_by))
        else:
            moments.append(("withdraw", row.completed_at, None))
    return [
        LogEvent(
            row.activity_name, row.activity_id, lifecycle, at, who, row.position_code, row.unit_code
        )
        for lifecycle, at, who in moments
    ]


@dataclass(frozen=True)
class Trace:
    reference: str
    sop_key: str
    sop_version: int
    events: list[LogEvent]


def traces(rows: Iterable[Row]) -> Iterator[Trace]:
    """Rows ordered by request, grouped into traces whose events are in time order."""
    for _, group in groupby(rows, key=attrgetter("instance_id")):
        items = list(group)
        events = [event for row in items for event in lifecycle_events(row)]
        # Stable: events at the same instant keep the order of their steps and lifecycle.
        events.sort(key=attrgetter("timestamp"))
        first = items[0]
        yield Trace(first.reference, first.sop_key, first.sop_version, events)


_XES_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" \
uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="UNKNOWN"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="UNKNOWN"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
    <string key="lifecycle:transition" value="complete"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Activity and lifecycle" keys="concept:name lifecycle:transition"/>
  <string key="concept:name" value={name}/>
  <string key="lifecycle:model" value="standard"/>
"""


def _attribute(kind: str, key: str, value: object) -> str:
    return f"<{kind} key={quoteattr(key)} value={quoteattr(str(value))}/>"


def xes_chunks(log_name: str, found: Iterable[Trace], zone: tzinfo) -> Iterator[str]:
    yield _XES_HEADER.format(name=quoteattr(log_name))
    for trace in found:
        parts = [
            "  <trace>",
            _attribute("string", "concept:name", trace.reference),
            _attribute("string", "sop", trace.sop_key),
            _attribute("int", "sop_version", trace.sop_version),
        ]
        for event in trace.events:
            parts += [
                "<event>",
                _attribute("string", "concept:name", event.activity),
                _attribute("string", "activity_id", event.activity_id),
                _attribute("string", "lifecycle:transition", event.lifecycle),
                _attribute("date", "time:timestamp", _iso(event.timestamp, zone)),
            ]
            if event.resource is not None:
                parts.append(_attribute("string", "org:resource", event.resource))
            parts += [
                _attribute("string", "org:role", event.role),
                _attribute("string", "org:group", event.group),
                "</event>",
            ]
        parts.append("</trace>\n")
        yield "".join(parts)
    yield "</log>\n"


CSV_COLUMNS = (
    "case_id",
    "activity",
    "activity_id",
    "lifecycle",
    "timestamp",
    "resource",
    "role",
    "group",
    "sop",
    "sop_version",
)


def csv_chunks(found: Iterable[Trace], zone: tzinfo) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for trace in found:
        for e in trace.events:
            writer.writerow(
                (
                    trace.reference,
                    e.activity,
                    e.activity_id,
                    e.lifecycle,
                    _iso(e.timestamp, zone),
                    e.resource or "",
                    e.role,
                    e.group,
                    trace.sop_key,
                    trace.sop_version,
                )
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _iso(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="milliseconds")


def _zone_of(session: Session, actor: Actor) -> tzinfo:
    """The time zone of the actor's organization: days and timestamps are read in it."""
    user = org_repo.user_by_id(session, actor.user_id) if actor.user_id is not None else None
    organization = user.organization if user else org_repo.first_organization(session)
    return ZoneInfo(organization.timezone) if organization else UTC


def _stream(
    ctx: Context,
    fmt: LogFormat,
    log_name: str,
    zone: tzinfo,
    query: dict[str, Any],
) -> Iterator[str]:
    with ctx.reading() as session:
        found = traces(repo.event_log_rows(session, **query))
        yield from (
            xes_chunks(log_name, found, zone) if fmt == LogFormat.XES else csv_chunks(found, zone)
        )


def export_event_log(
    ctx: Context,
    actor: Actor,
    sop_key: str,
    start: date,
    end: date,
    fmt: LogFormat,
    version: int | None = None,
) -> EventLog:
    """The work of ``sop_key`` that became ready from day ``start`` up to (not on) day ``end``.

    Days are those of the actor's organization's time zone; ``version`` keeps one version.
    Each request the actor may open comes whole, as it shows when opened (see
    web.usecases.scope); a trace cut to some units would also mislead process mining.

    :raises Forbidden: the actor is an officer.
    :raises NotFound: no such SOP, or no such version of it.
    :raises Invalid: a day out of range, ``end`` not after ``start``, or more than MAX_DAYS.
    """
    actor.require_role(Role.MANAGER, Role.ANALYST, Role.ADMIN, action="export event logs")
    check_day(start, "from")
    check_day(end, "to")
    if end <= start:
        raise Invalid(PERIOD_REVERSED, {"from": str(start), "to": str(end)})
    if (end - start).days > MAX_DAYS:
        raise Invalid(PERIOD_TOO_LONG, {"field": "to", "max_days": MAX_DAYS}, days=MAX_DAYS)
    with ctx.transaction() as session:
        sop = sop_repo.sop_by_key(session, sop_key)
        if sop is None:
            raise NotFound(SOP_NOT_FOUND, key=sop_key)
        if version is not None and sop_repo.version(session, sop_key, version) is None:
            raise NotFound(VERSION_NOT_FOUND, key=sop_key, number=version)
        visible = visible_requests(session, actor)
        zone = _zone_of(session, actor)
    query = {
        "sop_key": sop_key,
        "start": datetime.combine(start, time(), zone),
        "end": datetime.combine(end, time(), zone),
        "version": version,
        "visible": visible,
    }
    name = f"{sop_key}{f'-v{version}' if version else ''}-{start}-{end}.{fmt.value}"
    media_type = "application/xml" if fmt == LogFormat.XES else "text/csv"
    chunks = _stream(ctx, fmt, f"{sop.name} ({sop_key})", zone, query)
    return EventLog(name, media_type, chunks)
