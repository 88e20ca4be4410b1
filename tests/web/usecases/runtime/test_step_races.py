"""Two verbs on the same step at the same moment, on real connections: one order or the other.

Each race runs many times; after every run the loser (if any) got a Conflict saying what
happened, and the whole database passes the integrity check an administrator would run.
"""

import threading
from collections.abc import Callable
from functools import partial

import pytest

from storage.models import InstanceStatus, WorkItemStatus
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from tests.web.usecases.runtime.test_timers import escalating_sop
from web.usecases.context import SYSTEM
from web.usecases.errors import Conflict, NotFound
from web.usecases.runtime import instances, integrity, timers, work_items

RUNS = 10


def race(**verbs: Callable[[], object]) -> dict[str, object]:
    """Run the verbs in threads released together; each outcome is its result or Conflict."""
    barrier = threading.Barrier(len(verbs))
    outcomes: dict[str, object] = {}

    def run(name: str, verb: Callable[[], object]) -> None:
        barrier.wait()
        try:
            outcomes[name] = verb()
        except Conflict as exc:
            outcomes[name] = exc
        except Exception as exc:  # reported by the assertion below, with its type
            outcomes[name] = f"unexpected {type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=run, args=item) for item in verbs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(not isinstance(o, str) for o in outcomes.values()), outcomes
    assert len(outcomes) == len(verbs), "a verb did not finish"
    return outcomes


def winners(outcomes: dict[str, object]) -> list[str]:
    return sorted(name for name, o in outcomes.items() if not isinstance(o, Conflict))


def first_step(ctx, instance):
    return instances.get_instance(ctx, SYSTEM, instance.id).work_items[0]


def fresh_steps(ctx, org, key: str):
    """The first step of a new request of ``key``, once per run."""
    for _ in range(RUNS):
        yield first_step(ctx, instances.start_instance(ctx, org.actor("ani"), key, {}))


def assert_consistent(ctx) -> None:
    assert [f.message for f in integrity.check(ctx)] == []


def test_complete_and_unclaim_never_reopen_a_completed_step(ctx, org):
    key = publish(ctx)
    ani = org.actor("ani")
    for item in fresh_steps(ctx, org, key):
        work_items.claim(ctx, ani, item.id)

        outcomes = race(
            complete=partial(work_items.complete, ctx, ani, item.id, {}),
            unclaim=partial(work_items.unclaim, ctx, ani, item.id),
        )

        # Unclaiming first is allowed (ani still holds the position and completes it next);
        # unclaiming after the completion is a conflict naming who completed it.
        assert "complete" in winners(outcomes)
        if isinstance(outcomes["unclaim"], Conflict):
            assert outcomes["unclaim"].details["completed_by"] == "ani"
        assert work_items.get_work_item(ctx, ani, item.id).item.status == WorkItemStatus.COMPLETED
        assert_consistent(ctx)


@pytest.mark.parametrize("verb", ["complete", "claim"])
def test_a_colleagues_claim_and_anis_verb_one_wins_and_the_other_learns_who(ctx, org, verb):
    key = publish(ctx)
    ani, budi = org.actor("ani"), org.actor("budi")
    anis = {"complete": partial(work_items.complete, data={}), "claim": work_items.claim}[verb]
    after = {
        "complete": (WorkItemStatus.COMPLETED, "completed_by"),
        "claim": (WorkItemStatus.CLAIMED, "claimed_by"),
    }
    for item in fresh_steps(ctx, org, key):
        outcomes = race(
            ani=partial(anis, ctx, ani, item.id),
            budi=partial(work_items.claim, ctx, budi, item.id),
        )

        [winner] = winners(outcomes)
        stored = work_items.get_work_item(ctx, ani, item.id).item
        if winner == "budi":
            assert outcomes["ani"].details["claimed_by"] == "budi"
            assert (stored.status, stored.claimed_by.username) == (WorkItemStatus.CLAIMED, "budi")
        else:
            status, who = after[verb]
            assert outcomes["budi"].details[who] == "ani"
            assert stored.status == status
        assert_consistent(ctx)


def test_completing_the_last_step_and_cancelling_one_wins(ctx, org):
    key = publish(ctx, build(SopSpec(key="satu_langkah", steps=[Step("terima")])))
    ani, citra = org.actor("ani"), org.actor("citra")
    for _ in range(RUNS):
        instance = instances.start_instance(ctx, ani, key, {})
        item = first_step(ctx, instance)

        outcomes = race(
            complete=partial(work_items.complete, ctx, ani, item.id, {}),
            cancel=partial(instances.cancel_instance, ctx, citra, instance.id, "dobel"),
        )

        assert len(winners(outcomes)) == 1, outcomes
        status = instances.get_instance(ctx, citra, instance.id).instance.status
        if winners(outcomes) == ["complete"]:
            assert status == InstanceStatus.COMPLETED
            assert "completed" in outcomes["cancel"].message
        else:
            assert status == InstanceStatus.CANCELLED
            assert outcomes["complete"].details["status"] == WorkItemStatus.CANCELLED
        assert_consistent(ctx)


def test_completing_and_the_timer_escalating_one_wins(ctx, org, clock):
    key = publish(ctx, escalating_sop())
    ani = org.actor("ani")
    for _ in range(RUNS):
        instance = instances.start_instance(ctx, ani, key, {})
        item = first_step(ctx, instance)
        clock.advance(hours=2, seconds=1)

        outcomes = race(
            complete=partial(work_items.complete, ctx, ani, item.id, {}),
            timer=partial(timers.fire_due_timers, ctx),
        )

        fired = outcomes["timer"]
        if isinstance(outcomes["complete"], Conflict):
            assert outcomes["complete"].details["cause"] == "timer"
            assert fired >= 1
        steps = instances.get_instance(ctx, ani, instance.id).work_items
        assert (
            sum(s.status == WorkItemStatus.COMPLETED for s in steps)
            + sum(s.activity_id == "tegur" for s in steps)
            == 1
        ), [(s.activity_id, s.status) for s in steps]
        assert_consistent(ctx)


@pytest.mark.parametrize("verb", ["unclaim", "claim"])
def test_a_verb_on_a_step_that_does_not_exist_is_not_found(ctx, org, verb):
    with pytest.raises(NotFound, match="999999"):
        getattr(work_items, verb)(ctx, org.actor("ani"), 999_999)
