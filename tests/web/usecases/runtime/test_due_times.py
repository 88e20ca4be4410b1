"""Due times of real steps in the organization's working calendar, driven by the clock."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine.calendar import CalendarBook
from engine.days_off import parse_local_days
from storage.models import Event
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.usecases.context import SYSTEM
from web.usecases.errors import Forbidden, Invalid
from web.usecases.organization import calendars
from web.usecases.runtime import instances, work_items

WIB = ZoneInfo("Asia/Jakarta")


def local(text: str, zone: ZoneInfo = WIB) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def first_step(ctx, org, clock, start: datetime, standard: str, key: str = "uji_waktu"):
    """Start a request at ``start`` on a one-step SOP whose standard is ``standard``."""
    publish(ctx, build(SopSpec(key=key, steps=[Step("terima", time=standard)])))
    clock.now = start.astimezone(UTC)
    instance = instances.start_instance(ctx, org.actor("ani"), key, {})
    view = instances.get_instance(ctx, org.actor("ani"), instance.id)
    return view.work_items[0], view.instance


@pytest.mark.parametrize(
    ("start", "standard", "due"),
    [
        ("2026-11-23 10:00", "2 jam", "2026-11-23 12:00"),
        ("2026-11-23 15:30", "1 jam", "2026-11-24 08:00"),
        ("2026-11-23 19:00", "15 menit", "2026-11-24 07:45"),
        ("2026-11-27 16:00", "15 menit", "2026-11-27 16:15"),
        ("2026-11-27 15:00", "3 jam", "2026-11-30 09:00"),
        ("2026-11-28 10:00", "1 hari", "2026-12-01 07:30"),
        ("2026-12-23 15:00", "1 hari", "2026-12-28 15:00"),
        ("2026-12-22 09:00", "3 hari kerja", "2026-12-29 09:00"),
        ("2026-03-17 10:00", "1 hari", "2026-03-25 10:00"),
        ("2026-08-10 10:00", "1 minggu", "2026-08-18 10:00"),
    ],
    ids=[
        "within the day",
        "end of the working day",
        "evening",
        "friday closes later",
        "over the weekend",
        "started on saturday",
        "natal and its cuti bersama",
        "3 hari kerja over natal",
        "nyepi and idul fitri cuti bersama",
        "a week over independence day",
    ],
)
def test_due_time_is_the_standard_in_working_time(ctx, org, clock, start, standard, due):
    item, _ = first_step(ctx, org, clock, local(start), standard)
    assert item.ready_at == local(start).astimezone(UTC)
    assert item.due_at == local(due).astimezone(UTC)


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"])
def test_each_time_zone_counts_its_own_office_hours(ctx, org, clock, zone):
    calendars.set_calendar(ctx, org.actor("admin"), "KOTA-UJI", timezone=zone)
    item, _ = first_step(ctx, org, clock, local("2026-11-23 15:30", ZoneInfo(zone)), "1 jam")
    assert item.due_at == local("2026-11-24 08:00", ZoneInfo(zone)).astimezone(UTC)
    offset = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}[zone]
    assert item.due_at == datetime(2026, 11, 24, 8, tzinfo=UTC) - timedelta(hours=offset)


def test_at_risk_is_stored_at_eighty_percent_of_the_working_time(ctx, org, clock):
    item, instance = first_step(ctx, org, clock, local("2026-11-23 10:00"), "1 hari")
    # Monday 10:00 to Tuesday 10:00 is 8.5 working hours; 80% is 6 h 48 min.
    assert item.due_at == local("2026-11-24 10:00").astimezone(UTC)
    assert item.at_risk_at == local("2026-11-24 08:18").astimezone(UTC)
    assert (instance.due_at, instance.at_risk_at) == (item.due_at, item.at_risk_at)


def test_a_local_holiday_from_the_file_moves_the_due_time(ctx, org, clock):
    local_days = parse_local_days("2026-11-24 KOTA-UJI Hari Jadi Kota Uji\n")
    ctx = type(ctx)(ctx.sessions, ctx.engine_options, ctx.clock, CalendarBook(local_days))
    item, _ = first_step(ctx, org, clock, local("2026-11-23 15:30"), "1 jam")
    assert item.due_at == local("2026-11-25 08:00").astimezone(UTC)


def test_an_organization_with_saturday_service(ctx, org, clock):
    hours = {day: ["08:00", "15:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    view = calendars.set_calendar(
        ctx, org.actor("admin"), "KOTA-UJI", hours={**hours, "sat": ["08:00", "12:00"]}
    )
    assert view.hours["sat"] == ["08:00", "12:00"]
    item, _ = first_step(ctx, org, clock, local("2026-11-27 14:00"), "2 jam")
    assert item.due_at == local("2026-11-28 09:00").astimezone(UTC)


def test_changing_the_calendar_does_not_move_due_times_already_given(ctx, org, clock):
    item, _ = first_step(ctx, org, clock, local("2026-11-23 15:30"), "1 jam")
    calendars.set_calendar(ctx, org.actor("admin"), "KOTA-UJI", timezone="Asia/Jayapura")
    view = work_items.get_work_item(ctx, org.actor("ani"), item.id)
    assert view.item.due_at == item.due_at


def test_the_calendar_lists_national_and_local_days_off(ctx, org):
    ctx = type(ctx)(
        ctx.sessions,
        ctx.engine_options,
        ctx.clock,
        CalendarBook(parse_local_days("2026-10-28 * Hari Jadi\n")),
    )
    view = calendars.get_calendar(ctx, org.actor("ani"), 2026)
    days = {d.day.isoformat(): (d.name, d.source) for d in view.days_off}
    assert days["2026-12-24"] == ("Cuti Bersama Hari Raya Natal", "national")
    assert days["2026-10-28"] == ("Hari Jadi", "local")
    assert view.timezone == "Asia/Jakarta"
    assert view.hours["fri"] == ["07:30", "16:30"]


def test_only_admins_change_calendars_and_only_to_indonesian_zones(ctx, org):
    with pytest.raises(Forbidden):
        calendars.set_calendar(ctx, org.actor("citra"), "KOTA-UJI", timezone="Asia/Makassar")
    with pytest.raises(Invalid, match="Asia/Jakarta"):
        calendars.set_calendar(ctx, SYSTEM, "KOTA-UJI", timezone="Europe/Amsterdam")
    with pytest.raises(Invalid, match="closes"):
        calendars.set_calendar(ctx, SYSTEM, "KOTA-UJI", hours={"mon": ["16:00", "08:00"]})


def test_a_calendar_change_is_audited(ctx, org):
    calendars.set_calendar(ctx, org.actor("admin"), "KOTA-UJI", timezone="Asia/Makassar")
    calendars.set_calendar(ctx, org.actor("admin"), "KOTA-UJI", timezone="Asia/Makassar")
    with ctx.transaction() as session:
        changes = list(
            session.scalars(select(Event).where(Event.type == "organization_calendar_changed"))
        )
    assert [c.payload["timezone"] for c in changes] == [["Asia/Jakarta", "Asia/Makassar"]]
