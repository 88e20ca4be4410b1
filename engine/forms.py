"""A step's form: the fields declared in the BPMN and server-side validation of submitted data."""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.errors import FormInvalid
from engine.form_rules import FieldError, FieldRules, broken_rule

FIELD_TYPES = ("text", "textarea", "integer", "decimal", "boolean", "date", "choice")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_TEXT = 10_000
_TRUE = {"true", "1", "ya", "yes", "on"}
_FALSE = {"false", "0", "tidak", "no", "off", ""}


@dataclass(frozen=True)
class FormOption:
    value: str
    label: str
    label_en: str | None = None


@dataclass(frozen=True)
class FormField:
    """One input of a step's form; ``name`` is also the variable conditions refer to."""

    name: str
    type: str
    label: str
    label_en: str | None = None
    required: bool = False
    options: tuple[FormOption, ...] = field(default_factory=tuple)
    rules: FieldRules = field(default_factory=FieldRules)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "label": self.label,
            "label_en": self.label_en,
            "required": self.required,
            "options": [
                {"value": o.value, "label": o.label, "label_en": o.label_en} for o in self.options
            ],
            "rules": self.rules.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FormField":
        return cls(
            name=data["name"],
            type=data["type"],
            label=data["label"],
            label_en=data.get("label_en"),
            required=bool(data.get("required")),
            options=tuple(FormOption(**o) for o in data.get("options", [])),
            rules=FieldRules.from_dict(data.get("rules")),
        )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Wrong(ValueError):
    """A submitted value that cannot be read as its field's type."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.error = FieldError(code, params)


def _coerce(spec: FormField, value: Any) -> Any:
    """Convert one submitted value (JSON or form text) to the field's type, or raise _Wrong."""
    if spec.type in ("text", "textarea"):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise _Wrong("not_text")
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise _Wrong("too_long", count=MAX_TEXT)
        return text
    try:
        return _coerce_other(spec, value)
    except _Wrong:
        raise
    except ValueError:
        raise _Wrong(f"not_{spec.type}") from None


def _coerce_other(spec: FormField, value: Any) -> Any:
    if spec.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _Wrong("not_integer")
        return int(str(value).strip())
    if spec.type == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _Wrong("not_decimal")
        number = float(str(value).strip().replace(",", "."))
        if not math.isfinite(number):
            # "nan" and "inf" parse as floats, but no database stores them as JSON.
            raise _Wrong("not_decimal")
        return number
    if spec.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise _Wrong("not_boolean")
    if spec.type == "date":
        if not isinstance(value, str):
            raise _Wrong("not_date")
        return date.fromisoformat(value.strip()).isoformat()
    allowed = [o.value for o in spec.options]
    if not isinstance(value, str) or value not in allowed:
        raise _Wrong("not_choice", options=allowed)
    return value


def clean_form(
    fields: tuple[FormField, ...],
    data: dict[str, Any],
    known: Mapping[str, Any] | None = None,
    *,
    others_allowed: bool = False,
) -> dict[str, Any]:
    """Validate ``data`` against ``fields`` and return it converted to the fields' types.

    This is the one validator of every form (a step's, and the applicant's at the start).
    Unknown keys are refused unless ``others_allowed``, so a stale or forged step form cannot
    set variables of other steps. ``known`` is the request's data so far, which rules such as
    ``notBefore`` compare with.

    :raises FormInvalid: with one :class:`FieldError` per wrong field.
    """
    if not isinstance(data, dict):
        raise FormInvalid({"_form": FieldError("not_object")})
    by_name = {f.name: f for f in fields}
    errors = {
        key: FieldError("unknown_field")
        for key in data
        if key not in by_name and not others_allowed
    }
    cleaned: dict[str, Any] = {}
    for spec in fields:
        value = data.get(spec.name)
        if value is None or (_is_blank(value) and spec.type != "boolean"):
            if spec.required:
                # The type lets a page ask "choose yes or no" rather than "fill this in".
                errors[spec.name] = FieldError("required", {"type": spec.type})
            continue
        try:
            cleaned[spec.name] = _coerce(spec, value)
        except _Wrong as wrong:
            errors[spec.name] = wrong.error
    context = {**(known or {}), **cleaned}
    for name, value in cleaned.items():
        broken = broken_rule(by_name[name].type, by_name[name].rules, value, context)
        if broken is not None:
            errors[name] = broken
    if errors:
        raise FormInvalid(errors)
    return cleaned
