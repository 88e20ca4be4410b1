"""A flag's evidence names only the requests its viewer may open: the scope rule of requests
(web.usecases.scope.visible_requests) applies to the overlap flags as to the request lists."""

import pytest

from storage.models import Role
from tests.web.conftest import Org
from tests.web.usecases.analysis.test_overlaps import flags_by_kind, plant
from web.usecases.analysis import overlaps
from web.usecases.context import SYSTEM, Context
from web.usecases.organization import administration


@pytest.fixture
def planted(ctx, org, clock) -> list[str]:
    """The planted SOPs and requests, three of them sent back (a bouncing flag)."""
    return plant(ctx, org, clock)


def outside_manager(ctx: Context, org: Org) -> str:
    """A manager of a unit none of the planted requests went through; returns the username."""
    administration.create_unit(ctx, SYSTEM, "KEL-LAIN", "Kelurahan Lain", parent_code="KEC")
    administration.create_position(ctx, SYSTEM, "LAIN-LURAH", "Lurah Lain", "KEL-LAIN")
    org.add_user("fajar", Role.MANAGER, ["LAIN-LURAH"])
    return "fajar"


def test_a_manager_sees_only_the_requests_of_the_evidence_in_their_units(ctx, org, planted):
    overlaps.analyze(ctx, org.actor("eka"))
    [flag] = flags_by_kind(ctx)["bouncing"]
    outsider = outside_manager(ctx, org)

    seen_by = {
        who: overlaps.get_flag(ctx, org.actor(who), flag.id).evidence["shared"]
        for who in ("eka", "citra", outsider)
    }

    assert sorted(seen_by["eka"]) == sorted(planted)  # the analyst sees all
    assert sorted(seen_by["citra"]) == sorted(planted)  # the requests went through her unit
    assert seen_by[outsider] == []
    # What one viewer may not read is not taken away from the flag itself.
    assert sorted(overlaps.get_flag(ctx, org.actor("eka"), flag.id).evidence["shared"]) == sorted(
        planted
    )
