"""The engine's clock: real time by default, a fixed or moving one inside ``use_clock``."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from engine import clock

FIXED = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def test_system_clock_is_aware_utc_and_current() -> None:
    moment = clock.now()
    assert moment.tzinfo is UTC
    assert abs(moment - datetime.now(UTC)) < timedelta(seconds=5)


def test_use_clock_replaces_now_inside_the_block_only() -> None:
    with clock.use_clock(lambda: FIXED):
        assert clock.now() == FIXED
        with clock.use_clock(lambda: FIXED + timedelta(hours=1)):
            assert clock.now() == FIXED + timedelta(hours=1)
        assert clock.now() == FIXED
    assert clock.now() != FIXED


def test_clock_is_restored_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), clock.use_clock(lambda: FIXED):
        raise RuntimeError("boom")
    assert clock.now() != FIXED


def test_spiffworkflow_timers_read_the_same_clock() -> None:
    with clock.use_clock(lambda: FIXED):
        assert spiff_timer.datetime.now(UTC) == FIXED
        wib = spiff_timer.datetime.now(timezone(timedelta(hours=7)))
        assert (wib.hour, wib.utcoffset()) == (8, timedelta(hours=7))
