"""Script tasks: off unless the server enables them, and then restricted and stopped in time."""

import time
from xml.sax.saxutils import escape

import pytest

from engine.definition import EngineOptions, load_sop
from engine.errors import BpmnRejected, ExpressionError
from engine.runtime import Execution, Process
from engine.scripting import AlurEnvironment, check_script
from tests.engine.walk import Walk
from tests.factories.bpmn import SopSpec, build, flow

ENABLED = EngineOptions(allow_script_tasks=True)


def script_sop(script: str) -> bytes:
    """terima -> script task 'hitung' -> periksa."""
    extra = (
        '<bpmn:startEvent id="mulai"/><bpmn:endEvent id="selesai"/>'
        f'<bpmn:scriptTask id="hitung" name="Hitung"><bpmn:script>{escape(script)}</bpmn:script>'
        "</bpmn:scriptTask>"
        + flow("mulai", "terima")
        + flow("terima", "hitung")
        + flow("hitung", "periksa")
        + flow("periksa", "selesai")
    )
    return build(SopSpec(chain=False, extra=extra))


def run_script(script: str, data: dict | None = None) -> Walk:
    walk = Walk(load_sop(script_sop(script), ENABLED), data or {"jumlah": 3}, scripts=True)
    walk.complete("terima")
    return walk


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("total = jumlah * 2", {"total": 6}),
        ("jumlah += 1", {"jumlah": 4}),
        ("berkas = {'ktp': True}\nberkas['kk'] = False", {"berkas": {"ktp": True, "kk": False}}),
        ("daftar = [i * jumlah for i in range(3)]", {"daftar": [0, 3, 6]}),
        ("def dua_kali(n):\n    return n * 2\nhasil = dua_kali(jumlah)", {"hasil": 6}),
        ("status = 'besar' if jumlah > 2 else 'kecil'", {"status": "besar"}),
        ("a, b = 1, 2", {"a": 1, "b": 2}),
    ],
)
def test_script_sets_variables_the_next_steps_see(script: str, expected: dict) -> None:
    walk = run_script(script)
    assert walk.ready() == ["periksa"]
    data = walk.execution.data
    assert {key: data[key] for key in expected} == expected


def test_values_that_are_not_json_are_not_kept() -> None:
    walk = run_script("himpunan = {1, 2}\nfungsi = len\nangka = 1")
    data = walk.execution.data
    assert "himpunan" not in data
    assert "fungsi" not in data
    assert data["angka"] == 1


# Refused when the SOP is uploaded: RestrictedPython will not compile them.
REFUSED_AT_UPLOAD = [
    "x = ().__class__.__base__.__subclasses__()",
    "x = __builtins__",
    "x = jumlah.__class__",
    "__import__('os')",
    "x = _getattr_",
    "exec('x = 1')",
    "eval('1')",
]


@pytest.mark.parametrize("script", REFUSED_AT_UPLOAD)
def test_unsafe_script_is_refused_at_upload(script: str) -> None:
    assert check_script(script)
    with pytest.raises(BpmnRejected) as caught:
        load_sop(script_sop(script), ENABLED)
    assert [(p.code, p.element_id) for p in caught.value.problems] == [("script_invalid", "hitung")]


# Compile, but fail when run: the name or the attribute is not there for scripts.
REFUSED_WHEN_RUN = [
    "import os",
    "import subprocess",
    "from os import system",
    "f = open('/etc/passwd')",
    "x = globals()",
    "x = type(jumlah)",
    "x = getattr(jumlah, 'real')",
    "x = '{0.__class__}'.format(jumlah)",
    "x = str.format('{0.__class__}', 1)",
    "raise SystemExit",
    "raise KeyboardInterrupt",
    "raise BaseException('x')",
    "jumlah.real = 1",
    "x = vars()",
    "x = dir()",
]


@pytest.mark.parametrize("script", REFUSED_WHEN_RUN)
def test_unsafe_script_fails_as_an_expression_error(script: str) -> None:
    walk = Walk(load_sop(script_sop(script), ENABLED), {"jumlah": 3}, scripts=True)
    with pytest.raises(ExpressionError, match="Hitung"):
        walk.execution.complete(walk.task_id("terima"), {})


@pytest.mark.parametrize(
    "script",
    ["while True:\n    pass", "x = 0\nwhile x >= 0:\n    x += 1", "def f():\n    f()\nf()"],
    ids=["endless loop", "counting loop", "recursion"],
)
def test_script_that_runs_too_long_is_stopped(script: str) -> None:
    walk = Walk(load_sop(script_sop(script), ENABLED), {}, scripts=True)
    started = time.monotonic()
    with pytest.raises(ExpressionError):
        walk.execution.complete(walk.task_id("terima"), {})
    assert time.monotonic() - started < 3


def test_script_sop_is_refused_when_the_server_disables_scripts() -> None:
    with pytest.raises(BpmnRejected) as caught:
        load_sop(script_sop("total = 1"))
    assert caught.value.problems[0].code == "script_disabled"


def test_script_does_not_run_in_a_process_without_scripts() -> None:
    # A version published while scripts were allowed, run after they were switched off.
    definition = load_sop(script_sop("total = 1"), ENABLED)
    execution = Execution.start(Process.of(definition, allow_scripts=False), {})
    with pytest.raises(ExpressionError, match="disabled"):
        execution.complete(execution.ready_steps()[0].task_id, {})


def test_environment_refuses_scripts_unless_allowed() -> None:
    with pytest.raises(ExpressionError, match="disabled"):
        AlurEnvironment(allow_scripts=False).execute("x = 1", {})
    context: dict = {}
    assert AlurEnvironment(allow_scripts=True).execute("x = 1", context)
    assert context == {"x": 1}


def test_number_of_hostile_scripts_tried() -> None:
    assert len(REFUSED_AT_UPLOAD) + len(REFUSED_WHEN_RUN) + 3 == 25
