"""A step's form: the fields declared in the BPMN and server-side validation of submitted data."""

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.errors import FormInvalid

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
        )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _coerce(spec: FormField, value: Any) -> Any:
    """Convert one submitted value (JSON or form text) to the field's type, or raise ValueError."""
    if spec.type in ("text", "textarea"):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("harus berupa teks")
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(f"paling banyak {MAX_TEXT} karakter")
        return text
    if spec.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError("harus berupa bilangan bulat")
        return int(str(value).strip())
    if spec.type == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("harus berupa angka")
        number = float(str(value).strip().replace(",", "."))
        if not math.isfinite(number):
            # "nan" and "inf" parse as floats, but no database stores them as JSON.
            raise ValueError("harus berupa angka")
        return number
    if spec.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError("harus ya atau tidak")
    if spec.type == "date":
        if not isinstance(value, str):
            raise ValueError("harus berupa tanggal (YYYY-MM-DD)")
        return date.fromisoformat(value.strip()).isoformat()
    allowed = [o.value for o in spec.options]
    if not isinstance(value, str) or value not in allowed:
        raise ValueError("harus salah satu dari: " + ", ".join(allowed))
    return value


def clean_form(fields: tuple[FormField, ...], data: dict[str, Any]) -> dict[str, Any]:
    """Validate ``data`` against ``fields`` and return it converted to the fields' types.

    Unknown keys are refused so a stale or forged form cannot set variables of other steps.

    :raises FormInvalid: with one message per wrong field (messages in Indonesian).
    """
    if not isinstance(data, dict):
        raise FormInvalid({"_form": "data formulir harus berupa objek"})
    known = {f.name: f for f in fields}
    errors = {
        key: "kolom ini tidak ada pada formulir langkah ini" for key in data if key not in known
    }
    cleaned: dict[str, Any] = {}
    for spec in fields:
        value = data.get(spec.name)
        if _is_blank(value) and spec.type != "boolean":
            if spec.required:
                errors[spec.name] = "wajib diisi"
            continue
        if value is None:
            if spec.required:
                errors[spec.name] = "wajib diisi"
            continue
        try:
            cleaned[spec.name] = _coerce(spec, value)
        except ValueError as exc:
            message = str(exc)
            errors[spec.name] = (
                message
                if message.startswith(("harus", "paling"))
                else (f"nilai tidak valid untuk jenis {spec.type}")
            )
    if errors:
        raise FormInvalid(errors)
    return cleaned
