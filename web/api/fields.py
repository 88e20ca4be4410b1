"""Marshmallow fields bounded to what the database can hold, described exactly in OpenAPI.

Every id, number and page of the API is a ``Number``; every free text a ``Text``; every day
a ``Day``. Their bounds come from ``web.usecases.bounds``, so the API refuses with a 422
what the use cases and the database would refuse, and its OpenAPI document says so.
"""

from typing import Any

from marshmallow import fields, validate

from web.usecases.bounds import DAY_PATTERN, FIRST_DAY, INT_MAX, LAST_DAY

NO_NUL = r"^[^\x00]*$"


class Number(fields.Integer):
    """A whole number from 1 to PostgreSQL's largest integer (ids, version and page numbers)."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Range(min=1, max=INT_MAX))


class Text(fields.String):
    """A string without NUL characters, which PostgreSQL cannot store."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Regexp(NO_NUL, error="Text must not contain NUL."))


class Day(fields.Date):
    """A day as YYYY-MM-DD from 1900-01-01 to 2199-12-31."""

    def __init__(self, **kwargs: Any):
        metadata = {"pattern": DAY_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.validators.insert(
            0,
            validate.Range(
                min=FIRST_DAY, max=LAST_DAY, error=f"Must be from {FIRST_DAY} to {LAST_DAY}."
            ),
        )


class FormData(fields.Dict):
    """Form or applicant data: names to texts (without NUL), numbers, booleans or null."""

    def __init__(self, **kwargs: Any):
        scalar = [
            {"type": "string", "pattern": NO_NUL},
            {"type": "number"},
            {"type": "boolean"},
        ]
        metadata = {
            "additionalProperties": {"anyOf": scalar, "nullable": True},
            "description": "Names must not contain NUL either (OpenAPI 3.0 cannot say so).",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(keys=fields.String(), metadata=metadata, **kwargs)
