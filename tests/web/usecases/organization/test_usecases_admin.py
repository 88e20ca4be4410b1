"""Administering people and reading the library through the use cases, on both databases."""

import pytest
from sqlalchemy import select

from storage.models import Event, VersionStatus, WorkItem, WorkItemStatus
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.usecases.context import SYSTEM
from web.usecases.errors import Conflict, Forbidden, NotFound, Unauthenticated
from web.usecases.library import catalog, sops
from web.usecases.library.lane_mapping import (
    POSITION_UNKNOWN,
    POSITION_VACANT,
    lane_mapping,
)
from web.usecases.organization import accounts, administration, login
from web.usecases.organization.chart import organization_chart
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances, work_items

PASSWORD = "rahasia-uji"


def _events(ctx, type_: str) -> list[Event]:
    with ctx.transaction() as session:
        return list(session.scalars(select(Event).where(Event.type == type_).order_by(Event.id)))


def _positions(ctx, username: str) -> list[str]:
    return [p.code for p in accounts.get_user(ctx, SYSTEM, username).positions]


def _claimed_step(ctx, org) -> WorkItem:
    """A request on the default SOP whose first step (UJI-STAF) ani has claimed."""
    key = publish(ctx)
    instance = instances.start_instance(ctx, org.actor("ani"), key, {})
    with ctx.transaction() as session:
        item_id = session.scalar(select(WorkItem.id).where(WorkItem.instance_id == instance.id))
    return work_items.claim(ctx, org.actor("ani"), item_id)


def _status(ctx, item_id: int) -> tuple[WorkItemStatus, int | None]:
    with ctx.transaction() as session:
        item = session.get(WorkItem, item_id)
        return item.status, item.claimed_by_id


# --- who holds which positions -------------------------------------------------------------


def test_admin_sets_the_positions_a_user_holds(ctx, org):
    user = accounts.set_user_positions(ctx, org.actor("admin"), "ani", ["UJI-KEPALA", "LAIN-STAF"])

    assert [p.code for p in user.positions] == ["LAIN-STAF", "UJI-KEPALA"]
    assert _positions(ctx, "ani") == ["LAIN-STAF", "UJI-KEPALA"]
    (event,) = _events(ctx, "user_positions_changed")
    assert event.actor_id == org.actor("admin").user_id
    assert event.payload == {
        "username": "ani",
        "before": ["UJI-STAF"],
        "after": ["LAIN-STAF", "UJI-KEPALA"],
        "released": 0,
    }


@pytest.mark.parametrize("who", ["ani", "citra", "eka"])
def test_only_admins_change_positions_and_nothing_changes_otherwise(ctx, org, who):
    with pytest.raises(Forbidden):
        accounts.set_user_positions(ctx, org.actor(who), "budi", ["UJI-KEPALA"])

    assert _positions(ctx, "budi") == ["UJI-STAF"]
    assert _events(ctx, "user_positions_changed") == []


def test_an_unknown_position_changes_nothing(ctx, org):
    with pytest.raises(NotFound) as raised:
        accounts.set_user_positions(ctx, org.actor("admin"), "ani", ["UJI-KEPALA", "HILANG"])

    assert raised.value.details == {"positions": ["HILANG"]}
    assert _positions(ctx, "ani") == ["UJI-STAF"]


def test_dropping_a_position_returns_its_claimed_steps_to_the_shared_inbox(ctx, org):
    item = _claimed_step(ctx, org)

    accounts.set_user_positions(ctx, org.actor("admin"), "ani", ["UJI-KEPALA"])

    assert _status(ctx, item.id) == (WorkItemStatus.OPEN, None)
    (unclaimed,) = _events(ctx, "work_item_unclaimed")
    assert unclaimed.work_item_id == item.id
    assert unclaimed.payload["reason"] == "position_removed"
    assert _events(ctx, "user_positions_changed")[0].payload["released"] == 1
    # Budi, who holds the position, can now take it.
    assert work_items.claim(ctx, org.actor("budi"), item.id).claimed_by_id is not None


def test_keeping_a_position_keeps_its_claims(ctx, org):
    item = _claimed_step(ctx, org)

    accounts.set_user_positions(ctx, org.actor("admin"), "ani", ["UJI-STAF", "UJI-KEPALA"])

    assert _status(ctx, item.id) == (WorkItemStatus.CLAIMED, org.actor("ani").user_id)


# --- deactivating and reactivating --------------------------------------------------------------


def test_a_deactivated_user_can_no_longer_log_in_or_use_tokens(ctx, org):
    token = administration.create_token(ctx, SYSTEM, "ani")

    user = accounts.deactivate_user(ctx, org.actor("admin"), "ani")

    assert user.is_active is False
    with pytest.raises(Unauthenticated):
        login.authenticate_password(ctx, "ani", PASSWORD)
    with pytest.raises(Unauthenticated):
        administration.authenticate_token(ctx, token)
    assert login.load_profile(ctx, user.id, 0) is None  # an open session ends too
    assert [e.payload for e in _events(ctx, "user_deactivated")] == [
        {"username": "ani", "released": 0}
    ]


