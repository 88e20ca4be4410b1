"""SLA states from stored times, and the at-risk moment in working time."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.calendar import WorkingCalendar
from engine.sla import SlaState, at_risk_moment, sla_state

T = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
DUE = T + timedelta(hours=10)
RISK = T + timedelta(hours=8)


@pytest.mark.parametrize(
    ("now", "finished", "expected"),
    [
        (T, None, SlaState.ON_TIME),
        (RISK - timedelta(seconds=1), None, SlaState.ON_TIME),
        (RISK, None, SlaState.AT_RISK),
        (DUE, None, SlaState.AT_RISK),
        (DUE + timedelta(seconds=1), None, SlaState.BREACHED),
        (DUE + timedelta(days=9), RISK, SlaState.ON_TIME),
        (DUE + timedelta(days=9), DUE + timedelta(minutes=1), SlaState.BREACHED),
    ],
    ids=["start", "just before risk", "at risk", "at the due time", "past due", "done", "late"],
)
def test_state_at_a_moment(now, finished, expected):
    assert sla_state(now, DUE, RISK, finished) == expected


def test_no_standard_no_state():
    assert sla_state(T, None, None) is None


def test_without_an_at_risk_moment_a_step_is_on_time_until_it_breaches():
    assert sla_state(DUE, DUE, None) == SlaState.ON_TIME


def test_at_risk_is_eighty_percent_of_the_working_time():
    jakarta = ZoneInfo("Asia/Jakarta")
    calendar = WorkingCalendar()
    # Friday 15:30 to Monday 11:30 WIB: 1 hour on Friday plus 4 on Monday = 5 working hours.
    start = datetime(2026, 1, 9, 15, 30, tzinfo=jakarta)
    due = datetime(2026, 1, 12, 11, 30, tzinfo=jakarta)
    # 80% of 5 hours is 4 hours: Friday's last hour, then 3 hours into Monday.
    assert at_risk_moment(calendar, start, due) == datetime(2026, 1, 12, 10, 30, tzinfo=jakarta)
