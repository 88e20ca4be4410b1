"""The engine's notion of now, injectable for tests and simulations.

SpiffWorkflow reads ``datetime.now(timezone.utc)`` inside its timer module and offers no hook,
so that module's ``datetime`` is replaced, once, by a subclass whose ``now`` asks the clock of
the current context. Outside :func:`use_clock` the real time is used.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


_current: ContextVar[Clock] = ContextVar("alur_clock", default=system_clock)


def now() -> datetime:
    """The current instant by the clock in use (aware, UTC)."""
    return _current.get()()


@contextmanager
def use_clock(clock: Clock) -> Iterator[None]:
    """Run the engine (timers included) by ``clock`` inside this block."""
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = _current.get()()
        return moment.astimezone(tz) if tz else moment.astimezone().replace(tzinfo=None)


spiff_timer.datetime = _ClockedDatetime  # type: ignore[misc]