def test_deactivating_releases_the_users_claimed_steps(ctx, org):
    item = _claimed_step(ctx, org)

    accounts.deactivate_user(ctx, org.actor("admin"), "ani")

    assert _status(ctx, item.id) == (WorkItemStatus.OPEN, None)
    assert _events(ctx, "work_item_unclaimed")[0].payload["reason"] == "user_deactivated"


def test_a_completed_step_is_not_reopened_by_deactivation(ctx, org):
    item = _claimed_step(ctx, org)
    work_items.complete(ctx, org.actor("ani"), item.id, {})

    accounts.deactivate_user(ctx, org.actor("admin"), "ani")

    assert _status(ctx, item.id)[0] == WorkItemStatus.COMPLETED
    assert _events(ctx, "work_item_unclaimed") == []


def test_admins_cannot_deactivate_themselves(ctx, org):
    with pytest.raises(Conflict):
        accounts.deactivate_user(ctx, org.actor("admin"), "admin")

    assert accounts.get_user(ctx, SYSTEM, "admin").is_active


@pytest.mark.parametrize("who", ["budi", "citra", "eka"])
def test_only_admins_deactivate_and_nothing_changes_otherwise(ctx, org, who):
    with pytest.raises(Forbidden):
        accounts.deactivate_user(ctx, org.actor(who), "ani")
    with pytest.raises(Forbidden):
        accounts.reactivate_user(ctx, org.actor(who), "ani")

    assert accounts.get_user(ctx, SYSTEM, "ani").is_active
    assert _events(ctx, "user_deactivated") == []


def test_a_reactivated_user_logs_in_again(ctx, org):
    accounts.deactivate_user(ctx, org.actor("admin"), "ani")

    accounts.reactivate_user(ctx, org.actor("admin"), "ani")

    assert login.authenticate_password(ctx, "ani", PASSWORD).actor.username == "ani"
    assert len(_events(ctx, "user_reactivated")) == 1


def test_unknown_users_are_not_found(ctx, org):
    for change in (accounts.deactivate_user, accounts.reactivate_user, accounts.get_user):
        with pytest.raises(NotFound):
            change(ctx, org.actor("admin"), "tidakada")


# --- the organization chart ----------------------------------------------------------------------


def test_the_chart_nests_units_with_their_positions_and_active_holders(ctx, org):
    accounts.deactivate_user(ctx, org.actor("admin"), "budi")

    roots = organization_chart(ctx, org.actor("admin"))

    assert [(u.code, [c.code for c in u.children]) for u in roots] == [
        ("DINAS", []),
        ("KEC", ["KEL"]),
    ]
    kelurahan = roots[1].children[0]
    holders = {p.code: [h.username for h in p.holders] for p in kelurahan.positions}
    assert holders == {"UJI-KEPALA": ["citra"], "UJI-STAF": ["ani"]}
    assert [(depth, unit.code) for depth, unit in roots[1].walk()] == [(0, "KEC"), (1, "KEL")]


@pytest.mark.parametrize("who", ["ani", "citra", "eka"])
def test_only_admins_see_the_chart(ctx, org, who):
    with pytest.raises(Forbidden):
        organization_chart(ctx, org.actor(who))


# --- the lane mapping -----------------------------------------------------------------------------


def test_lanes_map_to_positions_and_a_missing_position_holds_a_draft_back(ctx, org):
    publish(ctx)  # lanes UJI-STAF and UJI-KEPALA
    administration.create_position(ctx, SYSTEM, "UJI-SEKEL", "Sekretaris Kelurahan", "KEL")
    spec = SopSpec(
        key="sop_baru",
        steps=[Step("terima"), Step("paraf", lane="sekel"), Step("teken", lane="camat")],
        lanes={"staf": "UJI-STAF", "sekel": "UJI-SEKEL", "camat": "KEC-CAMAT"},
    )
    draft = sops.upload_version(ctx, SYSTEM, build(spec))

    mapping = lane_mapping(ctx, org.actor("admin"))

    assert [(v.sop_key, v.number, v.status) for v in mapping] == [
        ("sop_baru", draft.number, VersionStatus.DRAFT),  # problems first
        ("uji_sop", 1, VersionStatus.PUBLISHED),
    ]
    held_back, published = mapping
    assert held_back.held_back and not published.held_back
    lanes = {lane.lane_name: lane for lane in held_back.lanes}
    assert lanes["Camat"].position_code == "KEC-CAMAT"
    assert lanes["Camat"].problem == POSITION_UNKNOWN and lanes["Camat"].is_problem
    assert lanes["Sekel"].problem == POSITION_VACANT and not lanes["Sekel"].is_problem
    assert (lanes["Staf"].position_name, lanes["Staf"].unit_name) == (
        "Staf Pelayanan",
        "Kelurahan Uji",
    )
    assert lanes["Staf"].problem is None
    assert [lane.lane_name for lane in held_back.problems] == ["Camat"]
    assert published.problems == () and published.warnings == ()


