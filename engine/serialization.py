"""Instance state without the process definition: stored per instance, the spec once per version.

SpiffWorkflow embeds the whole definition in every serialization; Alur keeps it in the SOP
version and writes only the task tree. The serializer format is recorded with each state and
checked on load, since an unknown format would otherwise load without migration.
"""

import json
from functools import cache
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_FORMAT
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.errors import StateIncompatible

SERIALIZER_VERSION = f"spiff-{SPIFF_FORMAT}/alur-1"


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Writes a workflow without its specs and restores it onto specs given by the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(  # type: ignore[override]
        self,
        dct: dict[str, Any],
        spec: BpmnProcessSpec,
        subprocess_specs: dict[str, BpmnProcessSpec],
    ) -> BpmnWorkflow:
        from uuid import UUID

        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


@cache
def _serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecFreeWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def spec_registry() -> Any:
    """The registry that converts process specs to and from dictionaries."""
    return _serializer().registry


def dump_state(workflow: BpmnWorkflow) -> str:
    """Serialize a running workflow to JSON, without its process definition."""
    serializer = _serializer()
    registry = serializer.registry
    registry._encoder_mode = True
    try:
        dct = registry.convert(workflow)
    finally:
        registry._encoder_mode = False
    return json.dumps(dct, cls=serializer._encoder_cls, separators=(",", ":"))


def load_state(
    state: str,
    serializer_version: str,
    spec: BpmnProcessSpec,
    subprocess_specs: dict[str, BpmnProcessSpec],
) -> BpmnWorkflow:
    """Restore a workflow written by :func:`dump_state` onto its (cached) specs.

    :raises StateIncompatible: the state was written in another serializer format.
    """
    if serializer_version != SERIALIZER_VERSION:
        raise StateIncompatible(
            f"state format {serializer_version!r} cannot be read by this engine "
            f"({SERIALIZER_VERSION!r})"
        )
    dct = json.loads(state)
    return _serializer().registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
