"""Stored state: the task tree only (the definition lives once with the SOP version)."""

import json

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.definition import load_sop, restore_spec
from engine.errors import StateIncompatible
from engine.runtime import Execution, Process
from engine.serialization import SERIALIZER_VERSION
from tests.engine.walk import Walk
from tests.factories.bpmn import SopSpec, Step, build

SIX_STEPS = [Step(f"langkah_{n}", fields='<sop:field name="catatan"/>') for n in range(6)]


@pytest.fixture(scope="module")
def definition():
    return load_sop(build(SopSpec(steps=SIX_STEPS)))


def test_state_holds_no_process_definition(definition) -> None:
    walk = Walk(definition, {"pemohon": "Budi"})
    walk.complete("langkah_0", {"catatan": "ok"})
    state, version = walk.execution.dump()

    stored = json.loads(state)
    assert version == SERIALIZER_VERSION
    assert "spec" not in stored
    assert "subprocess_specs" not in stored
    # Labels and lanes are part of the definition, not of the state.
    assert "Langkah langkah_0" not in state
    assert "UJI-STAF" not in state
    assert "Budi" in state


def test_state_is_much_smaller_than_spiffworkflows_own(definition) -> None:
    execution = Execution.start(Process.of(definition), {"pemohon": "Budi"})
    execution.complete(execution.ready_steps()[0].task_id, {"catatan": "ok"})
    ours, _ = execution.dump()
    theirs = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG)).serialize_json(
        execution.workflow
    )
    assert "spec" in json.loads(theirs)
    assert len(ours) < len(theirs) * 0.6


def test_restored_request_continues_where_it_stopped(definition) -> None:
    execution = Execution.start(Process.of(definition), {"pemohon": "Budi"})
    first = execution.ready_steps()[0].task_id
    execution.complete(first, {"catatan": "satu"})
    waiting = execution.ready_steps()[0].task_id
    state, version = execution.dump()

    process = Process.from_stored(definition.metadata.as_dict(), definition.spec_json)
    restored = Execution.restore(process, state, version)

    assert [s.task_id for s in restored.ready_steps()] == [waiting]
    assert restored.data == {"pemohon": "Budi", "catatan": "satu"}
    for step in range(1, 6):
        restored.complete(restored.ready_steps()[0].task_id, {"catatan": str(step)})
    assert restored.is_completed
    assert restored.data == {"pemohon": "Budi", "catatan": "5"}


@pytest.mark.parametrize(
    "version",
    [
        "spiff-1.4/alur-1",
        "spiff-1.5/alur-0",
        "spiff-1.5/alur-2",
        "",
        "1.5",
        SERIALIZER_VERSION + " ",
    ],
)
def test_state_of_another_serializer_version_is_refused(definition, version: str) -> None:
    state, _ = Execution.start(Process.of(definition), {}).dump()
    with pytest.raises(StateIncompatible, match="cannot be read"):
        Execution.restore(Process.of(definition), state, version)


def test_stored_definition_restores_once_and_is_shared(definition) -> None:
    first, _ = restore_spec(definition.spec_json)
    second, _ = restore_spec(definition.spec_json)
    assert first is second
    assert sorted(first.task_specs) == sorted(definition.spec.task_specs)


def test_metadata_survives_storage(definition) -> None:
    process = Process.from_stored(definition.metadata.as_dict(), definition.spec_json)
    assert process.metadata == definition.metadata
    assert json.loads(json.dumps(definition.metadata.as_dict())) == definition.metadata.as_dict()


def test_typed_form_values_survive_storage() -> None:
    fields = (
        '<sop:field name="jumlah" type="integer"/><sop:field name="nilai" type="decimal"/>'
        '<sop:field name="lengkap" type="boolean"/><sop:field name="tanggal" type="date"/>'
    )
    definition = load_sop(build(SopSpec(steps=[Step("isi", fields=fields), Step("periksa")])))
    walk = Walk(definition)
    walk.complete("isi", {"jumlah": "3", "nilai": "1,5", "lengkap": "ya", "tanggal": "2026-01-05"})
    assert walk.execution.data == {
        "jumlah": 3,
        "nilai": 1.5,
        "lengkap": True,
        "tanggal": "2026-01-05",
    }
