"""Running a request: steps in order, decisions on form data, refusals that change nothing."""

import pytest

from engine.definition import load_sop
from engine.errors import ExpressionError, FormInvalid, TaskNotReady
from engine.runtime import Execution, Process
from tests.engine.walk import Walk
from tests.factories.bpmn import SopSpec, Step, build, flow, gateway

START_END = '<bpmn:startEvent id="mulai"/><bpmn:endEvent id="selesai"/>'
FORM = (
    '<sop:field name="lengkap" type="boolean" label="Berkas lengkap?"/>'
    '<sop:field name="jumlah" type="integer" required="true"/>'
    '<sop:field name="jenis" type="choice">'
    '<sop:option value="baru" label="Baru"/><sop:option value="ulang" label="Perpanjangan"/>'
    "</sop:field>"
)


def chain_sop():
    return load_sop(
        build(
            SopSpec(
                steps=[
                    Step("terima", time="15 menit"),
                    Step("periksa", time="2 jam", fields='<sop:field name="catatan"/>'),
                    Step("setujui", lane="kepala", time="1 hari"),
                ]
            )
        )
    )


def decision_sop(condition: str = "lengkap and jumlah > 0"):
    steps = [
        Step("terima", fields=FORM),
        Step("proses", chained=False),
        Step("tolak", lane="kepala", chained=False),
    ]
    extra = (
        START_END
        + gateway("cek", default="f_cek_tolak")
        + flow("mulai", "terima")
        + flow("terima", "cek")
        + flow("cek", "proses", condition)
        + flow("cek", "tolak")
        + flow("proses", "selesai")
        + flow("tolak", "selesai")
    )
    return load_sop(build(SopSpec(steps=steps, chain=False, extra=extra)))


def test_request_moves_through_a_chain_of_steps() -> None:
    walk = Walk(chain_sop(), {"pemohon": "Budi"})
    assert walk.ready() == ["terima"]
    (step,) = walk.execution.ready_steps()
    assert (step.activity.position_code, step.activity.time_standard.minutes) == ("UJI-STAF", 15)

    walk.complete("terima")
    assert walk.ready() == ["periksa"]
    assert walk.complete("periksa", {"catatan": "  cukup  "}) == {"catatan": "cukup"}
    assert walk.ready() == ["setujui"]
    assert walk.execution.ready_steps()[0].activity.position_code == "UJI-KEPALA"
    walk.complete("setujui")

    assert walk.execution.is_completed
    assert walk.ready() == []
    assert walk.execution.data == {"pemohon": "Budi", "catatan": "cukup"}


def test_data_so_far_holds_start_data_and_completed_forms() -> None:
    walk = Walk(chain_sop(), {"pemohon": "Budi"})
    walk.complete("terima")
    walk.complete("periksa", {"catatan": "ok"})
    assert walk.execution.data == {"pemohon": "Budi", "catatan": "ok"}


@pytest.mark.parametrize(
    ("form", "next_step"),
    [
        ({"lengkap": True, "jumlah": 2}, "proses"),
        ({"lengkap": "ya", "jumlah": "3"}, "proses"),
        ({"lengkap": False, "jumlah": 2}, "tolak"),
        ({"lengkap": True, "jumlah": 0}, "tolak"),
        ({"jumlah": 5}, "tolak"),
    ],
)
def test_decision_follows_the_form_data(form: dict, next_step: str) -> None:
    # The start data's "lengkap" is overwritten by the form when the form has it.
    walk = Walk(decision_sop("jumlah > 0 and lengkap == True"), {"lengkap": False})
    walk.complete("terima", form)
    assert walk.ready() == [next_step]
    walk.complete(next_step)
    assert walk.execution.is_completed
    assert walk.execution.reached_ends() == ["selesai"]


@pytest.mark.parametrize(("jenis", "next_step"), [("baru", "proses"), ("ulang", "tolak")])
def test_decision_on_a_choice(jenis: str, next_step: str) -> None:
    walk = Walk(decision_sop("jenis == 'baru'"))
    walk.complete("terima", {"jumlah": 1, "jenis": jenis})
    assert walk.ready() == [next_step]


