"""Working calendars of organizations: which one applies, and viewing and changing them."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import (
    DEFAULT_HOURS,
    INDONESIAN_ZONES,
    WorkingCalendar,
    hours_as_dict,
    parse_hours,
)
from engine.days_off import DayOff, DaysOff
from storage.models import Event, Instance, Organization, Role, Unit, User
from storage.repositories import organization as org_repo
from web.usecases.context import Actor, Context
from web.usecases.errors import Invalid, NotFound, message

NO_ORGANIZATION = message(
    "organization_missing", "There is no organization yet; run `alur demo` or create one."
)
ORGANIZATION_NOT_FOUND = message("organization_not_found", "Organization {code} does not exist.")
ZONE_NOT_INDONESIAN = message(
    "timezone_not_indonesian", "Time zone '{timezone}' is not one of {zones}."
)
HOURS_INVALID = message("working_hours_invalid", "Working hours: {reason}.")


def calendar_of(ctx: Context, organization: Organization) -> WorkingCalendar:
    return ctx.calendars.calendar(
        organization.code, organization.timezone, organization.working_hours
    )


def calendar_of_unit(session: Session, ctx: Context, unit_id: int) -> WorkingCalendar:
    """The calendar of the organization a unit belongs to, looked up once per transaction.

    (The session holds rows weakly: asking it again for an organization nobody references
    any more would read the row again.)
    """
    known: dict[int, WorkingCalendar] = session.info.setdefault("alur_calendars", {})
    if unit_id not in known:
        organization = session.scalar(
            select(Organization)
            .join(Unit, Unit.organization_id == Organization.id)
            .where(Unit.id == unit_id)
        )
        known[unit_id] = calendar_of(ctx, organization)
    return known[unit_id]


def calendar_of_instance(session: Session, ctx: Context, instance: Instance) -> WorkingCalendar:
    """The calendar of the organization that ran a request (that of its starter, or the first)."""
    if instance.started_by_id is not None:
        starter = session.get(User, instance.started_by_id)
        if starter is not None:
            return calendar_of(ctx, starter.organization)
    first = first_organization(session)
    if first is None:
        raise NotFound(NO_ORGANIZATION)
    return calendar_of(ctx, first)


def first_organization(session: Session) -> Organization | None:
    """The organization of a database that holds one (the demo's, or the first created)."""
    return session.scalars(select(Organization).order_by(Organization.id)).first()


@dataclass(frozen=True)
class CalendarView:
    organization: str
    timezone: str
    hours: dict[str, list[str]]
    days_off: list[DayOff]


def _organization(session: Session, code: str | None) -> Organization:
    found = (
        org_repo.organization_by_code(session, code)
        if code
        else org_repo.first_organization(session)
    )
    if found is None:
        raise NotFound(ORGANIZATION_NOT_FOUND, code=code) if code else NotFound(NO_ORGANIZATION)
    return found


def get_calendar(
    ctx: Context, actor: Actor, year: int, organization_code: str | None = None
) -> CalendarView:
    """An organization's time zone, office hours and days off of ``year`` (with their names)."""
    with ctx.transaction() as session:
        organization = _organization(session, organization_code)
        calendar = calendar_of(ctx, organization)
        holidays = calendar.holidays
        days_off = holidays.of_year(year) if isinstance(holidays, DaysOff) else []
        return CalendarView(
            organization.code, organization.timezone, hours_as_dict(calendar.hours), days_off
        )


def set_calendar(
    ctx: Context,
    actor: Actor,
    organization_code: str,
    timezone: str | None = None,
    hours: dict[str, Any] | None = None,
) -> CalendarView:
    """Change an organization's time zone and/or office hours (admins).

    Applies to steps opened from now on; due times already given stay as they were. A new
    time zone also rebuilds the dashboard's per-day summaries (seconds per 100,000 steps).

    :raises Invalid: a zone outside WIB/WITA/WIT, or hours that do not parse.
    """
    actor.require_role(Role.ADMIN, action="change working calendars")
    if timezone is not None and timezone not in INDONESIAN_ZONES:
        raise Invalid(ZONE_NOT_INDONESIAN, timezone=timezone, zones=list(INDONESIAN_ZONES))
    if hours is not None:
        try:
            hours = hours_as_dict(parse_hours(hours))
        except ValueError as exc:
            raise Invalid(HOURS_INVALID, reason=str(exc)) from None
    with ctx.transaction() as session:
        organization = _organization(session, organization_code)
        changes: dict[str, Any] = {}
        if timezone is not None and timezone != organization.timezone:
            changes["timezone"] = [organization.timezone, timezone]
            organization.timezone = timezone
        if hours is not None:
            current = organization.working_hours or hours_as_dict(DEFAULT_HOURS)
            if hours != current:
                changes["working_hours"] = [current, hours]
                organization.working_hours = hours
        if changes:
            session.add(
                Event(
                    type="organization_calendar_changed",
                    occurred_at=ctx.clock(),
                    actor_id=actor.user_id,
                    payload={"organization": organization.code, **changes},
                )
            )
    if "timezone" in changes:
        # The dashboard's summaries are per local day. (Imported here: summaries needs us.)
        from web.usecases.dashboard import summaries

        summaries.rebuild(ctx)
    return get_calendar(ctx, actor, ctx.clock().year, organization_code)
