"""Two officers completing the same step at the same moment: exactly one wins."""

import threading

import pytest

from storage.models import WorkItemStatus
from tests.web.conftest import publish
from web.usecases.errors import Conflict
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances, work_items


def test_second_completion_is_a_conflict_naming_who_and_when(ctx, org):
    key = publish(ctx)
    instance = instances.start_instance(ctx, org.actor("ani"), key, {"pemohon": "Sari"})
    item = work_items.inbox(ctx, org.actor("ani"), PageRequest()).items[0]

    work_items.complete(ctx, org.actor("ani"), item.id, {})
    with pytest.raises(Conflict) as caught:
        work_items.complete(ctx, org.actor("budi"), item.id, {})

    assert caught.value.details["completed_by"] == "ani"
    assert "Ani" in caught.value.message
    view = instances.get_instance(ctx, org.actor("ani"), instance.id)
    completed = [e for e in view.events if e.type == "work_item_completed"]
    assert len(completed) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_completions_with_real_connections(ctx, org, attempt):
    key = publish(ctx)
    instance = instances.start_instance(ctx, org.actor("ani"), key, {})
    item = work_items.inbox(ctx, org.actor("ani"), PageRequest()).items[0]
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def officer(name: str) -> None:
        barrier.wait()
        try:
            work_items.complete(ctx, org.actor(name), item.id, {})
            outcomes[name] = "completed"
        except Conflict as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=officer, args=(n,)) for n in ("ani", "budi")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(str(type(o).__name__) for o in outcomes.values()) == ["Conflict", "str"]
    winner = next(n for n, o in outcomes.items() if o == "completed")
    loser = next(o for o in outcomes.values() if isinstance(o, Conflict))
    assert loser.details["completed_by"] == winner
    view = instances.get_instance(ctx, org.actor("citra"), instance.id)
    assert [w.status for w in view.work_items] == [WorkItemStatus.COMPLETED, WorkItemStatus.OPEN]
    assert sum(e.type == "work_item_completed" for e in view.events) == 1
