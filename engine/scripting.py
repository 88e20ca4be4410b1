"""The script environment handed to SpiffWorkflow: nothing it runs reaches plain eval/exec.

Conditions and timer expressions go to the restricted evaluator (engine.expressions). Script
tasks are refused unless the server enables them; then they are compiled by RestrictedPython
with its guards, given no builtins beyond RestrictedPython's safe set, and stopped at a deadline.
"""

import operator
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from RestrictedPython import compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine import expressions
from engine.errors import ExpressionError

JSON_TYPES = (str, int, float, bool, type(None), list, dict)
# SystemExit, KeyboardInterrupt... raised by a script would pass every ``except Exception`` and
# stop the server process: scripts get no name for them.
_BUILTINS = {
    name: value
    for name, value in {**safe_builtins, **limited_builtins}.items()
    if not (isinstance(value, type) and issubclass(value, BaseException))
    or issubclass(value, Exception)
}
_INPLACE = {
    "+=": operator.add,
    "-=": operator.sub,
    "*=": operator.mul,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    "%=": operator.mod,
}


def check_script(script: str) -> str | None:
    """Return why RestrictedPython refuses ``script``, or None."""
    result = compile_restricted_exec(script)
    if result.errors:
        return "; ".join(result.errors)
    return None


def _write_guard(obj: Any) -> Any:
    if isinstance(obj, dict | list):
        return obj
    raise ExpressionError("scripts may only change lists and dicts")


def _inplace(op: str, target: Any, value: Any) -> Any:
    """``total += 1`` in a script: RestrictedPython compiles it to a call of this."""
    if op not in _INPLACE:
        raise ExpressionError(f"'{op}' is not allowed in scripts")
    return _INPLACE[op](target, value)


class AlurEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates BPMN expressions and (when allowed) scripts over task data, restricted."""

    def __init__(
        self,
        allow_scripts: bool = False,
        time_limit_s: float = expressions.DEFAULT_TIME_LIMIT_S,
        script_time_limit_s: float = 1.0,
    ):
        super().__init__({})
        self.allow_scripts = allow_scripts
        self.time_limit_s = time_limit_s
        self.script_time_limit_s = script_time_limit_s

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: dict | None = None
    ) -> Any:
        names = {**(external_context or {}), **context}
        return expressions.evaluate(expression, names, self.time_limit_s)

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict | None = None
    ) -> bool:
        if not self.allow_scripts:
            raise ExpressionError("script tasks are disabled on this server")
        result = compile_restricted_exec(script)
        if result.errors:
            raise ExpressionError("; ".join(result.errors))
        # One namespace, as in SpiffWorkflow's own environment, so functions the script defines
        # see the task data; the guards come last so no data key can replace them.
        namespace = {
            **context,
            "__builtins__": dict(_BUILTINS),
            "_getattr_": safer_getattr,
            "_getitem_": default_guarded_getitem,
            "_getiter_": default_guarded_getiter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": _write_guard,
            "_inplacevar_": _inplace,
        }
        self._run_with_deadline(lambda: exec(result.code, namespace))
        for key, value in namespace.items():
            if not key.startswith("_") and isinstance(value, JSON_TYPES):
                context[key] = value
        return True

    def _run_with_deadline(self, run: Callable[[], None]) -> None:
        deadline = time.monotonic() + self.script_time_limit_s

        def tracer(frame: FrameType, event: str, arg: Any) -> Any:
            if time.monotonic() > deadline:
                raise ExpressionError("the script ran too long and was stopped")
            return tracer

        previous = sys.gettrace()
        sys.settrace(tracer)
        try:
            run()
        finally:
            sys.settrace(previous)


def script_engine(allow_scripts: bool = False) -> PythonScriptEngine:
    return PythonScriptEngine(environment=AlurEnvironment(allow_scripts=allow_scripts))
