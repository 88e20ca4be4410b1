"""Durations written when steps and requests end, and their backfill by `alur db upgrade`.

Kota Uji works 07:30-16:00, Fridays to 16:30 (Asia/Jakarta); Monday 17 August 2026,
Independence Day, is a day off.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from storage.models import Instance, WorkItem
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.usecases.runtime import durations, instances, work_items

WIB = ZoneInfo("Asia/Jakarta")
HOUR = 3600
STEP_COLUMNS = (
    "standard_office_seconds",
    "wait_seconds",
    "wait_office_seconds",
    "handle_seconds",
    "handle_office_seconds",
)
REQUEST_COLUMNS = ("cycle_seconds", "cycle_office_seconds", "standard_office_seconds")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local moment of August 2026."""
    return datetime(2026, 8, day, hour, minute, tzinfo=WIB).astimezone(UTC)


@pytest.fixture
def requests(ctx, org, clock) -> dict[str, int]:
    """done: Friday 14:00 -> Tuesday 10:00 over the holiday; running; cancelled."""
    clock.now = at(14, 13)
    steps = [Step("terima", time="4 jam"), Step("periksa", lane="kepala", time="1 jam")]
    key = publish(ctx, build(SopSpec(key="uji_durasi", steps=steps)))
    ani, citra = org.actor("ani"), org.actor("citra")
    clock.now = at(14, 14)
    done = instances.start_instance(ctx, ani, key, {})
    terima = item_of(ctx, done.id, "terima")
    clock.now = at(14, 15)
    work_items.claim(ctx, ani, terima.id)
    clock.now = at(18, 8, 30)
    work_items.complete(ctx, ani, terima.id, {})
    running = instances.start_instance(ctx, ani, key, {})
    clock.now = at(18, 10)
    work_items.complete(ctx, citra, item_of(ctx, done.id, "periksa").id, {})
    cancelled = instances.start_instance(ctx, ani, key, {})
    clock.now = at(18, 11)
    instances.cancel_instance(ctx, citra, cancelled.id, "Pemohon mundur")
    return {"done": done.id, "running": running.id, "cancelled": cancelled.id}


def item_of(ctx, instance_id: int, activity: str) -> WorkItem:
    with ctx.transaction() as session:
        return session.scalars(
            select(WorkItem).where(
                WorkItem.instance_id == instance_id, WorkItem.activity_id == activity
            )
        ).one()


def request(ctx, instance_id: int) -> Instance:
    with ctx.transaction() as session:
        return session.get(Instance, instance_id)


def columns(ctx) -> dict[tuple[str, int], tuple]:
    """Every duration column of every step and request."""
    with ctx.transaction() as session:
        found = {
            ("step", item.id): tuple(getattr(item, name) for name in STEP_COLUMNS)
            for item in session.scalars(select(WorkItem))
        }
        for instance in session.scalars(select(Instance)):
            found["request", instance.id] = tuple(getattr(instance, n) for n in REQUEST_COLUMNS)
        return found


def test_a_completed_step_records_its_waiting_and_handling_time(ctx, requests):
    terima = item_of(ctx, requests["done"], "terima")

    # Ready Friday 14:00, claimed 15:00, completed Tuesday 08:30: office time is Friday
    # 15:00-16:30 and Tuesday 07:30-08:30, the Monday holiday and the weekend left out.
    assert (terima.wait_seconds, terima.wait_office_seconds) == (HOUR, HOUR)
    assert terima.handle_seconds == (3 * 24 + 17.5) * HOUR
    assert terima.handle_office_seconds == 2.5 * HOUR
    # 4 jam from Friday 14:00: 2.5 hours on Friday, 1.5 on Tuesday; due Tuesday 09:00.
    assert (terima.due_at, terima.standard_office_seconds) == (at(18, 9), 4 * HOUR)


def test_a_step_completed_without_a_claim_waited_until_its_completion(ctx, requests):
    periksa = item_of(ctx, requests["done"], "periksa")

    assert (periksa.wait_seconds, periksa.wait_office_seconds) == (1.5 * HOUR, 1.5 * HOUR)
    assert (periksa.handle_seconds, periksa.handle_office_seconds) == (0, 0)
    assert periksa.standard_office_seconds == HOUR


def test_a_completed_request_records_its_cycle_and_standard(ctx, requests):
    done = request(ctx, requests["done"])

    # Friday 14:00 -> Tuesday 10:00: 92 hours, of which 2.5 + 2.5 in the office.
    assert done.cycle_seconds == 92 * HOUR
    assert done.cycle_office_seconds == 5 * HOUR
    # The standards of its two steps, 4 jam + 1 jam, end exactly when it did.
    assert (done.standard_office_seconds, done.due_at) == (5 * HOUR, done.ended_at)


def test_open_and_withdrawn_steps_and_unfinished_requests_record_only_standards(ctx, requests):
    for name in ("running", "cancelled"):
        unfinished = request(ctx, requests[name])
        step = item_of(ctx, requests[name], "terima")

        assert (unfinished.cycle_seconds, unfinished.cycle_office_seconds) == (None, None), name
        assert unfinished.standard_office_seconds is None, name
        assert step.standard_office_seconds == 4 * HOUR, name
        assert [getattr(step, n) for n in STEP_COLUMNS[1:]] == [None] * 4, name


def _forget_durations(ctx) -> None:
    """What rows written before the durations were recorded look like."""
    with ctx.transaction() as session:
        session.execute(update(WorkItem).values(dict.fromkeys(STEP_COLUMNS)))
        session.execute(update(Instance).values(dict.fromkeys(REQUEST_COLUMNS)))


def test_backfill_writes_the_same_durations_as_completion_once(ctx, requests):
    recorded = columns(ctx)
    _forget_durations(ctx)
    assert all(value is None for row in columns(ctx).values() for value in row)

    filled = durations.backfill(ctx)

    # Four steps (all with a standard) and the one completed request.
    assert filled == 4 + 1
    assert columns(ctx) == recorded
    assert durations.backfill(ctx) == 0
    assert columns(ctx) == recorded


def test_backfill_fills_only_what_is_missing(ctx, requests):
    recorded = columns(ctx)
    with ctx.transaction() as session:
        session.execute(
            update(Instance)
            .where(Instance.id == requests["done"])
            .values(cycle_seconds=None, cycle_office_seconds=None)
        )

    assert durations.backfill(ctx) == 1
    assert columns(ctx) == recorded


def test_backfill_works_in_batches(ctx, requests, monkeypatch):
    recorded = columns(ctx)
    _forget_durations(ctx)
    monkeypatch.setattr(durations, "BACKFILL_BATCH", 1)

    assert durations.backfill(ctx) == 5
    assert columns(ctx) == recorded


def test_alur_db_upgrade_backfills_the_durations(ctx, requests, alur):
    recorded = columns(ctx)
    _forget_durations(ctx)

    result = alur("db", "upgrade")

    assert result.exit_code == 0, result.output
    assert "Recorded the durations of 5 steps and requests ended earlier." in result.output
    assert columns(ctx) == recorded
    assert "Recorded" not in alur("db", "upgrade").output
