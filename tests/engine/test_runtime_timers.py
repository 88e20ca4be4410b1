"""Timers run by the injectable clock: boundary timers, intermediate timers, and the race."""

from datetime import UTC, datetime, timedelta

import pytest

from engine.clock import use_clock
from engine.definition import load_sop
from engine.errors import ExpressionError, TaskNotReady
from engine.runtime import Execution, Process
from tests.engine.walk import Walk
from tests.factories.bpmn import SopSpec, Step, boundary_timer, build, flow, timer

T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB


class Clock:
    def __init__(self, moment: datetime = T0):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock():
    fixed = Clock()
    with use_clock(fixed):
        yield fixed


def reminder_sop(interrupting: bool, duration: str = "P2D"):
    """terima -> periksa -> end; after ``duration`` on periksa a boundary timer leads to tegur."""
    steps = [Step("terima"), Step("periksa"), Step("tegur", lane="kepala", chained=False)]
    extra = (
        boundary_timer("batas", "periksa", duration, interrupting)
        + '<bpmn:endEvent id="akhir_tegur"/>'
        + flow("batas", "tegur")
        + flow("tegur", "akhir_tegur")
    )
    return load_sop(build(SopSpec(steps=steps, extra=extra)))


def waiting_sop(kind: str = "timeDuration", expression: str = "PT1H"):
    """terima -> intermediate timer 'tunggu' -> periksa."""
    extra = (
        '<bpmn:startEvent id="mulai"/><bpmn:endEvent id="selesai"/>'
        f'<bpmn:intermediateCatchEvent id="tunggu">{timer(kind, expression)}'
        "</bpmn:intermediateCatchEvent>"
        + flow("mulai", "terima")
        + flow("terima", "tunggu")
        + flow("tunggu", "periksa")
        + flow("periksa", "selesai")
    )
    return load_sop(build(SopSpec(chain=False, extra=extra)))


def test_bare_iso_duration_is_normalised_for_the_engine() -> None:
    spec = reminder_sop(True).spec.task_specs["batas"]
    assert spec.event_definition.expression == "'P2D'"


@pytest.mark.parametrize("interrupting", [True, False], ids=["interrupting", "non-interrupting"])
def test_boundary_timer_fires_only_once_the_clock_passes_its_due_time(
    clock: Clock, interrupting: bool
) -> None:
    walk = Walk(reminder_sop(interrupting))
    assert walk.execution.next_timer_at() is None  # periksa, which carries it, is not reached
    walk.complete("terima")
    assert walk.execution.next_timer_at() == T0 + timedelta(days=2)

    clock.moment = T0 + timedelta(days=2) - timedelta(seconds=1)
    walk.advance()
    assert walk.ready() == ["periksa"]

    clock.moment = T0 + timedelta(days=2, seconds=1)
    walk.advance()
    if interrupting:
        assert walk.ready() == ["tegur"]
        assert walk.state_of("periksa") == "CANCELLED"
    else:
        assert walk.ready() == ["periksa", "tegur"]
        walk.complete("periksa")
    assert walk.execution.next_timer_at() is None
    walk.complete("tegur")
    assert walk.execution.is_completed


def test_step_cancelled_by_its_timer_cannot_be_completed(clock: Clock) -> None:
    walk = Walk(reminder_sop(True))
    walk.complete("terima")
    periksa = walk.task_id("periksa")
    clock.moment = T0 + timedelta(days=3)
    walk.advance()
    with pytest.raises(TaskNotReady):
        walk.execution.complete(periksa, {})