def test_rework_loop_returns_to_an_earlier_step_until_the_file_is_complete() -> None:
    steps = [Step("terima", fields='<sop:field name="lengkap" type="boolean"/>')]
    extra = (
        START_END
        + gateway("cek", default="f_cek_terima")
        + flow("mulai", "terima")
        + flow("terima", "cek")
        + flow("cek", "selesai", "lengkap")
        + flow("cek", "terima")
    )
    walk = Walk(load_sop(build(SopSpec(steps=steps, chain=False, extra=extra))))
    for _ in range(3):
        walk.complete("terima", {"lengkap": False})
        assert walk.ready() == ["terima"]
    walk.complete("terima", {"lengkap": True})
    assert walk.execution.is_completed


def test_condition_on_a_missing_value_fails_with_its_name() -> None:
    walk = Walk(decision_sop("skor > 5"))
    with pytest.raises(ExpressionError, match="skor"):
        walk.execution.complete(walk.task_id("terima"), {"jumlah": 1})


def test_completing_a_step_not_yet_reached_changes_nothing() -> None:
    walk = Walk(chain_sop())
    before = walk.execution.dump()
    future = walk.any_task_id("periksa")

    with pytest.raises(TaskNotReady, match="not READY"):
        walk.execution.complete(future, {})

    assert walk.execution.dump() == before
    assert walk.state_of("periksa") != "COMPLETED"
    assert walk.ready() == ["terima"]


def test_completing_a_step_twice_is_refused() -> None:
    walk = Walk(chain_sop())
    done = walk.task_id("terima")
    walk.complete("terima")
    before = walk.execution.dump()
    with pytest.raises(TaskNotReady):
        walk.execution.complete(done, {})
    assert walk.execution.dump() == before


def test_completing_after_the_request_ended_is_refused() -> None:
    walk = Walk(chain_sop())
    last = None
    for step in ("terima", "periksa", "setujui"):
        last = walk.task_id(step)
        walk.complete(step)
    with pytest.raises(TaskNotReady):
        walk.execution.complete(last, {})


def test_automatic_task_is_not_a_step_a_person_completes() -> None:
    walk = Walk(chain_sop())
    end = walk.any_task_id("selesai")
    with pytest.raises(TaskNotReady):
        walk.execution.complete(end, {})


@pytest.mark.parametrize(
    "task_id", ["6f1c2b9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", "bukan-uuid", "", "0" * 32]
)
def test_unknown_step_is_refused(task_id: str) -> None:
    walk = Walk(chain_sop())
    before = walk.execution.dump()
    with pytest.raises(TaskNotReady):
        walk.execution.complete(task_id, {})
    assert walk.execution.dump() == before


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({}, {"jumlah": "required"}),
        ({"jumlah": "  "}, {"jumlah": "required"}),
        ({"jumlah": "dua"}, {"jumlah": "not_integer"}),
        ({"jumlah": 1.5}, {"jumlah": "not_integer"}),
        ({"jumlah": 1, "lengkap": "mungkin"}, {"lengkap": "not_boolean"}),
        ({"jumlah": 1, "jenis": "lama"}, {"jenis": "not_choice"}),
        ({"jumlah": 1, "skor": 9}, {"skor": "unknown_field"}),
        (
            {"lengkap": [], "skor": 9},
            {
                "jumlah": "required",
                "lengkap": "not_boolean",
                "skor": "unknown_field",
            },
        ),
    ],
)
def test_invalid_form_is_refused_and_the_step_stays_open(form: dict, errors: dict) -> None:
    walk = Walk(decision_sop())
    before = walk.execution.dump()
    with pytest.raises(FormInvalid) as caught:
        walk.execution.complete(walk.task_id("terima"), form)
    assert {name: e.code for name, e in caught.value.errors.items()} == errors
    assert walk.execution.dump() == before
    assert walk.ready() == ["terima"]


def test_cancelled_request_has_no_open_steps() -> None:
    walk = Walk(chain_sop())
    task_id = walk.task_id("terima")
    walk.execution.cancel()
    assert walk.ready() == []
    with pytest.raises(TaskNotReady):
        walk.execution.complete(task_id, {})


def test_instances_of_one_version_share_its_spec_but_not_their_data() -> None:
    definition = chain_sop()
    process = Process.of(definition)
    first = Execution.start(process, {"pemohon": "A"})
    second = Execution.start(process, {"pemohon": "B"})
    first.complete(first.ready_steps()[0].task_id, {})
    assert [s.activity.id for s in second.ready_steps()] == ["terima"]
    assert second.data == {"pemohon": "B"}
