"""Errors of the use cases, each mapped once to an HTTP status in web.api.errors."""

from typing import Any

from engine.errors import FormInvalid


class UseCaseError(Exception):
    """Base: ``code`` is stable for clients, ``message`` is for people, ``details`` for both."""

    code = "error"

    def __init__(self, message: str, details: Any = None):
        super().__init__(message)
        self.message = message
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


def form_invalid(error: FormInvalid) -> Invalid:
    """A form the engine refused, its errors kept as codes for the web edge to word."""
    fields = {name: field_error.as_dict() for name, field_error in error.errors.items()}
    return Invalid("The form has errors.", {"field_errors": fields})


class PayloadTooLarge(UseCaseError):
    code = "too_large"


class TooManyAttempts(UseCaseError):
    """Too many failed attempts in a row; wait until ``details["locked_until"]``."""

    code = "too_many_attempts"
