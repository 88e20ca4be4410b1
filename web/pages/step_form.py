"""A step's form on a page: what was typed, what the engine receives, and what was wrong.

The engine validates (``engine.forms.clean_form``); this module only carries the text of the
inputs there and back (``web.form_errors`` words what was wrong).
"""

from collections.abc import Mapping
from typing import Any

from engine.forms import FormField

YES, NO = "ya", "tidak"


def initial_values(fields: tuple[FormField, ...], data: Mapping[str, Any]) -> dict[str, str]:
    """Inputs filled from the request's data where a field has the same name (``nik``, …)."""
    values = {}
    for spec in fields:
        value = data.get(spec.name)
        if isinstance(value, bool):
            values[spec.name] = YES if value else NO
        elif value is not None:
            values[spec.name] = str(value)
    return values


def submitted_values(fields: tuple[FormField, ...], form: Mapping[str, str]) -> dict[str, str]:
    """The text of each of the step's inputs as submitted, to show again on error."""
    return {spec.name: form[spec.name] for spec in fields if spec.name in form}


def form_data(fields: tuple[FormField, ...], values: Mapping[str, str]) -> dict[str, str]:
    """What the engine validates: filled inputs only, so a blank one counts as not given.

    A yes/no question is given only when one of its answers is chosen: the engine reads an
    empty string as "no", which an unanswered question is not.
    """
    data = {}
    for spec in fields:
        value = values.get(spec.name, "").strip()
        if spec.type == "boolean" and value not in (YES, NO):
            continue
        if value:
            data[spec.name] = value
    return data