def test_creating_the_missing_position_clears_the_problem(ctx, org):
    spec = SopSpec(key="sop_baru", lanes={"staf": "UJI-STAF", "kepala": "UJI-CAMAT"})
    spec.steps = [Step("terima"), Step("teken", lane="kepala")]
    sops.upload_version(ctx, SYSTEM, build(spec))
    administration.create_position(ctx, SYSTEM, "UJI-CAMAT", "Camat", "KEC")

    (version,) = lane_mapping(ctx, org.actor("admin"))

    assert not version.held_back
    assert [lane.problem for lane in version.lanes] == [None, POSITION_VACANT]


def test_retired_and_superseded_versions_are_left_out(ctx, org):
    key = publish(ctx)
    spec = SopSpec(steps=[Step("terima"), Step("periksa", time="2 jam")])
    publish(ctx, build(spec))

    assert [(v.sop_key, v.number) for v in lane_mapping(ctx, org.actor("eka"))] == [(key, 2)]


@pytest.mark.parametrize("who", ["ani", "citra"])
def test_officers_and_managers_do_not_see_the_lane_mapping(ctx, org, who):
    with pytest.raises(Forbidden):
        lane_mapping(ctx, org.actor(who))


# --- the library -------------------------------------------------------------------------------


def _identity(number: str, unit: str) -> str:
    return (
        f"<sop:identity><sop:number>{number}</sop:number><sop:unit>{unit}</sop:unit></sop:identity>"
    )


@pytest.fixture
def shelf(ctx, org) -> None:
    """Two published SOPs of two units, and one that is only a draft."""
    for key, number, unit in [
        ("domisili", "470/SOP-KEL/001", "Kelurahan Uji"),
        ("izin", "503/SOP-DINAS/100%", "Dinas Lain"),
    ]:
        spec = SopSpec(key=key)
        data = build(spec).replace(
            b'isExecutable="true">',
            f'isExecutable="true"><bpmn:extensionElements>{_identity(number, unit)}'
            "</bpmn:extensionElements>".encode(),
            1,
        )
        publish(ctx, data)
    sops.upload_version(ctx, SYSTEM, build(SopSpec(key="konsep")))


def test_the_library_lists_published_sops_with_number_and_unit(ctx, org, shelf):
    page = catalog.published_sops(ctx, org.actor("ani"), PageRequest())

    assert page.total == 2
    assert [(e.key, e.number, e.unit, e.version) for e in page.items] == [
        ("domisili", "470/SOP-KEL/001", "Kelurahan Uji", 1),
        ("izin", "503/SOP-DINAS/100%", "Dinas Lain", 1),
    ]
    assert catalog.library_units(ctx, org.actor("ani")) == ["Dinas Lain", "Kelurahan Uji"]


@pytest.mark.parametrize(
    ("search", "unit", "keys"),
    [
        ("sop-kel", None, ["domisili"]),  # Nomor SOP, any case
        ("100%", None, ["izin"]),
        ("%", None, ["izin"]),  # wildcards are plain characters
        ("_", None, []),
        (None, "Dinas Lain", ["izin"]),
        ("domisili", "Dinas Lain", []),
        ("konsep", None, []),  # drafts are not in the library
    ],
)
def test_the_library_searches_and_filters_by_unit(ctx, org, shelf, search, unit, keys):
    page = catalog.published_sops(ctx, org.actor("ani"), PageRequest(), search, unit)

    assert [e.key for e in page.items] == keys
    assert page.total == len(keys)


def test_the_library_is_paginated(ctx, org, shelf):
    page = catalog.published_sops(ctx, org.actor("ani"), PageRequest(page=2, per_page=1))

    assert ([e.key for e in page.items], page.total, page.pages) == (["izin"], 2, 2)


def test_only_editors_see_sops_not_yet_published(ctx, org, shelf):
    assert catalog.unpublished_sops(ctx, org.actor("ani")) == []
    assert [s.key for s in catalog.unpublished_sops(ctx, org.actor("eka"))] == ["konsep"]


def test_a_document_is_the_published_version_unless_a_number_is_given(ctx, org, shelf):
    sops.upload_version(ctx, SYSTEM, build(SopSpec(key="domisili", steps=[Step("satu")])))

    shown = catalog.sop_document(ctx, org.actor("ani"), "domisili")
    draft = catalog.sop_document(ctx, org.actor("ani"), "domisili", 2)
    only_draft = catalog.sop_document(ctx, org.actor("eka"), "konsep")

    assert (shown.version.number, shown.version.status) == (1, VersionStatus.PUBLISHED)
    assert shown.metadata["identity"]["number"] == "470/SOP-KEL/001"
    assert [v.number for v in shown.sop.versions] == [1, 2]
    assert (draft.version.number, draft.version.status) == (2, VersionStatus.DRAFT)
    assert only_draft.version.number == 1
    with pytest.raises(NotFound):
        catalog.sop_document(ctx, org.actor("ani"), "domisili", 9)
    with pytest.raises(NotFound):
        catalog.sop_document(ctx, org.actor("ani"), "tidakada")
