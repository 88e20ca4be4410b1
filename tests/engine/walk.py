"""Drive one SOP instance step by step, storing and restoring it after every step.

The restore at every step is SpiffWorkflow's own testing habit: whatever a person can do to a
request must survive being written to the database and read back in between.
"""

from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.definition import SopDefinition
from engine.runtime import Execution, Process


class Walk:
    def __init__(
        self, definition: SopDefinition, data: dict[str, Any] | None = None, scripts: bool = False
    ):
        self.definition = definition
        self.scripts = scripts
        self.execution = Execution.start(Process.of(definition, scripts), data or {})
        self.reload()

    def reload(self) -> None:
        """Store and load the request as the storage layer does; nothing may change."""
        state, version = self.execution.dump()
        process = Process.from_stored(
            self.definition.metadata.as_dict(), self.definition.spec_json, self.scripts
        )
        self.execution = Execution.restore(process, state, version)
        assert self.execution.dump() == (state, version)
        # No automatic step is ever left READY in a stored state (it could fire later).
        assert not self.execution.workflow.get_tasks(state=TaskState.READY, manual=False)

    def ready(self) -> list[str]:
        return sorted(step.activity.id for step in self.execution.ready_steps())

    def task_id(self, activity_id: str) -> str:
        (task_id,) = [
            s.task_id for s in self.execution.ready_steps() if s.activity.id == activity_id
        ]
        return task_id

    def complete(self, activity_id: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        cleaned = self.execution.complete(self.task_id(activity_id), data or {})
        self.reload()
        return cleaned

    def advance(self) -> None:
        self.execution.advance()
        self.reload()

    def state_of(self, activity_id: str) -> str:
        tasks = self.execution.workflow.get_tasks(spec_name=activity_id)
        return ",".join(sorted(TaskState.get_name(t.state) for t in tasks))

    def any_task_id(self, activity_id: str) -> str:
        return str(self.execution.workflow.get_tasks(spec_name=activity_id)[0].id)
