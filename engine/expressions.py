"""The restricted evaluator for gateway conditions and timer expressions.

Uploaded BPMN is hostile, so its expressions never reach ``eval``: they are parsed into a
Python AST, checked against a small allow-list, and interpreted node by node by simpleeval
with a deadline. No names or attributes starting with ``_``, no imports, no assignment, no
lambdas, a few pure functions, a few string and dict methods.
"""

import ast
import time
from collections.abc import Mapping
from typing import Any

import simpleeval

from engine.errors import ExpressionError

DEFAULT_TIME_LIMIT_S = 0.05

FUNCTIONS = {
    "len": len,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
}

_STR_METHODS = {"lower", "upper", "strip", "startswith", "endswith", "replace", "split"}
ALLOWED_ATTRS: dict[type, set[str]] = {
    str: _STR_METHODS,
    dict: {"get", "keys", "values", "items"},
    list: {"count", "index"},
}

_ALLOWED_NODES = (
    ast.Expression,
    ast.Expr,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.keyword,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.operator,
    ast.unaryop,
    ast.cmpop,
    ast.boolop,
)


def check(expression: str) -> str | None:
    """Return why ``expression`` is refused, or None when it may be evaluated later."""
    text = expression.strip()
    if not text:
        return "the expression is empty"
    if len(text) > 2000:
        return "the expression is longer than 2,000 characters"
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        return f"not a valid expression ({exc.msg})"
    nodes = list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return f"the name {node.id!r} is not allowed (names may not start with '_')"
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return f"the attribute {node.attr!r} is not allowed (private attribute)"
    for node in nodes:
        if not isinstance(node, _ALLOWED_NODES):
            return f"{type(node).__name__} is not allowed in expressions"
        if isinstance(node, ast.Call) and not (
            (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS)
            or isinstance(node.func, ast.Attribute)
        ):
            return "only these functions may be called: " + ", ".join(sorted(FUNCTIONS))
    return None


class _DeadlineEval(simpleeval.EvalWithCompoundTypes):
    def __init__(self, names: Mapping[str, Any], deadline: float):
        super().__init__(functions=dict(FUNCTIONS), allowed_attrs=ALLOWED_ATTRS)
        self.names = {"True": True, "False": False, "None": None, **names}
        self._deadline = deadline

    def _eval(self, node: ast.AST) -> Any:
        if time.monotonic() > self._deadline:
            raise ExpressionError("the expression ran too long and was stopped")
        return super()._eval(node)


def evaluate(
    expression: str, names: Mapping[str, Any], time_limit_s: float = DEFAULT_TIME_LIMIT_S
) -> Any:
    """Evaluate a checked expression over ``names`` (the request's data).

    :raises ExpressionError: the expression is refused, refers to an unknown name, or fails.
    """
    reason = check(expression)
    if reason:
        raise ExpressionError(reason)
    evaluator = _DeadlineEval(names, time.monotonic() + time_limit_s)
    try:
        return evaluator.eval(expression.strip())
    except ExpressionError:
        raise
    except simpleeval.NameNotDefined as exc:
        raise ExpressionError(f"unknown name {exc.name!r}") from None
    except simpleeval.InvalidExpression as exc:
        raise ExpressionError(str(exc)) from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise ExpressionError(f"{type(exc).__name__}: {exc}") from None