@pytest.mark.parametrize("interrupting", [True, False], ids=["interrupting", "non-interrupting"])
def test_step_completed_while_its_timer_is_due_but_not_yet_fired_stays_completed(
    clock: Clock, interrupting: bool
) -> None:
    # The scheduler has not woken the request yet: the person's completion wins, the timer
    # is withdrawn with the step, and nothing fires later to undo the completion.
    walk = Walk(reminder_sop(interrupting))
    walk.complete("terima")
    clock.moment = T0 + timedelta(days=5)

    walk.complete("periksa")

    assert walk.state_of("periksa") == "COMPLETED"
    assert walk.state_of("batas") == "CANCELLED"
    assert walk.execution.is_completed
    clock.moment = T0 + timedelta(days=10)
    walk.advance()
    assert walk.state_of("periksa") == "COMPLETED"
    assert walk.state_of("tegur") in ("", "CANCELLED")


def test_cycle_timer_reminds_as_often_as_it_says(clock: Clock) -> None:
    steps = [Step("terima"), Step("periksa"), Step("ingatkan", lane="kepala", chained=False)]
    extra = (
        '<bpmn:boundaryEvent id="batas" attachedToRef="periksa" cancelActivity="false">'
        f"{timer('timeCycle', 'R2/PT1H')}</bpmn:boundaryEvent>"
        '<bpmn:endEvent id="akhir"/>' + flow("batas", "ingatkan") + flow("ingatkan", "akhir")
    )
    walk = Walk(load_sop(build(SopSpec(steps=steps, extra=extra))))
    walk.complete("terima")
    assert walk.execution.next_timer_at() == T0 + timedelta(hours=1)
    reminders = []
    for hour in (1, 2, 3):
        clock.moment = T0 + timedelta(hours=hour, minutes=1)
        walk.advance()
        reminders.append(walk.ready().count("ingatkan"))
    assert reminders == [1, 2, 2]
    assert walk.execution.next_timer_at() is None
    assert "periksa" in walk.ready()


def test_intermediate_timer_waits_then_continues(clock: Clock) -> None:
    walk = Walk(waiting_sop())
    walk.complete("terima")
    assert walk.ready() == []
    assert walk.execution.next_timer_at() == T0 + timedelta(hours=1)

    clock.moment = T0 + timedelta(minutes=59)
    walk.advance()
    assert walk.ready() == []

    clock.moment = T0 + timedelta(minutes=61)
    walk.advance()
    assert walk.ready() == ["periksa"]
    assert walk.execution.next_timer_at() is None


def test_timer_on_a_date_with_offset(clock: Clock) -> None:
    walk = Walk(waiting_sop("timeDate", "2026-01-06T09:00:00+07:00"))
    walk.complete("terima")
    assert walk.execution.next_timer_at() == datetime(2026, 1, 6, 2, 0, tzinfo=UTC)
    clock.moment = datetime(2026, 1, 6, 2, 0, 1, tzinfo=UTC)
    walk.advance()
    assert walk.ready() == ["periksa"]


def test_timer_duration_from_the_request_data(clock: Clock) -> None:
    walk = Walk(waiting_sop("timeDuration", "batas_waktu"), {"batas_waktu": "PT4H"})
    walk.complete("terima")
    assert walk.execution.next_timer_at() == T0 + timedelta(hours=4)


@pytest.mark.parametrize("value", ["besok", 3, None])
def test_timer_duration_that_is_not_iso_fails_as_an_expression_error(
    clock: Clock, value: object
) -> None:
    walk = Walk(waiting_sop("timeDuration", "batas_waktu"), {"batas_waktu": value})
    with pytest.raises(ExpressionError, match="the process failed"):
        walk.execution.complete(walk.task_id("terima"), {})


def test_clock_can_be_given_to_the_execution_itself() -> None:
    definition = waiting_sop()
    process = Process.of(definition)
    moment = Clock()
    execution = Execution.start(process, {}, moment)
    execution.complete(execution.ready_steps()[0].task_id, {})
    assert execution.next_timer_at() == T0 + timedelta(hours=1)

    state, version = execution.dump()
    moment.moment = T0 + timedelta(hours=2)
    restored = Execution.restore(process, state, version, moment)
    restored.advance()
    assert [s.activity.id for s in restored.ready_steps()] == ["periksa"]
