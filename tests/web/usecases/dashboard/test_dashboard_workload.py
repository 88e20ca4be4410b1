"""The workload page (per position and per officer) against the known log of
tests.web.usecases.dashboard.dashboard_log, recomputed by hand."""

import statistics
from dataclasses import replace
from datetime import date, timedelta

import pytest

from storage.models import WorkItemStatus
from tests.web.usecases.dashboard.dashboard_expected import (
    OPEN,
    Scope,
    breached,
    choices,
    office,
    scope_of,
    steps,
    steps_done_in,
)
from tests.web.usecases.dashboard.dashboard_log import DAYS_OFF, THREE_WEEKS, Log
from web.usecases.dashboard import workload as dashboard_workload
from web.usecases.dashboard.views import Filters, LoadRow, Share

PERIOD = Filters(*THREE_WEEKS)


def working_days(filters: Filters) -> int:
    days = [
        filters.start + timedelta(days=n) for n in range((filters.end - filters.start).days + 1)
    ]
    return sum(1 for day in days if day.weekday() < 5 and day not in DAYS_OFF)


def outliers(values: list[float]) -> list[bool]:
    """Above the median + 3 scaled MADs and above 1.5 x the median, among 3 or more."""
    if len(values) < 3:
        return [False] * len(values)
    middle = statistics.median(values)
    mad = 1.4826 * statistics.median(abs(value - middle) for value in values)
    return [value > max(middle + 3 * mad, 1.5 * middle) and value > 0 for value in values]


def busy(log: Log, items: list) -> int:
    """Office seconds in which at least one of ``items`` was in hand (claimed, not completed),
    per officer: each officer's intervals merged where they overlap, then summed."""
    total = 0
    for user in {i.completed_by_id for i in items}:
        runs: list[list] = []
        for item in sorted(
            (i for i in items if i.completed_by_id == user), key=lambda i: i.claimed_at
        ):
            if runs and item.claimed_at < runs[-1][1]:
                runs[-1][1] = max(runs[-1][1], item.completed_at)
            else:
                runs.append([item.claimed_at, item.completed_at])
        total += sum(office(log, start, end) for start, end in runs)
    return total


def _load_rows(log: Log, filters: Filters, groups: dict, identities: dict) -> list[LoadRow]:
    weeks = ((filters.end - filters.start).days + 1) / 7
    days = max(1, working_days(filters))
    rows = []
    for key, (done, open_count) in groups.items():
        per = max(1, identities[key]["holders"]) if "position_id" in identities[key] else 1
        rows.append(
            LoadRow(
                completed=len(done),
                hours_per_week=round(busy(log, done) / 3600 / weeks / per, 9),
                items_per_day=round(len(done) / days / per, 9),
                open=open_count,
                breaches=Share(
                    sum(1 for i in done if breached(i)),
                    sum(1 for i in done if i.due_at is not None),
                ),
                outlier=False,
                **identities[key],
            )
        )
    flags = outliers([row.hours_per_week for row in rows])
    rows = [replace(row, outlier=flag) for row, flag in zip(rows, flags, strict=True)]
    return sorted(rows, key=lambda row: (-row.hours_per_week, row.key))


def load_rows(log: Log, scope: Scope, filters: Filters) -> tuple[list[LoadRow], list[LoadRow]]:
    """(per position, per officer) rows of the workload page."""
    done, kept = steps_done_in(log, scope), steps(log, scope)
    by_position = {
        pid: (
            [i for i in done if i.position_id == pid],
            sum(1 for i in kept if i.position_id == pid and i.status in OPEN),
        )
        for pid in {i.position_id for i in done} | {i.position_id for i in kept if i.status in OPEN}
    }
    claimed = [i for i in kept if i.status == WorkItemStatus.CLAIMED]
    by_user = {
        uid: (
            [i for i in done if i.completed_by_id == uid],
            sum(1 for i in claimed if i.claimed_by_id == uid),
        )
        for uid in {i.completed_by_id for i in done} | {i.claimed_by_id for i in claimed}
    }
    positions = {
        pid: {
            "key": log.positions[pid].code,
            "name": log.positions[pid].name,
            "unit": log.positions[pid].unit.name,
            "holders": log.holders.get(pid, 0),
            "position_id": pid,
        }
        for pid in by_position
    }
    users = {user.id: user for user in log.users.values()}
    officers = {
        uid: {
            "key": users[uid].username,
            "name": users[uid].full_name,
            "unit": ", ".join(sorted({p.unit.name for p in users[uid].positions})),
            "holders": 1,
            "user_id": uid,
        }
        for uid in by_user
    }
    return (
        _load_rows(log, filters, by_position, positions),
        _load_rows(log, filters, by_user, officers),
    )


def _rounded(rows):
    return [
        replace(
            row,
            hours_per_week=round(row.hours_per_week, 9),
            items_per_day=round(row.items_per_day, 9),
        )
        for row in rows
    ]


def test_every_workload_figure_matches_the_recomputation(known_log):
    ctx, org, log = known_log
    for name, who, filters, managed in choices(log):
        found = dashboard_workload.workload(ctx, org.actor(who), filters)
        positions, officers = load_rows(log, scope_of(log, filters, managed), filters)

        assert found.working_days == working_days(filters), name
        assert found.weeks == pytest.approx(((filters.end - filters.start).days + 1) / 7)
        assert _rounded(found.positions) == positions, name
        assert _rounded(found.officers) == officers, name


def test_the_workload_by_hand(known_log):
    ctx, org, log = known_log
    # 15 weekdays from 3 to 23 August, less Independence Day.
    assert dashboard_workload.workload(ctx, org.actor("eka"), PERIOD).working_days == 14
    one_week = dashboard_workload.workload(
        ctx, org.actor("eka"), Filters(date(2026, 8, 10), date(2026, 8, 16))
    )
    # Dinas Lain's one officer held four archives for 34.5 office hours that week, two of them
    # at once for 2 hours, so had archives in hand 32.5 hours; the head 13, each staff member
    # 10.6 (their overlapping claims counted once): the median is 13 and 1.5 x 13 = 19.5.
    hours = [round(row.hours_per_week, 2) for row in one_week.positions]
    assert hours == [32.5, 13.0, 10.58]
    assert [row.key for row in one_week.positions if row.outlier] == ["LAIN-STAF"]
    assert one_week.positions[0].breaches == Share(4, 4)
    staff = next(row for row in one_week.positions if row.key == "UJI-STAF")
    assert staff.holders == 2 and staff.items_per_day == pytest.approx(11 / 5 / 2)
    version_2 = dashboard_workload.workload(
        ctx, org.actor("eka"), replace(PERIOD, version_id=log.versions["izin", 2])
    )
    assert [row.key for row in version_2.officers if row.outlier] == ["dedi"]
