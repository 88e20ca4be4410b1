"""The restricted evaluator for gateway conditions and timer expressions.

Uploaded BPMN is hostile, so its expressions never reach ``eval``: they are parsed into a
Python AST, checked against a small allow-list, and interpreted node by node by simpleeval
with a deadline. No names or attributes starting with ``_``, no imports, no assignment, no
lambdas, a few pure functions, a few string and dict methods.
"""

import ast
import functools
import time
from collections.abc import Mapping
from typing import Any

import simpleeval

from engine.errors import ExpressionError

# Wall-clock time, so it also counts time the process spends descheduled or collecting
# garbage: 50 ms tripped on a plain `bool('')` under a loaded CI run, and a gateway condition
# that fails that way stops a citizen's request. A quarter second still bounds a hostile
# expression's cost (each operation is bounded below).
DEFAULT_TIME_LIMIT_S = 0.25
# The deadline is checked between nodes, so no single operation may be slow: integers stay
# below ~1,200 digits, no string grows past simpleeval's limit, nesting stays shallow.
MAX_INT_BITS = 4096
MAX_ROUND_DIGITS = 100
MAX_DEPTH = 100


def _round(number: Any, ndigits: int | None = None) -> Any:
    if ndigits is not None and abs(ndigits) > MAX_ROUND_DIGITS:
        raise ValueError(f"round() takes at most {MAX_ROUND_DIGITS} digits")
    return round(number, ndigits)


FUNCTIONS = {
    "len": len,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "abs": abs,
    "min": min,
    "max": max,
    "round": _round,
}


def _power(a: Any, b: Any) -> Any:
    big = isinstance(a, int) and isinstance(b, int) and abs(a) > 1 and b > 0
    if big and abs(a).bit_length() * b > MAX_INT_BITS:
        raise simpleeval.NumberTooHigh(f"{a} ** {b} is too large a number")
    return simpleeval.safe_power(a, b)


def _mult(a: Any, b: Any) -> Any:
    both_int = isinstance(a, int) and isinstance(b, int)
    if both_int and abs(a).bit_length() + abs(b).bit_length() > MAX_INT_BITS:
        raise simpleeval.NumberTooHigh("the product is too large a number")
    return simpleeval.safe_mult(a, b)


def _mod(a: Any, b: Any) -> Any:
    if isinstance(a, str | bytes):
        raise simpleeval.FeatureNotAvailable("string formatting with % is not allowed")
    return a % b


OPERATORS = {**simpleeval.DEFAULT_OPERATORS, ast.Pow: _power, ast.Mult: _mult, ast.Mod: _mod}


def _bounded_replace(text: str, old: str, new: str, count: int = -1) -> str:
    """``str.replace`` that refuses to build a string longer than simpleeval's limit."""
    if isinstance(old, str) and isinstance(new, str) and isinstance(count, int):
        hits = text.count(old) if old else len(text) + 1
        hits = hits if count < 0 else min(hits, count)
        if len(text) + hits * (len(new) - len(old)) > simpleeval.MAX_STRING_LENGTH:
            raise simpleeval.IterableTooLong("the result of replace() would be too long")
    return text.replace(old, new, count)


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
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"the expression is nested more than {MAX_DEPTH} levels deep"
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
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
        super().__init__(
            operators=dict(OPERATORS), functions=dict(FUNCTIONS), allowed_attrs=ALLOWED_ATTRS
        )
        self.names = {"True": True, "False": False, "None": None, **names}
        self._deadline = deadline

    def _eval(self, node: ast.AST) -> Any:
        if time.monotonic() > self._deadline:
            raise ExpressionError("the expression ran too long and was stopped")
        return super()._eval(node)

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        value = super()._eval_attribute(node)
        if node.attr == "replace" and isinstance(getattr(value, "__self__", None), str):
            return functools.partial(_bounded_replace, value.__self__)
        return value


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
