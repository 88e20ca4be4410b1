"""Running one SOP instance in memory: start, list ready steps, complete a step, wake timers.

The storage layer loads an :class:`Execution` from a stored state, calls one verb, and writes
the new state back in the same transaction.
"""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.exceptions import (
    SpiffWorkflowException,
    TaskNotFoundException,
    WorkflowException,
)
from SpiffWorkflow.util.task import TaskState

from engine.clock import Clock, use_clock
from engine.definition import SopDefinition, restore_spec
from engine.errors import EngineError, ExpressionError, TaskNotReady
from engine.forms import clean_form
from engine.scripting import script_engine
from engine.serialization import SERIALIZER_VERSION, dump_state, load_state
from engine.sop_metadata import Activity, SopMetadata
from engine.timer_expressions import ISO_DATETIME

# A bound on automatic steps per call, so a cycle of gateways cannot spin forever.
MAX_ENGINE_ROUNDS = 1000


@dataclass(frozen=True)
class Process:
    """What running needs of an SOP version: its metadata and its (shared, read-only) specs."""

    metadata: SopMetadata
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    allow_scripts: bool = False

    @classmethod
    def of(cls, definition: SopDefinition, allow_scripts: bool = False) -> "Process":
        return cls(definition.metadata, definition.spec, definition.subprocess_specs, allow_scripts)

    @classmethod
    def from_stored(
        cls, metadata: dict[str, Any], spec_json: str, allow_scripts: bool = False
    ) -> "Process":
        spec, subprocess_specs = restore_spec(spec_json)
        return cls(SopMetadata.from_dict(metadata), spec, subprocess_specs, allow_scripts)

    @cached_property
    def activities(self) -> dict[str, Activity]:
        return {a.id: a for a in self.metadata.activities}


@dataclass(frozen=True)
class PendingTimer:
    """A BPMN timer waiting to fire: its event's id and label, and when it is due."""

    event_id: str
    name: str | None
    due_at: datetime

    def as_dict(self) -> dict[str, str | None]:
        return {"event": self.event_id, "name": self.name, "due_at": self.due_at.isoformat()}


@dataclass(frozen=True)
class ReadyStep:
    """A human step waiting for a person: the engine's task id and the activity it runs."""

    task_id: str
    activity: Activity


