"""Service level against mutu baku *Waktu*: on time, at risk, or breached.

A step is *at risk* once 80% of its standard is used and *breached* once its due time has
passed, both measured in the organization's working time. The moments are computed when the
step opens (:func:`at_risk_moment`), so the state at any instant is a comparison of stored
times (:func:`sla_state`), the same in Python and in SQL.
"""

import enum
from datetime import datetime

from engine.calendar import WorkingCalendar

# The share of the time standard after which a step is at risk of breaching it.
AT_RISK_SHARE = 0.8


class SlaState(enum.StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    BREACHED = "breached"


def at_risk_moment(calendar: WorkingCalendar, start: datetime, due: datetime) -> datetime:
    """When :data:`AT_RISK_SHARE` of the working time from ``start`` to ``due`` has passed."""
    return calendar.add_working_time(start, calendar.working_time(start, due) * AT_RISK_SHARE)


def sla_state(
    now: datetime,
    due_at: datetime | None,
    at_risk_at: datetime | None = None,
    finished_at: datetime | None = None,
) -> SlaState | None:
    """The state at ``now`` of something due at ``due_at``; None when it has no standard.

    Once finished, only whether it finished late counts: on time or breached, never at risk.
    """
    if due_at is None:
        return None
    moment = finished_at or now
    if moment > due_at:
        return SlaState.BREACHED
    if finished_at is None and at_risk_at is not None and now >= at_risk_at:
        return SlaState.AT_RISK
    return SlaState.ON_TIME
