"""Due times in working time: office hours, weekends, Friday, holidays, and the three zones."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.calendar import CalendarBook, WorkingCalendar, hours_as_dict, parse_hours
from engine.days_off import parse_local_days
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


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (at(MON, 10), at(MON, 11), 1),
        (at(MON, 15), at(TUE, 8, 30), 2),
        (at(MON, 6), at(MON, 7), 0),
        (at(FRI, 16), at(NEXT_MON, 8, 30), 1.5),
        (at(SAT, 9), at(SUN, 17), 0),
        (at(MON, 7, 30), at(FRI, 16, 30), 4 * 8.5 + 9),
        (at(TUE, 10), at(MON, 10), 0),
    ],
    ids=[
        "an hour",
        "across the night",
        "before opening",
        "fri to mon",
        "weekend",
        "a week",
        "backwards",
    ],
)
def test_working_time_between_two_instants(start, end, hours) -> None:
    assert WorkingCalendar().working_time(start, end) == timedelta(hours=hours)


def test_working_time_skips_holidays_and_adding_it_back_lands_on_the_end() -> None:
    calendar = WorkingCalendar.of("Asia/Jakarta", holidays=[TUE])
    assert calendar.working_time(at(MON, 15), at(WED, 8)) == timedelta(hours=1, minutes=30)
    for start, end in [(at(MON, 9), at(WED, 11)), (at(THU, 15, 45), at(NEXT_TUE, 7, 45))]:
        amount = calendar.working_time(start, end)
        assert calendar.add_working_time(start, amount) == end


def test_a_due_time_at_closing_time_stays_there() -> None:
    # 15:00 + 1 hour ends at 16:00 sharp, the close of Monday, not at Tuesday's opening...
    assert due(at(MON, 15), "1 jam") == at(MON, 16)
    assert due(at(MON, 15), "1 hari") == at(TUE, 15)
    # ... while a step that opens at closing time starts counting the next morning.
    assert due(at(MON, 16), "1 hari") == at(WED, 7, 30)


def test_organizations_set_their_own_hours() -> None:
    hours = parse_hours(
        {
            "mon": ["08:00", "16:00"],
            "tue": ["08:00", "16:00"],
            "wed": ["08:00", "16:00"],
            "thu": ["08:00", "16:00"],
            "fri": ["08:00", "11:30"],
            "sat": ["08:00", "12:00"],
        }
    )
    calendar = WorkingCalendar("Asia/Makassar", hours)
    wita = "Asia/Makassar"
    assert due(at(FRI, 11, zone=wita), "1 jam", calendar) == at(SAT, 8, 30, zone=wita)
    assert due(at(SAT, 11, zone=wita), "2 jam", calendar) == at(NEXT_MON, 9, zone=wita)
    assert hours_as_dict(hours)["fri"] == ["08:00", "11:30"]
    assert "sun" not in hours_as_dict(hours)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"senin": ["07:30", "16:00"]}, "unknown weekday"),
        ({"mon": ["07:30"]}, r"\[start, end\]"),
        ({"mon": ["7.30", "16:00"]}, "HH:MM"),
        ({"mon": ["16:00", "07:30"]}, "closes"),
        ({}, "at least one"),
    ],
)
def test_hours_that_make_no_sense_are_refused(spec, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hours(spec)


def test_calendar_book_gives_each_organization_its_calendar_once() -> None:
    book = CalendarBook(parse_local_days("2026-01-07 KOTA-A Hari Jadi Kota A"))
    a = book.calendar("KOTA-A", "Asia/Jakarta")
    assert book.calendar("KOTA-A", "Asia/Jakarta") is a
    assert not a.is_working_day(WED)
    assert book.calendar("KOTA-B", "Asia/Jakarta").is_working_day(WED)
    assert not a.is_working_day(date(2026, 1, 1))  # Tahun Baru Masehi, from the holidays package
    changed = book.calendar("KOTA-A", "Asia/Jakarta", {"mon": ["08:00", "12:00"]})
    assert changed is not a and not changed.is_working_day(TUE)
