"""Rules a form field's value must follow (pattern, length, range, date order), and their errors.

An SOP declares them as attributes of ``sop:field`` (see processes/README.md); they are checked
once when the version is uploaded (a bad rule names its activity) and on every form that
carries the field. Errors are codes with parameters: the web layer words them in the reader's
language, so the engine holds no user-facing text.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# A pattern is written by an analyst but checked against what anyone submits: keep it short and
# refuse a quantified group that itself repeats, the shape behind catastrophic backtracking.
MAX_PATTERN = 200
_NESTED_QUANTIFIER = re.compile(r"\([^()]*[+*}][^()]*\)\s*[+*{]")
_LENGTH_TYPES = ("text", "textarea")
_RANGE_TYPES = ("integer", "decimal", "date")


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field: a stable ``code`` and the values its message needs."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


@dataclass(frozen=True)
class FieldRules:
    """The declared rules of one field; ``None`` means no such rule."""

    pattern: str | None = None
    pattern_message: str | None = None
    pattern_message_en: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: str | None = None
    maximum: str | None = None
    not_before: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "FieldRules":
        return cls(**(data or {}))


def _bound(kind: str, text: str) -> float | date:
    """A declared min/max read in the field's type; raises ValueError when it is not one."""
    if kind == "date":
        return date.fromisoformat(text)
    number = float(text) if kind == "decimal" else int(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _length(text: str | None, name: str, problems: list[str]) -> int | None:
    if text is None:
        return None
    if not text.isdigit():
        problems.append(f"{name} must be a whole number of characters, not {text!r}.")
        return None
    return int(text)


def read_rules(attributes: Mapping[str, str], kind: str, problems: list[str]) -> FieldRules:
    """Read the rule attributes of a ``sop:field`` of type ``kind``; append what is wrong."""
    pattern = attributes.get("pattern")
    if pattern is not None:
        if kind not in _LENGTH_TYPES:
            problems.append(f"pattern applies to text fields, not to {kind}.")
        elif len(pattern) > MAX_PATTERN or _NESTED_QUANTIFIER.search(pattern):
            problems.append(
                f"pattern {pattern!r} is longer than {MAX_PATTERN} characters or repeats a "
                "repeated group, which can make checking a value very slow."
            )
        else:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"pattern {pattern!r} is not a valid regular expression: {exc}.")
    min_length = _length(attributes.get("minLength"), "minLength", problems)
    max_length = _length(attributes.get("maxLength"), "maxLength", problems)
    if (min_length is not None or max_length is not None) and kind not in _LENGTH_TYPES:
        problems.append(f"minLength/maxLength apply to text fields, not to {kind}.")
    if min_length is not None and max_length is not None and min_length > max_length:
        problems.append(f"minLength {min_length} is greater than maxLength {max_length}.")
    minimum, maximum = attributes.get("min"), attributes.get("max")
    bounds = {}
    for name, text in (("min", minimum), ("max", maximum)):
        if text is None:
            continue
        if kind not in _RANGE_TYPES:
            problems.append(f"{name} applies to numbers and dates, not to {kind}.")
            continue
        try:
            bounds[name] = _bound(kind, text)
        except ValueError:
            problems.append(f"{name} {text!r} is not a valid {kind}.")
    if len(bounds) == 2 and bounds["min"] > bounds["max"]:
        problems.append(f"min {minimum} is greater than max {maximum}.")
    not_before = attributes.get("notBefore")
    if not_before is not None and kind != "date":
        problems.append(f"notBefore applies to date fields, not to {kind}.")
    return FieldRules(
        pattern=pattern,
        pattern_message=attributes.get("patternMessage"),
        pattern_message_en=attributes.get("patternMessageEn"),
        min_length=min_length,
        max_length=max_length,
        minimum=minimum,
        maximum=maximum,
        not_before=not_before,
    )


def broken_rule(
    kind: str, rules: FieldRules, value: Any, known: Mapping[str, Any]
) -> FieldError | None:
    """The first rule the cleaned ``value`` breaks, or None.

    ``known`` holds the request's data and the rest of this form, for ``notBefore``.
    """
    if kind in _LENGTH_TYPES:
        if rules.min_length is not None and len(value) < rules.min_length:
            return FieldError("too_short", {"count": rules.min_length})
        if rules.max_length is not None and len(value) > rules.max_length:
            return FieldError("too_long", {"count": rules.max_length})
        if rules.pattern is not None and not re.fullmatch(rules.pattern, value):
            return FieldError(
                "pattern",
                {"message": rules.pattern_message, "message_en": rules.pattern_message_en},
            )
        return None
    if kind not in _RANGE_TYPES:
        return None
    if kind != "date":
        if rules.minimum is not None and value < _bound(kind, rules.minimum):
            return FieldError("below_min", {"min": rules.minimum})
        if rules.maximum is not None and value > _bound(kind, rules.maximum):
            return FieldError("above_max", {"max": rules.maximum})
        return None
    day = date.fromisoformat(value)
    if rules.minimum is not None and day < _bound(kind, rules.minimum):
        return FieldError("too_early", {"date": rules.minimum})
    if rules.maximum is not None and day > _bound(kind, rules.maximum):
        return FieldError("too_late", {"date": rules.maximum})
    earlier = _as_date(known.get(rules.not_before)) if rules.not_before else None
    if earlier is not None and day < earlier:
        return FieldError("too_early", {"date": earlier.isoformat(), "field": rules.not_before})
    return None


def _as_date(value: Any) -> date | None:
    """An earlier answer read as a date; anything else (absent, free text) sets no bound."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
