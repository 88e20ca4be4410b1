"""SLA states of steps and requests, breaches recorded once, reminders queued, overdue filters."""

import threading
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine.sla import SlaState
from storage.models import Event, OutboxMessage, ReminderKind, WorkItem
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.usecases.pagination import PageRequest
from web.usecases.runtime import breaches, instances, sla, work_items

WIB = ZoneInfo("Asia/Jakarta")
MONDAY_10 = datetime(2026, 11, 23, 10, tzinfo=WIB).astimezone(UTC)


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Monday 23 November 2026, WIB."""
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=WIB).astimezone(UTC)


@pytest.fixture
def key(ctx, org, clock) -> str:
    """terima (1 jam) -> periksa (1 jam), both for UJI-STAF; the clock at Monday 10:00 WIB."""
    clock.now = MONDAY_10
    steps = [Step("terima", time="1 jam"), Step("periksa", time="1 jam")]
    return publish(ctx, build(SopSpec(key="uji_sla", steps=steps)))


def start(ctx, org, key):
    instance = instances.start_instance(ctx, org.actor("ani"), key, {})
    return instance, item_of(ctx, instance.id, "terima")


def item_of(ctx, instance_id: int, activity: str) -> WorkItem:
    with ctx.transaction() as session:
        return session.scalar(
            select(WorkItem).where(
                WorkItem.instance_id == instance_id, WorkItem.activity_id == activity
            )
        )


def events(ctx, type_: str) -> list[Event]:
    with ctx.transaction() as session:
        return list(session.scalars(select(Event).where(Event.type == type_).order_by(Event.id)))


def reminders(ctx) -> list[OutboxMessage]:
    with ctx.transaction() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_step_is_on_time_then_at_risk_then_breached(ctx, org, key, clock):
    _, item = start(ctx, org, key)
    assert (item.due_at, item.at_risk_at) == (at(11), at(10, 48))

    states = [sla.work_item_sla(item, moment) for moment in (at(10), at(10, 48), at(11, 0, 1))]

    assert states == [SlaState.ON_TIME, SlaState.AT_RISK, SlaState.BREACHED]


def test_a_breach_is_recorded_once_with_its_event_and_a_reminder(ctx, org, key, clock):
    instance, item = start(ctx, org, key)
    clock.now = at(11, 0, 1)

    assert breaches.record_breaches(ctx) == 1
    clock.now = at(11, 30)
    assert breaches.record_breaches(ctx) == 0

    assert item_of(ctx, instance.id, "terima").breached_at == at(11, 0, 1)
    [event] = events(ctx, "work_item_breached")
    assert event.work_item_id == item.id and event.actor_id is None
    assert event.payload["noticed_by"] == "scheduler"
    assert event.payload["activity_name"] == "Langkah terima"
    [reminder] = reminders(ctx)
    assert (reminder.kind, reminder.recipient) == (ReminderKind.BREACHED, "UJI-STAF")
    assert reminder.payload["reference"] == instance.reference
    assert reminder.payload["due_at"] == at(11).isoformat()
    assert reminder.sent_at is None


def test_a_step_at_risk_is_warned_once_then_breached_once(ctx, org, key, clock):
    _, item = start(ctx, org, key)
    clock.now = at(10, 50)
    assert breaches.warn_at_risk(ctx) == 1
    assert breaches.warn_at_risk(ctx) == 0
    clock.now = at(11, 5)
    assert breaches.warn_at_risk(ctx) == 0
    assert breaches.record_breaches(ctx) == 1

    kinds = [r.kind for r in reminders(ctx)]
    assert kinds == [ReminderKind.AT_RISK, ReminderKind.BREACHED]
    assert [e.work_item_id for e in events(ctx, "work_item_warned")] == [item.id]


def test_a_step_first_noticed_after_its_due_time_gets_no_at_risk_warning(ctx, org, key, clock):
    start(ctx, org, key)
    clock.now = at(12)
    assert breaches.warn_at_risk(ctx) == 0
    assert breaches.record_breaches(ctx) == 1


def test_a_late_completion_records_its_own_breach_once(ctx, org, key, clock):
    _, item = start(ctx, org, key)
    clock.now = at(11, 20)

    done = work_items.complete(ctx, org.actor("ani"), item.id, {})

    assert done.breached_at == at(11, 20)
    assert sla.work_item_sla(done, at(15)) == SlaState.BREACHED
    [event] = events(ctx, "work_item_breached")
    assert event.payload["noticed_by"] == "completion"
    assert event.actor_id == org.actor("ani").user_id
    assert breaches.record_breaches(ctx) == 0
    assert reminders(ctx) == []  # the step is done: nobody to remind


def test_a_completion_after_the_scheduler_recorded_the_breach_adds_nothing(ctx, org, key, clock):
    _, item = start(ctx, org, key)
    clock.now = at(11, 5)
    breaches.record_breaches(ctx)
    clock.now = at(11, 20)

    done = work_items.complete(ctx, org.actor("ani"), item.id, {})

    assert done.breached_at == at(11, 5)
    assert len(events(ctx, "work_item_breached")) == 1


def test_a_step_completed_in_time_stays_on_time(ctx, org, key, clock):
    _, item = start(ctx, org, key)
    clock.now = at(10, 55)
    done = work_items.complete(ctx, org.actor("ani"), item.id, {})
    clock.now = at(16)
    assert breaches.record_breaches(ctx) == 1  # periksa, opened at 10:55, is now late
    assert sla.work_item_sla(done, clock()) == SlaState.ON_TIME
    assert done.breached_at is None


def test_a_request_is_measured_against_the_sum_of_its_steps_standards(ctx, org, key, clock):
    instance, item = start(ctx, org, key)
    first = instances.get_instance(ctx, org.actor("ani"), instance.id).instance
    assert first.due_at == at(11)  # one step so far

    clock.now = at(10, 30)
    work_items.complete(ctx, org.actor("ani"), item.id, {})
    second = instances.get_instance(ctx, org.actor("ani"), instance.id).instance
    # Two steps of one hour each, counted from the start at 10:00.
    assert (second.due_at, second.at_risk_at) == (at(12), at(11, 36))
    assert sla.instance_sla(second, at(11, 35)) == SlaState.ON_TIME
    assert sla.instance_sla(second, at(11, 40)) == SlaState.AT_RISK
    # periksa (ready 10:30, due 11:30) is late while the request as a whole is not.
    periksa = item_of(ctx, instance.id, "periksa")
    assert sla.work_item_sla(periksa, at(11, 40)) == SlaState.BREACHED

    clock.now = at(12, 10)
    work_items.complete(ctx, org.actor("ani"), periksa.id, {})
    done = instances.get_instance(ctx, org.actor("ani"), instance.id).instance
    assert done.status.value == "completed"
    assert sla.instance_sla(done, at(16)) == SlaState.BREACHED


def test_overdue_filters_of_the_inbox_and_the_request_list(ctx, org, key, clock):
    late, _ = start(ctx, org, key)
    clock.now = at(10, 30)
    fresh, _ = start(ctx, org, key)
    clock.now = at(11, 10)

    inbox = work_items.inbox(ctx, org.actor("ani"), PageRequest(), overdue=True)
    listed = instances.list_instances(ctx, org.actor("citra"), PageRequest(), overdue=True)

    assert [i.instance_id for i in inbox.items] == [late.id]
    assert [i.id for i in listed.items] == [late.id]
    assert work_items.inbox(ctx, org.actor("ani"), PageRequest()).total == 2
    assert fresh.id not in [i.id for i in listed.items]


@pytest.mark.parametrize("attempt", range(2))
def test_two_schedulers_at_once_record_each_breach_once(ctx, org, key, clock, attempt):
    for _ in range(12):
        start(ctx, org, key)
    clock.now = at(12)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def scheduler() -> None:
        barrier.wait()
        counts.append(breaches.record_breaches(ctx, batch=5))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sum(counts) == 12
    recorded = [e.work_item_id for e in events(ctx, "work_item_breached")]
    assert len(recorded) == len(set(recorded)) == 12
    assert len(reminders(ctx)) == 12


def test_the_api_shows_sla_states_and_filters_overdue_steps(client, auth, api_ctx, clock):
    clock.now = MONDAY_10
    steps = [Step("terima", time="1 jam")]
    key = publish(api_ctx, build(SopSpec(key="uji_sla_api", steps=steps)))
    started = client.post("/api/instances", json={"sop": key}, headers=auth["ani"]).json
    assert started["sla_state"] == "on_time"
    assert started["due_at"] == at(11).isoformat()

    clock.now = at(10, 50)
    [item] = client.get("/api/work-items", headers=auth["ani"]).json["items"]
    assert (item["sla_state"], item["at_risk_at"]) == ("at_risk", at(10, 48).isoformat())
    assert client.get("/api/work-items?overdue=true", headers=auth["ani"]).json["items"] == []

    clock.now = at(11, 30)
    breaches.record_breaches(api_ctx)
    [late] = client.get("/api/work-items?overdue=true", headers=auth["ani"]).json["items"]
    assert (late["sla_state"], late["breached_at"]) == ("breached", at(11, 30).isoformat())
    listed = client.get("/api/instances?overdue=true", headers=auth["citra"]).json
    assert [i["id"] for i in listed["items"]] == [started["id"]]
    assert listed["items"][0]["sla_state"] == "breached"
    detail = client.get(f"/api/instances/{started['id']}", headers=auth["citra"]).json
    assert "work_item_breached" in [e["type"] for e in detail["events"]]


def test_recording_a_breach_while_the_late_step_is_being_completed(
    ctx, org, key, clock, monkeypatch, engine
):
    instance, item = start(ctx, org, key)
    clock.now = at(11, 30)
    notice = work_items.notice_late_completion

    def officer_pauses(*args, **kwargs):
        # The officer holds the request (locked) when the scheduler records the breach.
        time.sleep(0.4)
        return notice(*args, **kwargs)

    monkeypatch.setattr(work_items, "notice_late_completion", officer_pauses)
    results: dict[str, object] = {}

    def officer() -> None:
        results["completed"] = work_items.complete(ctx, org.actor("ani"), item.id, {})

    def scheduler() -> None:
        time.sleep(0.15)
        results["breached"] = breaches.record_breaches(ctx)

    threads = [threading.Thread(target=officer), threading.Thread(target=scheduler)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results["completed"].status.value == "completed"
    [breach] = events(ctx, "work_item_breached")
    # PostgreSQL lets the scheduler record it meanwhile; SQLite has it wait for the completion.
    expected = "scheduler" if engine.dialect.name == "postgresql" else "completion"
    assert breach.payload["noticed_by"] == expected
    assert item_of(ctx, instance.id, "terima").breached_at is not None
