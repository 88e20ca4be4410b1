"""Every figure of the overview and SOP pages against a known log, recomputed by hand.

The log (dashboard_log) runs 23 requests of two SOPs through the real use cases;
dashboard_expected recomputes each figure from the stored rows in plain Python.
"""

from dataclasses import replace
from datetime import date

import pytest

from tests.web.usecases.dashboard.dashboard_expected import (
    activity_rows,
    choices,
    overview_rows,
    scope_of,
    started_in,
    trend,
)
from tests.web.usecases.dashboard.dashboard_log import DAYS_OFF, THREE_WEEKS, Log
from web.usecases.dashboard import overview as dashboard
from web.usecases.dashboard.views import Filters, Share, Spread
from web.usecases.errors import NotFound

DIAGRAM_ORDER = {"izin": ["terima", "periksa", "arsip"], "surat": ["terima", "lengkapi", "setujui"]}
HOUR = 3600


def item(log: Log, label: str, activity: str):
    instance_id = log.ids[label]
    return next(
        found
        for found in log.items
        if found.instance_id == instance_id and found.activity_id == activity
    )


def test_office_time_is_the_calendars_working_time_checked_by_hand(known_log):
    log = known_log.log
    # Claimed Friday 7 August 15:00, completed Monday 08:30: office 15:00-16:30 and 07:30-08:30.
    friday_to_monday = item(log, "A3", "terima")
    assert friday_to_monday.handle_office_seconds == 2.5 * HOUR
    assert friday_to_monday.handle_seconds == (24 + 24 + 17.5) * HOUR
    # Friday 14 August 15:30 to Tuesday 08:00 over the weekend and Independence Day.
    over_the_holiday = item(log, "A8", "terima")
    assert over_the_holiday.handle_office_seconds == 1.5 * HOUR
    assert all(not log.calendar.is_working_day(day) for day in DAYS_OFF)
    # Ready Thursday 16:30 (after closing), claimed Friday 07:45: a quarter of an hour.
    after_hours = item(log, "B3", "terima")
    assert (after_hours.wait_office_seconds, after_hours.wait_seconds) == (900, 15.25 * HOUR)
    # A request started on Saturday waits from Monday 07:30.
    assert item(log, "B4", "terima").wait_office_seconds == 10 * 60
    # "1 hari" from Monday 09:30 is Tuesday 09:30: 6.5 + 2 office hours.
    one_day = item(log, "A1", "periksa")
    assert one_day.standard_office_seconds == 8.5 * HOUR
    assert log.calendar.working_time(one_day.ready_at, one_day.due_at).total_seconds() == 30600


def test_the_overview_counts_match_the_log_by_hand(known_log):
    ctx, org, log = known_log
    three_weeks = Filters(*THREE_WEEKS)
    found = dashboard.overview(ctx, org.actor("eka"), three_weeks)

    izin, surat = found.rows
    # B11 started in July and B10 on Sunday 23 August, completed Monday 24.
    assert (surat.started, surat.completed, surat.open) == (11, 9, 3)
    # A11 starts after the period; A12 was cancelled inside it; A5, A9, A10 are still running.
    assert (izin.started, izin.completed, izin.open) == (11, 7, 3)
    scope = scope_of(log, replace(three_weeks, sop_id=log.sops["surat"]))
    assert "B11" not in {log.label(i.id) for i in started_in(log, scope)}
    # Each request is held to the standards of the steps on its own path: B1 (terima, setujui)
    # ended late; B2 (terima, lengkapi, setujui) on time although its terima was late.
    b1, b2 = (next(i for i in log.instances if i.id == log.ids[key]) for key in ("B1", "B2"))
    assert b1.standard_office_seconds == 3 * HOUR
    assert b2.standard_office_seconds == 3 * HOUR + 8.5 * HOUR
    assert b1.ended_at > b1.due_at and b2.ended_at <= b2.due_at


def test_every_overview_figure_matches_the_recomputation(known_log):
    ctx, org, log = known_log
    for name, who, filters, managed in choices(log):
        found = dashboard.overview(ctx, org.actor(who), filters)
        scope = scope_of(log, filters, managed)

        assert found.rows == overview_rows(log, scope), name
        assert found.trend == trend(log, scope, filters), name


