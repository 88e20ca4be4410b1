"""Form errors in the reader's language: the engine says what is wrong as codes, this words them.

One wording for every form (a step's or the applicant's at the start) and for both the pages
and the API, whose ``details.fields`` carries these messages beside ``details.field_errors``
(the codes and their parameters, for programs).
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _

from engine.forms import MAX_TEXT

DATE_FORMAT = "d MMMM yyyy"


def _number(text: Any) -> str:
    try:
        return format_decimal(float(text)) if "." in str(text) else format_decimal(int(text))
    except (TypeError, ValueError):
        return str(text)


def _day(text: str) -> str:
    try:
        return format_date(date.fromisoformat(text), DATE_FORMAT)
    except (TypeError, ValueError):
        return text


def _pattern(params: Mapping[str, Any]) -> str:
    english = str(get_locale() or "id") == "en"
    message = (params.get("message_en") if english else None) or params.get("message")
    return message or _("This value does not have the required format.")


def field_message(error: Mapping[str, Any]) -> str:
    """One field's error (``{"code", "params"}``) as a sentence in the current language."""
    code, params = error.get("code"), error.get("params") or {}
    simple = {
        "required": lambda: (
            _("Choose yes or no.")
            if params.get("type") == "boolean"
            else _("This field is required.")
        ),
        "not_text": lambda: _("Enter text."),
        "not_integer": lambda: _("Enter a whole number."),
        "not_decimal": lambda: _("Enter a number, such as 12,5."),
        "not_boolean": lambda: _("Choose yes or no."),
        "not_date": lambda: _("Enter a date."),
        "not_choice": lambda: _("Choose one of the options."),
        "unknown_field": lambda: _("This field is not on this form."),
        "not_object": lambda: _("The form data must be an object."),
        "too_long": lambda: _(
            "Enter at most %(count)s characters.", count=_number(params.get("count", MAX_TEXT))
        ),
        "too_short": lambda: _(
            "Enter at least %(count)s characters.", count=_number(params.get("count"))
        ),
        "below_min": lambda: _("Enter %(number)s or more.", number=_number(params.get("min"))),
        "above_max": lambda: _("Enter %(number)s or less.", number=_number(params.get("max"))),
        "too_early": lambda: _("Enter %(date)s or a later date.", date=_day(params.get("date"))),
        "too_late": lambda: _("Enter %(date)s or an earlier date.", date=_day(params.get("date"))),
        "pattern": lambda: _pattern(params),
    }
    word = simple.get(code)
    return word() if word else _("This value is not valid.")


def field_messages(errors: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Every field's error worded, by field name."""
    return {name: field_message(error) for name, error in errors.items()}
