"""Working time of an organization: its time zone, working hours per weekday and days off."""

import json
import threading
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.days_off import DaysOff, LocalDay, load_local_days
from engine.time_standard import TimeStandard

# The zones of Indonesia: WIB, WITA, WIT.
INDONESIAN_ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")

# Government office hours for a five-day week (Monday=0): Friday ends later for the long prayer.
DEFAULT_HOURS: Mapping[int, tuple[time, time]] = {
    0: (time(7, 30), time(16, 0)),
    1: (time(7, 30), time(16, 0)),
    2: (time(7, 30), time(16, 0)),
    3: (time(7, 30), time(16, 0)),
    4: (time(7, 30), time(16, 30)),
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_hours(spec: Mapping[str, object]) -> dict[int, tuple[time, time]]:
    """Working hours from their stored form, ``{"mon": ["07:30", "16:00"], ...}``.

    A weekday that is absent is a day off.

    :raises ValueError: an unknown weekday, a time that is not HH:MM, or an end before a start.
    """
    hours: dict[int, tuple[time, time]] = {}
    for name, window in spec.items():
        if name not in WEEKDAYS:
            raise ValueError(f"unknown weekday {name!r}; use {', '.join(WEEKDAYS)}")
        if not isinstance(window, list | tuple) or len(window) != 2:
            raise ValueError(f"{name}: give the hours as [start, end], e.g. ['07:30', '16:00']")
        try:
            start, end = (time.fromisoformat(str(part)) for part in window)
        except ValueError:
            raise ValueError(f"{name}: {window!r} are not HH:MM times") from None
        if end <= start:
            raise ValueError(f"{name}: the office closes ({end:%H:%M}) before it opens")
        hours[WEEKDAYS.index(name)] = (start, end)
    if not hours:
        raise ValueError("at least one weekday must have working hours")
    return hours


def hours_as_dict(hours: Mapping[int, tuple[time, time]]) -> dict[str, list[str]]:
    """The stored form of working hours (see :func:`parse_hours`)."""
    return {
        WEEKDAYS[day]: [start.strftime("%H:%M"), end.strftime("%H:%M")]
        for day, (start, end) in sorted(hours.items())
    }


@dataclass(frozen=True)
class WorkingCalendar:
    """Adds and measures working time; everything in and out is an aware datetime.

    ``holidays`` is any container of dates (a frozenset, or :class:`engine.days_off.DaysOff`
    which looks national and local days off up lazily, year by year).
    """

    timezone: str = "Asia/Jakarta"
    hours: Mapping[int, tuple[time, time]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    holidays: Container[date] = frozenset()

    @classmethod
    def of(cls, timezone: str, holidays: Iterable[date] = ()) -> "WorkingCalendar":
        return cls(timezone=timezone, holidays=frozenset(holidays))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.hours and day not in self.holidays

    def _window(self, day: date) -> tuple[datetime, datetime]:
        start, end = self.hours[day.weekday()]
        return (
            datetime.combine(day, start, self.zone),
            datetime.combine(day, end, self.zone),
        )

    def _next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        for _ in range(3660):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("the working calendar has no working day in ten years")

    def next_working_moment(self, moment: datetime) -> datetime:
        """The instant itself if in working hours, else the start of the next working period."""
        local = moment.astimezone(self.zone)
        day = local.date()
        if self.is_working_day(day):
            start, end = self._window(day)
            if local < start:
                return start
            if local < end:
                return local
        return self._window(self._next_working_day(day))[0]

    def add(self, moment: datetime, standard: TimeStandard) -> datetime:
        """The instant when ``standard`` of working time has passed since ``moment`` (in UTC).

        Whole days move to the same time of the next working days (clamped to the office
        hours of the day reached); minutes are then counted in office hours.
        """
        current = self.next_working_moment(moment)
        for _ in range(standard.days):
            day = self._next_working_day(current.date())
            start, end = self._window(day)
            current = min(max(datetime.combine(day, current.timetz()), start), end)
        if not standard.minutes:
            # Already in office hours, possibly at closing time: that is the due time.
            return current.astimezone(UTC)
        return self.add_working_time(current, timedelta(minutes=standard.minutes))

    def add_working_time(self, moment: datetime, amount: timedelta) -> datetime:
        """The instant when ``amount`` of office hours has passed since ``moment`` (in UTC)."""
        current = self.next_working_moment(moment)
        remaining = amount
        while remaining > timedelta(0):
            end = self._window(current.date())[1]
            available = end - current
            if remaining <= available:
                current += remaining
                break
            remaining -= available
            current = self._window(self._next_working_day(current.date()))[0]
        return current.astimezone(UTC)

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """How much office time lies between two instants (zero when ``end`` is not later)."""
        if end <= start:
            return timedelta(0)
        first = start.astimezone(self.zone)
        last = end.astimezone(self.zone)
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            if self.is_working_day(day):
                opens, closes = self._window(day)
                overlap = min(closes, last) - max(opens, first)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total


class CalendarBook:
    """The working calendar of each organization, built once and shared by every request.

    ``local`` are the days of the local holidays file (see :mod:`engine.days_off`); they are
    read once, so a changed file takes effect when the processes restart.
    """

    def __init__(self, local: Iterable[LocalDay] = ()):
        self._local = tuple(local)
        self._calendars: dict[tuple[str | None, str, str], WorkingCalendar] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: str | None) -> "CalendarBook":
        """:raises ValueError: the file cannot be read or has a line not understood."""
        return cls(load_local_days(path))

    def calendar(
        self,
        organization: str | None,
        timezone: str,
        working_hours: Mapping[str, Any] | None = None,
    ) -> WorkingCalendar:
        """The calendar of an organization (by code) in ``timezone`` with its stored hours.

        ``working_hours`` in the form of :func:`parse_hours`; None means :data:`DEFAULT_HOURS`.
        """
        key = (organization, timezone, json.dumps(working_hours, sort_keys=True))
        found = self._calendars.get(key)
        if found is None:
            with self._lock:
                found = self._calendars.get(key)
                if found is None:
                    hours = parse_hours(working_hours) if working_hours else dict(DEFAULT_HOURS)
                    found = WorkingCalendar(timezone, hours, DaysOff(organization, self._local))
                    self._calendars[key] = found
        return found
