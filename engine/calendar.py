"""Working time of an organization: its time zone, working hours per weekday and holidays."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.time_standard import TimeStandard

# Government office hours for a five-day week (Monday=0): Friday ends later for the long prayer.
DEFAULT_HOURS: Mapping[int, tuple[time, time]] = {
    0: (time(7, 30), time(16, 0)),
    1: (time(7, 30), time(16, 0)),
    2: (time(7, 30), time(16, 0)),
    3: (time(7, 30), time(16, 0)),
    4: (time(7, 30), time(16, 30)),
}


@dataclass(frozen=True)
class WorkingCalendar:
    """Adds working time to instants; everything in and out is an aware datetime."""

    timezone: str = "Asia/Jakarta"
    hours: Mapping[int, tuple[time, time]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    holidays: frozenset[date] = frozenset()

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
        """The instant when ``standard`` of working time has passed since ``moment`` (in UTC)."""
        current = self.next_working_moment(moment)
        for _ in range(standard.days):
            day = self._next_working_day(current.date())
            start, end = self._window(day)
            current = min(max(datetime.combine(day, current.timetz()), start), end)
        remaining = timedelta(minutes=standard.minutes)
        while remaining > timedelta(0):
            end = self._window(current.date())[1]
            available = end - current
            if remaining <= available:
                current += remaining
                break
            remaining -= available
            current = self._window(self._next_working_day(current.date()))[0]
        return current.astimezone(UTC)
