"""From uploaded bytes to a runnable SOP definition: safe parse, validate, build the spec."""

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine import validation
from engine.errors import BpmnRejected, Problem
from engine.scripting import check_script
from engine.serialization import SERIALIZER_VERSION, spec_registry
from engine.sop_metadata import SopMetadata, read_metadata
from engine.xml_safety import DEFAULT_MAX_BYTES, parse_bpmn_xml


@dataclass(frozen=True)
class EngineOptions:
    """Server settings that change what the engine accepts."""

    max_bpmn_bytes: int = DEFAULT_MAX_BYTES
    allow_script_tasks: bool = False


@dataclass(frozen=True)
class SopDefinition:
    """A validated SOP: its metadata, the spec the engine runs, and the spec serialized once."""

    metadata: SopMetadata
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    spec_json: str
    bpmn_sha256: str

    @property
    def key(self) -> str:
        return self.metadata.key


def load_sop(data: bytes, options: EngineOptions | None = None) -> SopDefinition:
    """Parse and validate uploaded BPMN; every problem found is reported at once.

    :raises BpmnRejected: the file is unsafe, malformed or not runnable (``problems`` says why).
    """
    options = options or EngineOptions()
    tree = parse_bpmn_xml(data, options.max_bpmn_bytes)
    processes = validation.find_processes(tree.getroot())
    if len(processes) != 1:
        raise BpmnRejected(
            [
                Problem(
                    "process_count",
                    f"An SOP file holds exactly one process; found {len(processes)}.",
                )
            ]
        )
    process = processes[0]
    problems = validation.check_process(
        process, allow_scripts=options.allow_script_tasks, check_script=check_script
    )
    metadata = read_metadata(process, problems)
    if problems:
        raise BpmnRejected(problems)
    spec, subprocess_specs = _build_spec(tree, metadata.key)
    return SopDefinition(
        metadata=metadata,
        spec=spec,
        subprocess_specs=subprocess_specs,
        spec_json=dump_spec(spec, subprocess_specs),
        bpmn_sha256=hashlib.sha256(data).hexdigest(),
    )


def _build_spec(
    tree: etree._ElementTree, key: str
) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_xml(tree, filename=f"{key}.bpmn")
        return parser.get_spec(key), parser.get_subprocess_specs(key)
    except ValidationException as exc:
        message = str(exc).splitlines()[0] if str(exc) else "the BPMN could not be parsed"
        raise BpmnRejected(
            [Problem("bpmn_invalid", message, exc.id or None, exc.name or None)]
        ) from None
    except (SpiffWorkflowException, KeyError, ValueError, TypeError) as exc:
        raise BpmnRejected(
            [Problem("bpmn_invalid", f"The BPMN could not be parsed: {exc}")]
        ) from None


def dump_spec(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> str:
    """Serialize the process definition once, to be stored with the SOP version."""
    registry = spec_registry()
    payload: dict[str, Any] = {
        "serializer_version": SERIALIZER_VERSION,
        "spec": registry.convert(spec),
        "subprocess_specs": {k: registry.convert(v) for k, v in subprocess_specs.items()},
    }
    return json.dumps(payload, separators=(",", ":"))


@lru_cache(maxsize=256)
def restore_spec(spec_json: str) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    """Restore a stored definition; cached, since every step of every instance needs it."""
    payload = json.loads(spec_json)
    registry = spec_registry()
    spec = registry.restore(payload["spec"])
    subprocess_specs = {k: registry.restore(v) for k, v in payload["subprocess_specs"].items()}
    return spec, subprocess_specs
