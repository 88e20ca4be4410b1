"""BPMN timers woken by the scheduler's use case: escalations in the history, once, and the race
between a timer and an officer completing the same step."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from storage.models import Instance, OutboxMessage, ReminderKind, WorkItemStatus
from storage.repositories import runtime as repo
from tests.factories.bpmn import SopSpec, Step, boundary_timer, build, flow
from tests.web.conftest import publish
from web.usecases.errors import Conflict
from web.usecases.runtime import instances, timers, work_items


def escalating_sop(interrupting: bool = True, duration: str = "PT2H") -> bytes:
    """terima (staf, 1 hari) -> end; after ``duration`` a boundary timer opens tegur (kepala)."""
    steps = [Step("terima", time="1 hari"), Step("tegur", lane="kepala", chained=False)]
    extra = (
        boundary_timer("batas", "terima", duration, interrupting)
        + '<bpmn:endEvent id="akhir_tegur"/>'
        + flow("batas", "tegur")
        + flow("tegur", "akhir_tegur")
    )
    return build(SopSpec(key="eskalasi_uji", steps=steps, extra=extra))


def start(ctx, org, interrupting: bool = True):
    key = publish(ctx, escalating_sop(interrupting))
    instance = instances.start_instance(ctx, org.actor("ani"), key, {"pemohon": "Sari"})
    return instance, view(ctx, org, instance).work_items[0]


def view(ctx, org, instance):
    return instances.get_instance(ctx, org.actor("admin"), instance.id)


def events(ctx, org, instance, type_: str) -> list:
    with ctx.transaction() as session:
        return [e for e in repo.events_of(session, instance.id) if e.type == type_]


def outbox_rows(ctx) -> list[OutboxMessage]:
    with ctx.transaction() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.mark.parametrize("interrupting", [True, False], ids=["interrupting", "non-interrupting"])
def test_a_due_timer_fires_once_and_the_history_names_the_escalation(ctx, org, clock, interrupting):
    instance, _ = start(ctx, org, interrupting)
    assert view(ctx, org, instance).instance.next_wake_at == clock() + timedelta(hours=2)

    clock.advance(hours=2)
    assert timers.fire_due_timers(ctx) == 0  # due at, not yet past: SpiffWorkflow's rule
    clock.advance(seconds=1)
    assert timers.fire_due_timers(ctx) == 1
    assert timers.fire_due_timers(ctx) == 0

    [fired] = events(ctx, org, instance, "timer_fired")
    assert fired.actor_id is None
    assert [t["event"] for t in fired.payload["timers"]] == ["batas"]
    assert [(s["activity"], s["name"], s["position"]) for s in fired.payload["opened"]] == [
        ("tegur", "Langkah tegur", "UJI-KEPALA")
    ]
    withdrawn = [s["activity"] for s in fired.payload["withdrawn"]]
    assert withdrawn == (["terima"] if interrupting else [])
    opened = events(ctx, org, instance, "work_item_opened")
    assert [e.payload.get("cause") for e in opened] == [None, "timer"]
    items = {w.activity_id: w.status for w in view(ctx, org, instance).work_items}
    expected = WorkItemStatus.CANCELLED if interrupting else WorkItemStatus.OPEN
    assert items == {"terima": expected, "tegur": WorkItemStatus.OPEN}
    assert view(ctx, org, instance).instance.next_wake_at is None
    [reminder] = outbox_rows(ctx)
    assert (reminder.kind, reminder.recipient) == (ReminderKind.ESCALATION, "UJI-KEPALA")
    assert reminder.payload["activity"] == "tegur"
    assert reminder.payload["timers"][0]["event"] == "batas"
    assert reminder.sent_at is None


def test_completion_before_the_scheduler_withdraws_the_timer(ctx, org, clock):
    instance, terima = start(ctx, org)
    clock.advance(hours=3)  # the timer is due, but no scheduler has woken the request yet

    done = work_items.complete(ctx, org.actor("ani"), terima.id, {})

    assert done.status == WorkItemStatus.COMPLETED
    assert timers.fire_due_timers(ctx) == 0
    after = view(ctx, org, instance)
    assert after.instance.status.value == "completed"
    assert [w.activity_id for w in after.work_items] == ["terima"]
    assert not events(ctx, org, instance, "timer_fired")


def test_timer_before_the_completion_gives_a_conflict_saying_so(ctx, org, clock):
    instance, terima = start(ctx, org)
    clock.advance(hours=3)
    assert timers.fire_due_timers(ctx) == 1

    with pytest.raises(Conflict) as caught:
        work_items.complete(ctx, org.actor("ani"), terima.id, {})

    assert caught.value.details["cause"] == "timer"
    assert "escalated" in caught.value.message
    assert not events(ctx, org, instance, "work_item_completed")


def _race(
    ctx, org, terima, officer_delay: float = 0.0, scheduler_delay: float = 0.0
) -> dict[str, object]:
    """The scheduler and an officer (completing ``terima``) in two threads, at once."""
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def scheduler() -> None:
        barrier.wait()
        time.sleep(scheduler_delay)
        outcome["fired"] = timers.fire_due_timers(ctx)

    def officer() -> None:
        barrier.wait()
        time.sleep(officer_delay)
        try:
            outcome["completed"] = work_items.complete(ctx, org.actor("ani"), terima.id, {})
        except Conflict as exc:
            outcome["conflict"] = exc

    threads = [threading.Thread(target=scheduler), threading.Thread(target=officer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcome


def _slowed(function, seconds: float):
    def slow(*args, **kwargs):
        time.sleep(seconds)
        return function(*args, **kwargs)

    return slow


def _assert_one_audited_outcome(ctx, org, instance, outcome) -> str:
    # A timer the scheduler passed over (the officer held the request) fires now if it should.
    timers.fire_due_timers(ctx)
    after = view(ctx, org, instance)
    statuses = {w.activity_id: w.status for w in after.work_items}
    fired = events(ctx, org, instance, "timer_fired")
    completed = events(ctx, org, instance, "work_item_completed")
    if "completed" in outcome:
        # The completion won: it is stored and audited, and the timer is gone for good.
        assert statuses == {"terima": WorkItemStatus.COMPLETED}
        assert len(completed) == 1 and not fired
        assert after.instance.status.value == "completed"
        return "completion"
    # The escalation won: the officer was told, and nothing of theirs was stored.
    assert outcome["conflict"].details["cause"] == "timer"
    assert statuses == {"terima": WorkItemStatus.CANCELLED, "tegur": WorkItemStatus.OPEN}
    assert len(fired) == 1 and not completed
    assert len(events(ctx, org, instance, "work_item_withdrawn")) == 1
    return "escalation"


def test_officer_completing_during_an_escalation_waits_then_gets_a_conflict(
    ctx, org, clock, monkeypatch
):
    instance, terima = start(ctx, org)
    clock.advance(hours=3)
    # The scheduler holds the request for a while: the officer arrives in the middle.
    monkeypatch.setattr(timers, "save_progress", _slowed(timers.save_progress, 0.5))

    outcome = _race(ctx, org, terima, officer_delay=0.2)

    assert _assert_one_audited_outcome(ctx, org, instance, outcome) == "escalation"


def test_scheduler_arriving_during_a_completion_leaves_the_request_to_it(
    ctx, org, clock, monkeypatch
):
    instance, terima = start(ctx, org)
    clock.advance(hours=3)
    monkeypatch.setattr(work_items, "save_progress", _slowed(work_items.save_progress, 0.5))

    outcome = _race(ctx, org, terima, scheduler_delay=0.2)

    assert outcome["fired"] == 0
    assert _assert_one_audited_outcome(ctx, org, instance, outcome) == "completion"


@pytest.mark.parametrize("officer_delay", [0.0, 0.005, 0.02, 0.05])
def test_timer_and_completion_at_the_same_moment_give_one_audited_outcome(
    ctx, org, clock, officer_delay
):
    instance, terima = start(ctx, org)
    clock.advance(hours=3)

    outcome = _race(ctx, org, terima, officer_delay)

    _assert_one_audited_outcome(ctx, org, instance, outcome)


@pytest.mark.postgres_only
def test_a_request_held_by_a_completion_is_skipped_not_waited_for(ctx, org, clock, engine):
    instance, _ = start(ctx, org)
    clock.advance(hours=3)
    with engine.connect() as holder:
        # What a completion in progress holds: the request's row lock.
        holder.execute(
            text("SELECT id FROM instance WHERE id = :id FOR UPDATE"), {"id": instance.id}
        )
        began = time.perf_counter()
        assert timers.fire_due_timers(ctx) == 0
        assert time.perf_counter() - began < 2
        holder.rollback()
    assert timers.fire_due_timers(ctx) == 1


def test_a_request_that_cannot_be_woken_does_not_block_the_others(ctx, org, clock):
    broken, _ = start(ctx, org)
    clock.advance(minutes=10)
    healthy = instances.start_instance(ctx, org.actor("ani"), "eskalasi_uji", {})
    with ctx.transaction() as session:
        session.execute(update(Instance).where(Instance.id == broken.id).values(state="{}"))
    clock.advance(hours=3)

    assert timers.fire_due_timers(ctx) == 1

    assert len(events(ctx, org, healthy, "timer_fired")) == 1
    [failed] = events(ctx, org, broken, "timer_failed")
    assert failed.payload["retry_at"] == (clock() + timers.RETRY_AFTER).isoformat()
    with ctx.transaction() as session:
        assert session.get(Instance, broken.id).next_wake_at == clock() + timers.RETRY_AFTER
