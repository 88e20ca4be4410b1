"""From uploaded bytes to a runnable SOP version: what publishing an SOP gives back."""

import hashlib
import json

import pytest

from engine.definition import EngineOptions, load_sop, restore_spec
from engine.errors import BpmnRejected
from engine.runtime import Execution, Process
from engine.serialization import SERIALIZER_VERSION
from engine.xml_safety import DEFAULT_MAX_BYTES
from tests.factories.bpmn import SopSpec, build, flow

COLLABORATION = (
    b'<bpmn:collaboration id="kolaborasi"><bpmn:participant id="kolam" name="Kelurahan" '
    b'processRef="uji_sop"/></bpmn:collaboration><bpmn:process'
)


def test_defaults_are_safe() -> None:
    options = EngineOptions()
    assert options.max_bpmn_bytes == DEFAULT_MAX_BYTES == 2 * 1024 * 1024
    assert options.allow_script_tasks is False


def test_published_version_carries_everything_needed_to_run_it() -> None:
    data = build()
    definition = load_sop(data)

    assert definition.key == "uji_sop"
    assert definition.bpmn_sha256 == hashlib.sha256(data).hexdigest()
    assert [a.id for a in definition.metadata.activities] == ["terima", "periksa"]
    stored = json.loads(definition.spec_json)
    assert stored["serializer_version"] == SERIALIZER_VERSION
    spec, subprocess_specs = restore_spec(definition.spec_json)
    assert spec.name == "uji_sop"
    assert subprocess_specs == {}


def test_version_runs_from_its_stored_form_alone() -> None:
    definition = load_sop(build())
    process = Process.from_stored(definition.metadata.as_dict(), definition.spec_json)
    execution = Execution.start(process, {})
    while execution.ready_steps():
        execution.complete(execution.ready_steps()[0].task_id, {})
    assert execution.is_completed


def test_same_bytes_give_the_same_stored_definition() -> None:
    assert load_sop(build()).spec_json == load_sop(build()).spec_json


def test_pool_and_diagram_around_the_process_are_accepted() -> None:
    data = build().replace(b"<bpmn:process", COLLABORATION, 1)
    assert load_sop(data).key == "uji_sop"


@pytest.mark.parametrize(
    ("data", "element_id"),
    [
        (
            build(
                SopSpec(
                    chain=False,
                    extra='<bpmn:endEvent id="selesai"/>'
                    + flow("terima", "periksa")
                    + flow("periksa", "selesai"),
                )
            ),
            "uji_sop",
        ),
        (
            build(
                SopSpec(
                    chain=False,
                    extra='<bpmn:startEvent id="mulai"/>'
                    + flow("mulai", "terima")
                    + flow("terima", "periksa")
                    + flow("periksa", "tidak_ada"),
                )
            ),
            "periksa",
        ),
    ],
    ids=["no start event", "flow to a missing element"],
)
def test_what_the_engine_itself_cannot_parse_is_refused_naming_the_element(
    data: bytes, element_id: str
) -> None:
    with pytest.raises(BpmnRejected) as caught:
        load_sop(data)
    assert [(p.code, p.element_id) for p in caught.value.problems] == [("bpmn_invalid", element_id)]
