"""The per-day summaries behind the one-SOP page (web.usecases.dashboard.summaries), against
the known log.

The log (dashboard_log) completes its steps and requests through the real use cases,
so the summary rows are those the completion hooks kept. A busy period's page is read from
them instead of the work items: the same counts, and percentiles within 1 % of the exact ones.
"""

from dataclasses import fields, replace
from datetime import UTC, date

import pytest
from sqlalchemy import delete, select, update

from storage.models import (
    InstanceStatus,
    RequestDay,
    StepDay,
    StepDoneDay,
    WorkItem,
    WorkItemStatus,
)
from storage.repositories.summaries import KEYS
from tests.web.usecases.dashboard.dashboard_expected import choices, ready_in, scope_of
from tests.web.usecases.dashboard.dashboard_log import THREE_WEEKS, Log, run_log, t
from web.usecases.dashboard import histogram, overview, summaries, summary_reads
from web.usecases.dashboard.views import Filters, SopDetail, Spread
from web.usecases.errors import NotFound
from web.usecases.runtime import work_items

SOPS = ("izin", "surat")
MODELS = (StepDay, StepDoneDay, RequestDay)
# Compared as they are: counts, shares and ranks are exact on both paths.
EXACT_FIELDS = (
    "activity_id",
    "name",
    "lane",
    "positions",
    "items",
    "completed",
    "open",
    "breaches",
    "load_share",
    "bottleneck_rank",
)
SPREADS = ("wait_office", "handle_office", "duration_office")


def step_days(ctx) -> dict[tuple, tuple]:
    """Every step_day row: its key -> (name, lane, completed, measured, breached, spent,
    histogram counts)."""
    with ctx.reading() as session:
        return {
            tuple(getattr(row, name) for name in KEYS[StepDay]): (
                row.activity_name,
                row.lane,
                row.completed,
                row.measured,
                row.breached,
                row.spent,
                histogram.decode(row.histogram),
            )
            for row in session.scalars(select(StepDay))
        }


def every_summary(ctx) -> dict[str, dict[tuple, tuple]]:
    """Every row of the three summaries, by table and key (histograms decoded)."""
    found: dict[str, dict[tuple, tuple]] = {}
    with ctx.reading() as session:
        for model in MODELS:
            names = [column.name for column in model.__table__.columns if column.name != "id"]
            rows = found[model.__tablename__] = {}
            for row in session.scalars(select(model)):
                values = {
                    name: histogram.decode(value) if name == "histogram" else value
                    for name in names
                    for value in [getattr(row, name)]
                }
                key = tuple(values.pop(name) for name in KEYS[model])
                rows[key] = tuple(values.items())
    return found


def step(log: Log, label: str, activity: str) -> WorkItem:
    return next(
        found
        for found in log.items
        if found.instance_id == log.ids[label] and found.activity_id == activity
    )


def fresh(ctx, item_id: int) -> WorkItem:
    with ctx.reading() as session:
        return session.get(WorkItem, item_id)


def near(found: float | None, exact: float | None) -> bool:
    """Both missing, or within 1 % of the exact value plus the rounding to whole seconds."""
    if found is None or exact is None:
        return found is None and exact is None
    return abs(found - exact) <= histogram.ACCURACY * exact + 0.5


def assert_near_spread(found: Spread, exact: Spread, where) -> None:
    assert found.count == exact.count, where
    assert near(found.median, exact.median), (*where, found, exact)
    assert near(found.p90, exact.p90), (*where, found, exact)


def assert_same_figures(summarised: SopDetail, exact: SopDetail, label) -> None:
    assert [row.activity_id for row in summarised.activities] == [
        row.activity_id for row in exact.activities
    ], label
    for found, expected in zip(summarised.activities, exact.activities, strict=True):
        where = (label, expected.activity_id)
        assert {name: getattr(found, name) for name in EXACT_FIELDS} == {
            name: getattr(expected, name) for name in EXACT_FIELDS
        }, where
        for name in SPREADS:
            assert_near_spread(getattr(found, name), getattr(expected, name), (*where, name))
        assert near(found.standard_office, expected.standard_office), where
    # The SOP's request figures above the activities: counts exact, cycle times within 1 %.
    assert (summarised.summary is None) == (exact.summary is None), label
    if exact.summary is not None:
        for field in fields(exact.summary):
            got, want = getattr(summarised.summary, field.name), getattr(exact.summary, field.name)
            if isinstance(want, Spread):
                assert_near_spread(got, want, (label, "summary", field.name))
            else:
                assert got == want, (label, "summary", field.name)


