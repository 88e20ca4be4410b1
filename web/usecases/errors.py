"""Errors of the use cases, each mapped once to an HTTP status in web.api.errors.

An error says *what* went wrong with a stable ``code``, an English message template with
named ``{parameters}`` and the parameters; it is translated only at the edge (the API by
``Accept-Language``, pages by the user's language, see ``web.error_text``). ``str(error)``
and ``error.message`` are the English text, for logs and the CLI.

Declare each message once, at the top of the module that raises it::

    SOP_NOT_FOUND = message("sop_not_found", "SOP {key} does not exist.")
    ...
    raise NotFound(SOP_NOT_FOUND, key=key)

and add its Indonesian text to ``web/translations/id/errors.po`` (a test walks ``MESSAGES``
and fails on a code without one). Converting an old raise site is the one line of the raise:
``raise NotFound(f"SOP {key} does not exist.")`` becomes ``raise NotFound(SOP_NOT_FOUND,
key=key)``. A plain English string still works and gets the class's generic ``code``.

Parameters are formatted for the reader's language at the edge: datetimes in the
organization's zone, decimals with local separators, lists joined, and a :class:`Phrase` (a
fixed English phrase such as the action in "may not {action}") translated like the template.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.errors import FormInvalid


@dataclass(frozen=True)
class Message:
    """A stable code and the English template of what people read."""

    code: str
    template: str


# Every declared message by code: the edge translates them, a test checks each has Indonesian.
MESSAGES: dict[str, Message] = {}


def message(code: str, template: str) -> Message:
    """Declare (register) the message ``code``; declaring one code twice is a programming error."""
    known = MESSAGES.get(code)
    if known is not None and known.template != template:
        raise ValueError(f"error code {code} is declared twice with different templates")
    MESSAGES[code] = Message(code, template)
    return MESSAGES[code]


class Phrase(str):
    """A fixed English phrase used as a parameter, translated at the edge like a template."""


def _english(value: Any) -> Any:
    """A parameter as the English text shows it: times in UTC (said so), lists joined."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    if isinstance(value, list | tuple):
        return ", ".join(str(_english(item)) for item in value)
    return value


class UseCaseError(Exception):
    """Base: ``code`` is stable for clients, ``message`` is for people, ``details`` for both."""

    code = "error"

    def __init__(self, message: "Message | str", details: Any = None, /, **params: Any):
        if isinstance(message, Message):
            self.code = message.code
            self.template = message.template
        else:
            # An old-style plain English message: shown as it is, never formatted.
            self.template = message.replace("{", "{{").replace("}", "}}")
        self.params = params
        self.message = self.template.format(**{k: _english(v) for k, v in params.items()})
        super().__init__(self.message)
        self.details = details


class Unauthenticated(UseCaseError):
    code = "unauthenticated"


class Forbidden(UseCaseError):
    code = "forbidden"


class NotFound(UseCaseError):
    code = "not_found"


class Conflict(UseCaseError):
    """The action no longer applies: someone else acted first, or the state moved on."""

    code = "conflict"


class Invalid(UseCaseError):
    """The input is well-formed but not acceptable (unknown position, wrong form values, …)."""

    code = "invalid"


FORM_INVALID = message("form_invalid", "The form has errors.")


def form_invalid(error: FormInvalid) -> Invalid:
    """A form the engine refused, its errors kept as codes for the web edge to word."""
    fields = {name: field_error.as_dict() for name, field_error in error.errors.items()}
    return Invalid(FORM_INVALID, {"field_errors": fields})


class PayloadTooLarge(UseCaseError):
    code = "too_large"
