"""Who may open the dashboard and what each one sees; filters and figures that are refused."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.usecases.dashboard import drill as dashboard_drill
from web.usecases.dashboard import overview as dashboard
from web.usecases.dashboard import versions as dashboard_versions
from web.usecases.dashboard import workload as dashboard_workload
from web.usecases.dashboard.views import Filters
from web.usecases.errors import Forbidden, Invalid, NotFound
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances, work_items

PERIOD = Filters(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def sops(ctx, org) -> dict[str, int]:
    """kelurahan (steps in KEL: two requests) and dinas (steps in DINAS only: one request)."""
    kel = publish(ctx, build(SopSpec(key="kelurahan")))
    dinas = publish(
        ctx,
        build(
            SopSpec(key="dinas", steps=[Step("catat", lane="lain")], lanes={"lain": "LAIN-STAF"})
        ),
    )
    for who, key in (("ani", kel), ("budi", kel), ("dedi", dinas)):
        instance = instances.start_instance(ctx, org.actor(who), key, {})
        [item] = instances.get_instance(ctx, org.actor("admin"), instance.id).work_items
        work_items.complete(ctx, org.actor(who), item.id, {})
    return {
        sop.sop_key: sop.sop_id for sop in dashboard.overview(ctx, org.actor("eka"), PERIOD).rows
    }


def _units(ctx, org) -> dict[str, int]:
    choices = dashboard.filter_choices(ctx, org.actor("admin"))
    return {name: unit_id for unit_id, name in choices.units}


USE_CASES = {
    "filters": lambda ctx, actor, sop: dashboard.filters_from_args(ctx, actor, {}),
    "choices": lambda ctx, actor, sop: dashboard.filter_choices(ctx, actor),
    "overview": lambda ctx, actor, sop: dashboard.overview(ctx, actor, PERIOD),
    "sop": lambda ctx, actor, sop: dashboard.sop_detail(ctx, actor, sop, PERIOD),
    "workload": lambda ctx, actor, sop: dashboard_workload.workload(ctx, actor, PERIOD),
    "compare": lambda ctx, actor, sop: dashboard_versions.compare_versions(ctx, actor, sop, PERIOD),
    "requests": lambda ctx, actor, sop: dashboard_drill.requests_behind(
        ctx, actor, "started", PERIOD, PageRequest()
    ),
}


@pytest.mark.parametrize("who", ["ani", "dedi"])
def test_an_officer_may_not_open_the_dashboard(ctx, org, sops, who):
    for name, use_case in USE_CASES.items():
        with pytest.raises(Forbidden):
            use_case(ctx, org.actor(who), sops["kelurahan"])
            pytest.fail(f"{who} opened {name}")


def test_a_manager_sees_the_requests_and_steps_of_their_units_only(ctx, org, sops):
    citra = org.actor("citra")

    overview = dashboard.overview(ctx, citra, PERIOD)
    workload = dashboard_workload.workload(ctx, citra, PERIOD)
    started = dashboard_drill.requests_behind(ctx, citra, "started", PERIOD, PageRequest())
    dinas = dashboard.sop_detail(ctx, citra, sops["dinas"], PERIOD)

    assert [(row.sop_key, row.started) for row in overview.rows] == [("kelurahan", 2)]
    assert sum(point.started for point in overview.trend) == 2
    assert {row.key for row in workload.positions} == {"UJI-STAF"}
    assert {row.key for row in workload.officers} == {"ani", "budi"}
    assert started.total == 2
    assert dinas.activities == [] and dinas.summary is None


@pytest.mark.parametrize("who", ["eka", "admin"])
def test_analysts_and_administrators_see_every_unit(ctx, org, sops, who):
    overview = dashboard.overview(ctx, org.actor(who), PERIOD)
    workload = dashboard_workload.workload(ctx, org.actor(who), PERIOD)

    assert sorted((row.sop_key, row.started) for row in overview.rows) == [
        ("dinas", 1),
        ("kelurahan", 2),
    ]
    assert {row.key for row in workload.officers} == {"ani", "budi", "dedi"}
    assert dashboard.filter_choices(ctx, org.actor(who)).unit_locked is False


def test_a_manager_may_choose_only_their_units(ctx, org, sops):
    citra, units = org.actor("citra"), _units(ctx, org)
    choices = dashboard.filter_choices(ctx, citra)
    assert choices.unit_locked and choices.units == [(units["Kelurahan Uji"], "Kelurahan Uji")]

    own = dashboard.overview(ctx, citra, Filters(PERIOD.start, PERIOD.end, units["Kelurahan Uji"]))
    assert [row.sop_key for row in own.rows] == ["kelurahan"]
    # Dinas Lain is elsewhere; Kecamatan Uji is above her kelurahan, not below it.
    for outside in ("Dinas Lain", "Kecamatan Uji"):
        with pytest.raises(Forbidden) as refused:
            dashboard_workload.workload(
                ctx, citra, Filters(PERIOD.start, PERIOD.end, units[outside])
            )
        assert refused.value.details == {"unit": units[outside]}
    with pytest.raises(NotFound):
        dashboard.overview(ctx, org.actor("eka"), Filters(PERIOD.start, PERIOD.end, 9999))


def test_the_default_period_is_the_last_90_local_days(ctx, org, clock):
    # Sunday 23:30 UTC is already Monday 06:30 in Jakarta.
    clock.now = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)

    found = dashboard.filters_from_args(ctx, org.actor("citra"), {})

    assert (found.start, found.end) == (date(2026, 8, 26), date(2026, 11, 23))
    assert (found.unit_id, found.sop_id, found.version_id) == (None, None, None)
    chosen = {"from": "2026-01-01", "to": "2026-06-30", "unit": "3", "sop": "4", "version": "5"}
    assert dashboard.filters_from_args(ctx, org.actor("eka"), chosen).as_args() == chosen


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "1 Agustus"}, "from"),
        ({"to": "kemarin"}, "to"),
        ({"to": "2026-02-30"}, "to"),
        ({"unit": "abc"}, "unit"),
        ({"unit": "²"}, "unit"),
        ({"sop": "-1"}, "sop"),
        ({"version": "1.5"}, "version"),
    ],
    ids=[
        "month-13",
        "words",
        "to-words",
        "february-30",
        "unit-letters",
        "unit-superscript",
        "sop-negative",
        "version-decimal",
    ],
)
def test_a_bad_filter_names_its_parameter(ctx, org, args, field):
    with pytest.raises(Invalid) as refused:
        dashboard.filters_from_args(ctx, org.actor("eka"), args)

    assert refused.value.details == {"field": field}
    assert f"'{field}'" in refused.value.message


def test_a_period_backwards_or_too_long_is_refused(ctx, org):
    with pytest.raises(Invalid) as refused:
        dashboard.filters_from_args(
            ctx, org.actor("eka"), {"from": "2026-08-02", "to": "2026-08-01"}
        )
    assert "'from'" in refused.value.message and "'to'" in refused.value.message
    with pytest.raises(Invalid) as refused:
        dashboard.filters_from_args(
            ctx, org.actor("eka"), {"from": "2020-01-01", "to": "2026-01-01"}
        )
    assert refused.value.details == {"field": "from"} and "1098 days" in refused.value.message
    last = date(2024, 1, 1) + timedelta(days=dashboard.MAX_DAYS)
    longest = {"from": "2024-01-01", "to": last.isoformat()}
    assert dashboard.filters_from_args(ctx, org.actor("eka"), longest).start == date(2024, 1, 1)


@pytest.mark.parametrize(
    ("figure", "options", "named"),
    [
        ("fastest", {}, "fastest"),
        ("activity", {}, "activity"),
        ("activity_breached", {}, "activity"),
        ("position", {}, "position"),
        ("officer_breached", {}, "officer"),
        ("started", {"week": date(2026, 12, 7)}, "week"),
    ],
)
def test_a_figure_that_cannot_be_listed_is_refused(ctx, org, sops, figure, options, named):
    with pytest.raises(Invalid) as refused:
        dashboard_drill.requests_behind(
            ctx, org.actor("eka"), figure, PERIOD, PageRequest(), **options
        )
    assert named in f"{refused.value.message} {refused.value.details}"


def test_an_unknown_sop_version_or_comparison_is_refused(ctx, org, sops):
    eka = org.actor("eka")
    with pytest.raises(NotFound):
        dashboard.sop_detail(ctx, eka, 9999, PERIOD)
    versions = dashboard.filter_choices(ctx, eka).versions
    [(dinas_version, _)] = versions[sops["dinas"]]
    with pytest.raises(NotFound):
        dashboard.sop_detail(
            ctx, eka, sops["kelurahan"], Filters(PERIOD.start, PERIOD.end, version_id=dinas_version)
        )
    # One version only: nothing to compare with.
    with pytest.raises(Invalid) as refused:
        dashboard_versions.compare_versions(ctx, eka, sops["kelurahan"], PERIOD)
    assert refused.value.details == {"versions": [1]}
    with pytest.raises(NotFound):
        dashboard_versions.compare_versions(
            ctx, eka, sops["kelurahan"], PERIOD, before_id=dinas_version
        )