def both_paths(ctx, org, monkeypatch, who: str, sop_id: int, filters: Filters):
    """The page read from the work items (the default limit), then from the summaries."""
    exact = overview.sop_detail(ctx, org.actor(who), sop_id, filters)
    with monkeypatch.context() as patch:
        patch.setattr(summary_reads, "EXACT_LIMIT", 0)
        summarised = overview.sop_detail(ctx, org.actor(who), sop_id, filters)
    return exact, summarised


def completed_ready_in(log: Log, filters: Filters, managed=None) -> int:
    scope = scope_of(log, filters, managed)
    return sum(1 for item in ready_in(log, scope) if item.status == WorkItemStatus.COMPLETED)


def no_rebuild(*args, **kwargs):
    raise AssertionError("the summaries were rebuilt")


# --- keeping the rows --------------------------------------------------------------------------


def test_the_rows_kept_as_steps_complete_are_the_rows_a_rebuild_writes(ctx, org, clock):
    log = run_log(ctx, org, clock)
    kept = every_summary(ctx)

    written = summaries.rebuild(ctx)

    assert every_summary(ctx) == kept
    assert written == sum(len(rows) for rows in kept.values())
    done = [item for item in log.items if item.status == WorkItemStatus.COMPLETED]
    days = step_days(ctx)
    assert sum(row[2] for row in days.values()) == len(done)
    assert sum(row[5] for row in days.values()) == sum(
        item.wait_office_seconds + item.handle_office_seconds for item in done
    )
    assert sum(sum(row[6].values()) for row in days.values()) == sum(
        3 + (item.standard_office_seconds is not None) for item in done
    )


def test_a_step_is_summarised_on_the_local_day_it_became_ready(known_log):
    ctx, _, log = known_log
    # B12 started at 00:00 WIB on Monday 10 August, still Sunday 9 August in UTC.
    terima = step(log, "B12", "terima")
    assert terima.ready_at == t("08-10 00:00")
    assert terima.ready_at.astimezone(UTC).date() == date(2026, 8, 9)

    kept = step_days(ctx)

    key = (log.sops["surat"], date(2026, 8, 10), log.versions["surat", 1], "terima")
    key += (terima.unit_id, terima.position_id)
    assert kept[key][2] == 1  # the only terima of surat that became ready that Monday
    assert [key for key in kept if key[1] == date(2026, 8, 9)] == []


def test_a_request_is_summarised_on_its_local_end_day_with_every_unit_its_steps_were_in(known_log):
    ctx, _, log = known_log
    kel, dinas = log.units["KEL"], log.units["DINAS"]

    found = {
        (sop_id, day, frozenset(int(unit) for unit in units.split())): dict(row)["completed"]
        for (sop_id, day, _version, units), row in every_summary(ctx)["request_day"].items()
    }

    # A1 (izin): terima and periksa in the kelurahan, arsip at Dinas Lain; ended 4 August.
    assert found[log.sops["izin"], date(2026, 8, 4), frozenset({kel, dinas})] == 1
    # B12 (surat) ended at 00:00 WIB on Monday 17 August, still Sunday 16 in UTC.
    assert found[log.sops["surat"], date(2026, 8, 17), frozenset({kel})] == 1
    assert [key for key in found if key[1] == date(2026, 8, 16)] == []


