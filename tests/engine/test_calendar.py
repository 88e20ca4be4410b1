"""Due times in working time: office hours, weekends, Friday, holidays, and the three zones."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.calendar import WorkingCalendar
from engine.time_standard import parse_time_standard

JAKARTA = ZoneInfo("Asia/Jakarta")
# January 2026: Monday the 5th ... Friday the 9th, Saturday the 10th, Monday the 12th.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 1, d) for d in range(5, 12))
NEXT_MON, NEXT_TUE, NEXT_WED = date(2026, 1, 12), date(2026, 1, 13), date(2026, 1, 14)


def at(day: date, hour: int, minute: int = 0, zone: str = "Asia/Jakarta") -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))


def due(start: datetime, standard: str, calendar: WorkingCalendar | None = None) -> datetime:
    calendar = calendar or WorkingCalendar()
    result = calendar.add(start, parse_time_standard(standard))
    assert result.tzinfo is UTC
    return result


@pytest.mark.parametrize(
    ("start", "standard", "expected"),
    [
        (at(MON, 10), "1 jam", at(MON, 11)),
        (at(MON, 10), "15 menit", at(MON, 10, 15)),
        (at(MON, 15), "1 jam", at(MON, 16)),
        (at(MON, 15, 30), "1 jam", at(TUE, 8)),
        (at(MON, 6), "1 jam", at(MON, 8, 30)),
        (at(MON, 17), "1 jam", at(TUE, 8, 30)),
        (at(MON, 16), "30 menit", at(TUE, 8)),
        (at(MON, 10), "8 jam", at(TUE, 9, 30)),
        (at(MON, 10), "1 hari", at(TUE, 10)),
        (at(MON, 10), "1,5 hari", at(TUE, 14)),
        (at(MON, 10), "1-2 hari", at(WED, 10)),
        (at(WED, 10), "1 minggu", at(NEXT_WED, 10)),
        (at(SUN, 23), "1 hari", at(NEXT_TUE, 7, 30)),
    ],
    ids=lambda v: v.strftime("%a %H:%M") if isinstance(v, datetime) else v,
)
def test_due_time_counts_only_office_hours(start, standard, expected) -> None:
    assert due(start, standard) == expected


@pytest.mark.parametrize(
    ("start", "standard", "expected"),
    [
        (at(FRI, 10), "1 hari", at(NEXT_MON, 10)),
        (at(FRI, 10), "3 hari kerja", at(NEXT_WED, 10)),
        (at(THU, 15, 30), "1 jam", at(FRI, 8)),
        (at(SAT, 10), "15 menit", at(NEXT_MON, 7, 45)),
        (at(SUN, 10), "2 jam", at(NEXT_MON, 9, 30)),
    ],
    ids=["fri+1 hari", "fri+3 hari kerja", "thu end of day", "saturday", "sunday"],
)
def test_weekend_is_skipped(start, standard, expected) -> None:
    assert due(start, standard) == expected


def test_friday_office_closes_later() -> None:
    assert due(at(FRI, 15, 30), "1 jam") == at(FRI, 16, 30)
    assert due(at(FRI, 16), "1 jam") == at(NEXT_MON, 8)
    assert due(at(THU, 15, 30), "30 menit") == at(THU, 16)


def test_a_day_from_late_friday_ends_when_monday_closes() -> None:
    # Friday 16:15 is still office time; Monday closes at 16:00.
    assert due(at(FRI, 16, 15), "1 hari") == at(NEXT_MON, 16)


def test_holidays_are_skipped() -> None:
    calendar = WorkingCalendar.of("Asia/Jakarta", holidays=[TUE, NEXT_MON])
    assert due(at(MON, 10), "1 hari", calendar) == at(WED, 10)
    assert due(at(MON, 15, 30), "1 jam", calendar) == at(WED, 8)
    assert due(at(TUE, 10), "1 jam", calendar) == at(WED, 8, 30)
    assert due(at(FRI, 10), "1 hari", calendar) == at(NEXT_TUE, 10)
    assert not calendar.is_working_day(TUE)
    assert calendar.is_working_day(WED)
    assert not calendar.is_working_day(SAT)


def test_year_end_collective_leave() -> None:
    leave = [date(2025, 12, 24), date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)]
    calendar = WorkingCalendar.of("Asia/Jakarta", holidays=leave)
    start = datetime(2025, 12, 23, 15, tzinfo=JAKARTA)
    assert due(start, "2 jam", calendar) == datetime(2025, 12, 29, 8, 30, tzinfo=JAKARTA)


@pytest.mark.parametrize(
    ("zone", "offset_hours"),
    [("Asia/Jakarta", 7), ("Asia/Makassar", 8), ("Asia/Jayapura", 9)],
    ids=["WIB", "WITA", "WIT"],
)
def test_each_zone_keeps_its_own_office_hours(zone: str, offset_hours: int) -> None:
    result = due(at(MON, 15, 30, zone), "1 jam", WorkingCalendar.of(zone))
    assert result == at(TUE, 8, 0, zone)
    assert result == datetime(2026, 1, 6, 8, tzinfo=UTC) - timedelta(hours=offset_hours)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Asia/Jakarta", (7, 45)), ("Asia/Makassar", (8, 0)), ("Asia/Jayapura", (9, 0))],
    ids=["WIB", "WITA", "WIT"],
)
def test_utc_input_is_read_in_the_organizations_zone(zone: str, expected: tuple) -> None:
    # Sunday 23:45 UTC is Monday 06:45 WIB (before opening), 07:45 WITA, 08:45 WIT.
    start = datetime(2026, 1, 11, 23, 45, tzinfo=UTC)
    result = due(start, "15 menit", WorkingCalendar.of(zone))
    assert result == at(NEXT_MON, *expected, zone=zone)


def test_next_working_moment() -> None:
    calendar = WorkingCalendar()
    assert calendar.next_working_moment(at(MON, 10)) == at(MON, 10)
    assert calendar.next_working_moment(at(MON, 5)) == at(MON, 7, 30)
    assert calendar.next_working_moment(at(MON, 16)) == at(TUE, 7, 30)
    assert calendar.next_working_moment(at(SAT, 9)) == at(NEXT_MON, 7, 30)


def test_calendar_without_working_days_is_refused() -> None:
    calendar = WorkingCalendar(hours={})
    with pytest.raises(ValueError, match="no working day"):
        calendar.add(at(MON, 10), parse_time_standard("1 jam"))


def test_longest_standard_is_computed_quickly() -> None:
    result = due(at(MON, 10), "1000 hari")
    assert result.year == 2029