class Execution:
    """A workflow in memory with the verbs the use cases need."""

    def __init__(self, process: Process, workflow: BpmnWorkflow, now: Clock | None = None):
        self.process = process
        self.workflow = workflow
        self.now = now
        workflow.script_engine = script_engine(process.allow_scripts)

    @classmethod
    def start(cls, process: Process, data: dict[str, Any], now: Clock | None = None) -> "Execution":
        """Create a new instance with ``data`` and run it to its first wait state.

        ``now`` is the clock its timers run by; without one, the clock in use
        (:func:`engine.clock.use_clock`, else the system clock).
        """
        workflow = BpmnWorkflow(process.spec, process.subprocess_specs)
        execution = cls(process, workflow, now)
        execution.workflow.task_tree.data.update(data)
        execution.advance()
        return execution

    @classmethod
    def restore(
        cls, process: Process, state: str, serializer_version: str, now: Clock | None = None
    ) -> "Execution":
        """Load a state written by :meth:`dump`; ``now`` as for :meth:`start`."""
        workflow = load_state(state, serializer_version, process.spec, process.subprocess_specs)
        return cls(process, workflow, now)

    def dump(self) -> tuple[str, str]:
        """The state to store, and the serializer format it is written in."""
        return dump_state(self.workflow), SERIALIZER_VERSION

    @property
    def is_completed(self) -> bool:
        return self.workflow.is_completed()

    @property
    def data(self) -> dict[str, Any]:
        """The data of the request so far: start data plus every completed step's form."""
        if self.workflow.is_completed():
            return dict(self.workflow.data)
        merged: dict[str, Any] = {}
        for task in self.workflow.get_tasks(state=TaskState.COMPLETED):
            merged.update(task.data)
        return merged

    def ready_steps(self) -> list[ReadyStep]:
        steps = []
        for task in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            activity = self.process.activities.get(task.task_spec.name)
            if activity is not None:
                steps.append(ReadyStep(str(task.id), activity))
        return steps

    def complete(self, task_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Complete a READY human step with form ``data``, then run to the next wait state.

        Returns the cleaned form data that was stored.

        :raises TaskNotReady: the step is not waiting (done, cancelled, not reached, unknown).
        :raises FormInvalid: ``data`` does not satisfy the step's form.
        :raises ExpressionError: a condition or timer after this step failed.
        """
        task = self._ready_human_task(task_id)
        activity = self.process.activities[task.task_spec.name]
        cleaned = clean_form(activity.fields, data, task.data)
        task.data.update(cleaned)
        self._guard(task.run)
        self.advance()
        return cleaned

    def advance(self) -> None:
        """Fire due timers and run automatic steps until only people or the clock can move on.

        Timers are refreshed before every round, so a timer that is due never stays READY to
        cancel, on a later call, a step a person has just completed.
        """
        for _ in range(MAX_ENGINE_ROUNDS):
            self._guard(self.workflow.refresh_timers)
            self._guard(self.workflow.do_engine_steps)
            if not self.workflow.get_tasks(state=TaskState.READY, manual=False):
                return
        raise ExpressionError("the process did not reach a wait state (endless automatic loop?)")

    def reached_ends(self) -> list[str]:
        """Ids of the end events reached so far: the outcome (e.g. issued, or rejected)."""
        return [
            task.task_spec.name
            for task in self.workflow.get_tasks(state=TaskState.COMPLETED)
            if isinstance(task.task_spec, EndEvent)
        ]

    def cancel(self) -> None:
        self.workflow.cancel()

    def next_timer_at(self) -> datetime | None:
        """When the earliest pending BPMN timer of this instance is due, if any."""
        moments = []
        for event in self.workflow.waiting_events():
            value = event.value
            if isinstance(value, str) and ISO_DATETIME.match(value):
                moments.append(datetime.fromisoformat(value))
        return min(moments, default=None)

    def pending_timers(self) -> list[PendingTimer]:
        """The BPMN timers waiting to fire, earliest first.

        A timer fires once the clock is strictly past its due time (SpiffWorkflow's rule).
        """
        timers = []
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            definition = getattr(task.task_spec, "event_definition", None)
            if not isinstance(definition, TimerEventDefinition):
                continue
            value = definition.details(task).value
            if isinstance(value, str) and ISO_DATETIME.match(value):
                spec = task.task_spec
                timers.append(
                    PendingTimer(spec.name, spec.bpmn_name, datetime.fromisoformat(value))
                )
        return sorted(timers, key=lambda timer: timer.due_at)

    def _ready_human_task(self, task_id: str) -> Any:
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, TypeError, KeyError, TaskNotFoundException):
            task = None
        if task is None:
            raise TaskNotReady(f"step {task_id} does not exist in this request")
        if task.state != TaskState.READY or not task.task_spec.manual:
            state = TaskState.get_name(task.state)
            raise TaskNotReady(f"step {task.task_spec.bpmn_name or task_id} is {state}, not READY")
        return task

    def _guard(self, action: Any) -> Any:
        try:
            with use_clock(self.now) if self.now else nullcontext():
                return action()
        except (WorkflowException, SpiffWorkflowException) as exc:
            task = getattr(exc, "task", None)
            where = f" at '{task.task_spec.bpmn_name or task.task_spec.name}'" if task else ""
            # SpiffWorkflow wraps our own refusal (unknown name, too long...) in its exception,
            # whose error_type is only the class name: say what actually went wrong.
            cause = exc.__context__ if isinstance(exc.__context__, EngineError) else exc
            raise ExpressionError(f"the process failed{where}: {cause}") from exc
        except EngineError:
            raise
        except Exception as exc:
            # SpiffWorkflow's timer code raises bare errors for a value that is not ISO 8601
            # ("besok", 3); they are the SOP's fault, not the server's.
            raise ExpressionError(f"the process failed: {type(exc).__name__}: {exc}") from exc