def test_a_step_completed_later_is_added_to_its_days_row_without_a_rebuild(
    ctx, org, clock, monkeypatch
):
    log = run_log(ctx, org, clock)
    before = step_days(ctx)
    # B7's setujui became ready on Tuesday 18 August, like B6's (completed on time); it is
    # still open, and the sweep at NOW found it past its 2 jam.
    setujui = step(log, "B7", "setujui")
    assert setujui.status == WorkItemStatus.OPEN and setujui.breached_at is not None
    key = (log.sops["surat"], date(2026, 8, 18), log.versions["surat", 1], "setujui")
    key += (setujui.unit_id, setujui.position_id)
    assert before[key][2:5] == (1, 1, 0)
    monkeypatch.setattr(summaries, "rebuild", no_rebuild)

    clock.now = t("08-26 13:00")
    work_items.complete(ctx, org.actor("citra"), setujui.id, {})

    after = step_days(ctx)
    done = fresh(ctx, setujui.id)
    name, lane, completed, measured, breached, spent, counts = after[key]
    assert (completed, measured, breached) == (2, 2, 1)
    assert spent == before[key][5] + done.wait_office_seconds + done.handle_office_seconds
    measures = [done.wait_office_seconds, done.handle_office_seconds]
    measures += [measures[0] + measures[1], done.standard_office_seconds]
    assert counts - before[key][6] == histogram.row_counts(measures)
    assert (name, lane) == before[key][:2]
    assert {k: row for k, row in after.items() if k != key} == {
        k: row for k, row in before.items() if k != key
    }
    kept = every_summary(ctx)
    monkeypatch.undo()
    summaries.rebuild(ctx)
    assert every_summary(ctx) == kept


def test_a_step_completed_on_a_day_without_a_row_starts_one(ctx, org, clock):
    log = run_log(ctx, org, clock)
    # A11's terima, claimed by ani, became ready on Monday 24 August: no izin terima was
    # completed that day yet.
    terima = step(log, "A11", "terima")
    key = (log.sops["izin"], date(2026, 8, 24), log.versions["izin", 2], "terima")
    key += (terima.unit_id, terima.position_id)
    before = step_days(ctx)
    assert key not in before

    clock.now = t("08-26 14:00")
    work_items.complete(ctx, org.actor("ani"), terima.id, {})

    after = step_days(ctx)
    done = fresh(ctx, terima.id)
    assert set(after) == set(before) | {key}
    assert after[key][:6] == (
        terima.activity_name,
        terima.lane,
        1,
        1,
        1,  # 1 jam from Monday 09:00, done on Wednesday
        done.wait_office_seconds + done.handle_office_seconds,
    )
    assert sum(after[key][6].values()) == 4  # wait, handle, their sum, the standard


def test_ensure_leaves_current_rows_alone(ctx, org, clock, monkeypatch):
    run_log(ctx, org, clock)
    monkeypatch.setattr(summaries, "rebuild", no_rebuild)

    assert summaries.ensure(ctx) is None


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__tablename__)
def test_ensure_rebuilds_rows_that_went_missing(ctx, org, clock, model):
    log = run_log(ctx, org, clock)
    kept = every_summary(ctx)
    with ctx.transaction() as session:
        session.execute(delete(model).where(model.sop_id == log.sops["surat"]))
    assert every_summary(ctx) != kept
    seen: list[int] = []

    written = summaries.ensure(ctx, seen.append)

    assert written == sum(len(rows) for rows in kept.values())
    assert every_summary(ctx) == kept
    completed_steps = sum(row[2] for row in step_days(ctx).values())
    completed_requests = sum(1 for i in log.instances if i.status == InstanceStatus.COMPLETED)
    assert seen and seen[-1] == completed_steps + completed_requests
    assert summaries.ensure(ctx) is None


def test_ensure_rebuilds_a_row_that_counts_too_many_steps(ctx, org, clock):
    run_log(ctx, org, clock)
    kept = every_summary(ctx)
    with ctx.transaction() as session:
        first = session.scalars(select(StepDay.id).order_by(StepDay.id).limit(1)).one()
        session.execute(
            update(StepDay).where(StepDay.id == first).values(completed=StepDay.completed + 1)
        )

    assert summaries.ensure(ctx) == sum(len(rows) for rows in kept.values())
    assert every_summary(ctx) == kept


# --- reading them ------------------------------------------------------------------------------