def test_the_weekly_trend_by_hand(known_log):
    ctx, org, log = known_log
    found = dashboard.overview(
        ctx,
        org.actor("eka"),
        Filters(date(2026, 8, 5), date(2026, 8, 19), sop_id=log.sops["surat"]),
    )

    weeks = [(p.week_start, p.started, p.completed) for p in found.trend]
    # The first week counts from Wednesday 5 August: B1's start and end fall before it.
    assert weeks == [
        (date(2026, 8, 3), 3, 2),  # B2, B3, B4 started; B2 and B3 completed
        (date(2026, 8, 10), 3, 2),  # B12 (at 00:00), B5, B6 started; B4, B5 completed
        (
            date(2026, 8, 17),
            2,
            2,
        ),  # B7, B8 started (the 19th is the last day); B12 (at 00:00), B6 completed
    ]
    # B4 ended Wednesday 09:00, past its 11.5 office hours from Saturday; B5 exactly on time.
    assert found.trend[1].requests_on_time == Share(1, 2)


def _rounded(rows):
    return [
        replace(row, load_share=None if row.load_share is None else round(row.load_share, 9))
        for row in rows
    ]


def test_every_activity_figure_matches_the_recomputation(known_log):
    ctx, org, log = known_log
    versions = {
        "izin": [(log.versions["izin", 2], 2), (log.versions["izin", 1], 1)],
        "surat": [(log.versions["surat", 1], 1)],
    }
    for name, who, filters, managed in choices(log):
        for key, order in DIAGRAM_ORDER.items():
            sop_id = log.sops[key]
            if filters.sop_id not in (None, sop_id):
                continue
            if filters.version_id is not None and filters.version_id not in dict(versions[key]):
                with pytest.raises(NotFound):
                    dashboard.sop_detail(ctx, org.actor(who), sop_id, filters)
                continue
            found = dashboard.sop_detail(ctx, org.actor(who), sop_id, filters)
            scope = scope_of(log, replace(filters, sop_id=sop_id), managed)

            assert _rounded(found.activities) == _rounded(activity_rows(log, scope, order)), (
                name,
                key,
            )
            assert found.summary == next(iter(overview_rows(log, scope)), None), (name, key)
            assert found.versions == versions[key]
            assert found.diagram_version_id == (filters.version_id or versions[key][0][0])


def test_the_bottleneck_and_load_shares_by_hand(known_log):
    ctx, org, log = known_log
    found = dashboard.sop_detail(ctx, org.actor("eka"), log.sops["izin"], Filters(*THREE_WEEKS))

    rows = {row.activity_id: row for row in found.activities}
    # arsip is handled for hours by Dinas Lain's only officer: requests spend most time there.
    assert [rows[key].bottleneck_rank for key in ("arsip", "periksa", "terima")] == [1, 2, 3]
    assert sum(row.load_share for row in found.activities) == pytest.approx(1)
    assert rows["arsip"].positions == ["LAIN-STAF"]
    assert rows["arsip"].lane == "Lain"  # the lane's name, not its BPMN id "lane_lain"
    # A9's arsip (never claimed) and A5's periksa (claimed) are still open.
    assert rows["arsip"].open == 1 and rows["periksa"].open == 1
    # terima is 1 jam in version 2 (six steps) and 2 jam in version 1 (five): the median is 1 jam.
    assert rows["terima"].standard_office == HOUR
    # The cancelled request's withdrawn periksa is not a step of the page.
    assert rows["periksa"].items == rows["terima"].items - 1  # A12's periksa was withdrawn


def test_an_activity_with_only_open_steps_has_no_durations(known_log):
    ctx, org, log = known_log
    found = dashboard.sop_detail(
        ctx, org.actor("eka"), log.sops["izin"], Filters(date(2026, 8, 20), date(2026, 8, 20))
    )

    arsip = next(row for row in found.activities if row.activity_id == "arsip")
    assert (arsip.items, arsip.completed, arsip.open) == (1, 0, 1)
    assert arsip.handle_office == Spread() and arsip.load_share is None
    assert arsip.bottleneck_rank is None and arsip.breaches == Share(1, 1)
