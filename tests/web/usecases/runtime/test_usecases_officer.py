"""Use cases behind the officer's pages: inbox counts and the SOPs a person may start."""

from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.usecases.context import SYSTEM
from web.usecases.library import sops
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances, work_items


def test_inbox_counts_match_the_inbox_claimed_open_and_overdue(ctx, org, clock):
    key = publish(ctx)
    other = publish(ctx, build(SopSpec(key="lain_sop", steps=[Step("catat", time="5 hari")])))
    for sop in (key, key, other):
        instances.start_instance(ctx, org.actor("ani"), sop, {})
    first = work_items.inbox(ctx, org.actor("ani"), PageRequest()).items[0]
    work_items.claim(ctx, org.actor("ani"), first.id)
    clock.advance(hours=2)  # the "1 jam" steps are overdue, the "5 hari" one is not

    ani = work_items.inbox_counts(ctx, org.actor("ani"))
    budi = work_items.inbox_counts(ctx, org.actor("budi"))
    only_other = work_items.inbox_counts(ctx, org.actor("ani"), "lain_sop")

    assert (ani.claimed, ani.open, ani.overdue) == (1, 2, 2)
    assert (budi.claimed, budi.open, budi.overdue) == (0, 2, 1)
    assert (only_other.claimed, only_other.open, only_other.overdue) == (0, 1, 0)
    assert work_items.inbox_counts(ctx, org.actor("dedi")) == work_items.InboxCounts(0, 0, 0)


def test_startable_sops_are_the_published_ones_the_actor_performs_in(ctx, org):
    key = publish(ctx)  # lanes UJI-STAF and UJI-KEPALA
    publish(ctx, build(SopSpec(key="dinas_sop", lanes={"staf": "LAIN-STAF"})))
    sops.upload_version(ctx, SYSTEM, build(SopSpec(key="draf_sop")))  # never published

    def keys(who: str) -> list[str]:
        return [sop.key for sop in instances.startable_sops(ctx, org.actor(who))]

    assert keys("ani") == [key]
    assert keys("dedi") == ["dinas_sop"]
    assert keys("citra") == ["dinas_sop", key]  # managers start any published SOP
    assert keys("eka") == []
    assert instances.startable_sops(ctx, org.actor("ani"))[0].version == 1
