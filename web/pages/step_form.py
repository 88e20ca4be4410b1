"""A step's form on a page: what was typed, what the engine receives, and what was wrong.

The engine validates (``engine.forms.clean_form``); this module only carries the text of the
inputs there and back, and says in the page's language what a field needs.
"""

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from engine.forms import MAX_TEXT, FormField

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


def _need(spec: FormField) -> str:
    if spec.type == "integer":
        return _("Enter a whole number.")
    if spec.type == "decimal":
        return _("Enter a number, such as 12,5.")
    if spec.type == "boolean":
        return _("Choose yes or no.")
    if spec.type == "date":
        return _("Enter a date.")
    if spec.type == "choice":
        return _("Choose one of the options.")
    return _("Enter at most %(count)s characters.", count=f"{MAX_TEXT:,}".replace(",", "."))


def error_messages(
    fields: tuple[FormField, ...], errors: Mapping[str, str], values: Mapping[str, str]
) -> dict[str, str]:
    """One message per wrong field, in the page's language."""
    messages = {}
    for spec in fields:
        if spec.name not in errors:
            continue
        blank = not values.get(spec.name, "").strip()
        if blank and spec.required and spec.type != "boolean":
            messages[spec.name] = _("This field is required.")
        else:
            messages[spec.name] = _need(spec)
    return messages
