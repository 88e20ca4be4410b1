"""One scope rule: what an actor lists, counts, exports and finds is exactly what they may open."""

from datetime import date

import pytest

from storage.models import Role
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.usecases.context import SYSTEM
from web.usecases.dashboard import drill
from web.usecases.dashboard.event_log import LogFormat, export_event_log
from web.usecases.dashboard.views import Filters
from web.usecases.errors import Forbidden
from web.usecases.organization import administration
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances, work_items

START, END = date(2026, 11, 1), date(2026, 12, 1)
ACTORS = ["ani", "citra", "dedi", "eka", "admin", "fani"]
OFFICERS = {"ani", "dedi", "fani"}
# Who may open what: the rule of the single view, written out by hand for this organization.
EXPECTED = {
    "ani": {"layanan", "layanan_done"},  # UJI-STAF steps; not the archive step of her unit
    "citra": {"layanan", "layanan_done", "arsip", "camat"},  # KEL and below; started camat
    "dedi": {"dinas"},
    "eka": {"layanan", "layanan_done", "arsip", "dinas", "camat", "camat_other"},
    "admin": {"layanan", "layanan_done", "arsip", "dinas", "camat", "camat_other"},
    "fani": {"arsip", "dinas"},  # two positions in two units
}
# Each request by name, who starts it and on which SOP.
STARTS = [("layanan", "ani", "layanan"), ("layanan_done", "budi", "layanan")]
STARTS += [("arsip", "fani", "arsip"), ("dinas", "dedi", "dinas")]
STARTS += [("camat", "citra", "camat"), ("camat_other", "gita", "camat")]


def _one_step(key: str, position: str) -> bytes:
    return build(SopSpec(key=key, steps=[Step("catat", lane="x")], lanes={"x": position}))


@pytest.fixture
def requests(ctx, org) -> dict[str, int]:
    """Requests whose steps lie in several positions and units, by name."""
    administration.create_position(ctx, SYSTEM, "UJI-ARSIP", "Arsiparis", "KEL")
    administration.create_position(ctx, SYSTEM, "KEC-SEKRE", "Sekretaris Camat", "KEC")
    org.add_user("fani", Role.OFFICER, ["UJI-ARSIP", "LAIN-STAF"])
    org.add_user("gita", Role.OFFICER, ["KEC-SEKRE"])
    publish(ctx, build(SopSpec(key="layanan")))
    for key, position in (("arsip", "UJI-ARSIP"), ("dinas", "LAIN-STAF"), ("camat", "KEC-SEKRE")):
        publish(ctx, _one_step(key, position))
    ids = {
        name: instances.start_instance(ctx, org.actor(who), key, {}).id for name, who, key in STARTS
    }
    # The first step of layanan_done is completed, so its open step is the head's.
    [item] = instances.get_instance(ctx, org.actor("admin"), ids["layanan_done"]).work_items
    work_items.complete(ctx, org.actor("budi"), item.id, {})
    return ids


def _listed(ctx, actor, **filters) -> tuple[set[int], int]:
    """Every id on every page of the request list, and the total the list reports."""
    found, number = set(), 1
    while True:
        page = instances.list_instances(ctx, actor, PageRequest(number, 2), **filters)
        found |= {instance.id for instance in page.items}
        if number >= page.pages:
            return found, page.total
        number += 1


def _opens(ctx, actor, instance_id: int) -> bool:
    try:
        instances.get_instance(ctx, actor, instance_id)
    except Forbidden:
        return False
    return True


def _exported(ctx, actor, keys: set[str]) -> set[str]:
    """References in the event logs of ``keys`` (CSV rows start with the reference)."""
    found = set()
    for key in keys:
        log = export_event_log(ctx, actor, key, START, END, LogFormat.CSV)
        lines = "".join(log.chunks).splitlines()[1:]
        found |= {line.split(",", 1)[0] for line in lines}
    return found


@pytest.mark.parametrize("who", ACTORS)
def test_lists_counts_exports_and_searches_agree_with_opening(ctx, org, requests, who):
    actor = org.actor(who)
    expected = {requests[name] for name in EXPECTED[who]}
    reference = {
        instance_id: instances.get_instance(ctx, org.actor("admin"), instance_id).instance.reference
        for instance_id in requests.values()
    }

    listed, total = _listed(ctx, actor)
    opens = {instance_id for instance_id in requests.values() if _opens(ctx, actor, instance_id)}
    found = {i for i, ref in reference.items() if _listed(ctx, actor, reference=ref)[0] == {i}}

    assert opens == expected
    assert listed == expected
    assert total == len(expected)
    assert found == expected
    if who in OFFICERS:  # the event log is for managers, analysts and admins
        with pytest.raises(Forbidden):
            _exported(ctx, actor, {"layanan"})
    else:
        keys = {"layanan", "arsip", "dinas", "camat"}
        assert _exported(ctx, actor, keys) == {reference[i] for i in expected}


@pytest.mark.parametrize("who", ["citra", "eka", "admin"])
def test_dashboard_drill_down_lists_only_requests_that_open(ctx, org, requests, who):
    actor = org.actor(who)
    rows = drill.requests_behind(ctx, actor, "started", Filters(START, END), PageRequest(1, 100))

    assert rows.total == len(rows.items)
    assert all(_opens(ctx, actor, instance.id) for instance in rows.items)