def test_a_busy_period_reads_the_same_activities_from_the_summaries(known_log, monkeypatch):
    ctx, org, log = known_log
    for key in SOPS:
        exact, summarised = both_paths(
            ctx, org, monkeypatch, "eka", log.sops[key], Filters(*THREE_WEEKS)
        )

        assert exact.approximate is False and summarised.approximate is True
        assert_same_figures(summarised, exact, key)
        # Not a comparison of nothing: every activity has steps, most have durations.
        assert all(row.items for row in exact.activities)
        assert sum(row.handle_office.count for row in exact.activities) > 10
        assert exact.summary.cycle_office.count > 5


def test_the_summaries_are_read_only_above_the_exact_limit(known_log, monkeypatch):
    ctx, org, log = known_log
    filters = Filters(*THREE_WEEKS, sop_id=log.sops["izin"])
    steps = completed_ready_in(log, filters)
    # Above the requests completed in the period: only the steps decide here.
    assert steps > 10 and steps > len(log.instances)

    monkeypatch.setattr(summary_reads, "EXACT_LIMIT", steps)
    at_limit = overview.sop_detail(ctx, org.actor("eka"), log.sops["izin"], filters)
    monkeypatch.setattr(summary_reads, "EXACT_LIMIT", steps - 1)
    above = overview.sop_detail(ctx, org.actor("eka"), log.sops["izin"], filters)

    assert at_limit.approximate is False and above.approximate is True


def test_every_filter_reads_the_same_activities_from_the_summaries(known_log, monkeypatch):
    ctx, org, log = known_log
    izin_v2 = log.versions["izin", 2]
    cases = [
        *choices(log),
        (
            "izin version 2, one week, unit DINAS",
            "eka",
            Filters(date(2026, 8, 10), date(2026, 8, 16), log.units["DINAS"], None, izin_v2),
            None,
        ),
        ("manager, one week", "citra", Filters(date(2026, 8, 17), date(2026, 8, 23)), ["KEL"]),
    ]
    compared = 0
    for name, who, filters, managed in cases:
        for key in SOPS:
            sop_id = log.sops[key]
            if filters.sop_id not in (None, sop_id):
                continue
            try:
                exact, summarised = both_paths(ctx, org, monkeypatch, who, sop_id, filters)
            except NotFound:
                continue  # a version of the other SOP
            busy = completed_ready_in(log, replace(filters, sop_id=sop_id), managed)

            assert exact.approximate is False, (name, key)
            if busy:
                assert summarised.approximate is True, (name, key)
            assert_same_figures(summarised, exact, (name, key))
            compared += busy > 0
    assert compared >= 15


def test_a_step_completed_later_shows_on_the_summarised_page(ctx, org, clock, monkeypatch):
    log = run_log(ctx, org, clock)
    surat = log.sops["surat"]
    _, before = both_paths(ctx, org, monkeypatch, "eka", surat, Filters(*THREE_WEEKS))

    clock.now = t("08-26 13:00")
    work_items.complete(ctx, org.actor("citra"), step(log, "B7", "setujui").id, {})
    exact, after = both_paths(ctx, org, monkeypatch, "eka", surat, Filters(*THREE_WEEKS))

    old, new = (
        next(row for row in page.activities if row.activity_id == "setujui")
        for page in (before, after)
    )
    assert (new.completed, new.open, new.items) == (old.completed + 1, old.open - 1, old.items)
    assert new.handle_office.count == old.handle_office.count + 1
    assert_same_figures(after, exact, "after B7's setujui")


@pytest.mark.parametrize("limit", [0, 10**9])
def test_a_period_without_completed_steps_is_read_exactly_whatever_the_limit(
    known_log, monkeypatch, limit
):
    ctx, org, log = known_log
    monkeypatch.setattr(summary_reads, "EXACT_LIMIT", limit)
    # Thursday 20 August: only A9's arsip became ready, and it is still open; no izin request
    # ended that day either.
    page = overview.sop_detail(
        ctx, org.actor("eka"), log.sops["izin"], Filters(date(2026, 8, 20), date(2026, 8, 20))
    )

    assert page.approximate is False
    rows = [(row.activity_id, row.items, row.completed, row.open) for row in page.activities]
    assert rows == [("arsip", 1, 0, 1)]
