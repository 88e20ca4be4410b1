"""What input may hold before it reaches the database: numbers, days and text.

PostgreSQL refuses integers past its ``integer`` and text with NUL characters, and dates
near year 1 or 9999 overflow once shifted by a time zone: such input is refused here, with
the parameter named, instead of failing as a server error in the database or half-way
through an answer.
"""

from datetime import date

from web.usecases.errors import Invalid, message

# The largest id, version number or page number: PostgreSQL's ``integer``.
INT_MAX = 2**31 - 1
# Days the app reads: from the first working calendars to well past any SOP in force.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
# The same range as a pattern (years 1900-2199), for the OpenAPI document.
DAY_PATTERN = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$"

NOT_A_NUMBER = message(
    "parameter_not_number",
    "Parameter '{name}' must be a whole number from 1 to {largest}, not '{value}'.",
)
NOT_A_DATE = message(
    "parameter_not_date", "Parameter '{name}' must be a date as YYYY-MM-DD, not '{value}'."
)
PERIOD_TOO_LONG = message("period_too_long", "The period may span at most {days} days.")
DAY_OUT_OF_RANGE = message(
    "parameter_day_out_of_range", "Parameter '{name}' must be a day from {first} to {last}."
)


def parse_number(raw: str, name: str) -> int:
    """A whole number from 1 to INT_MAX. :raises Invalid: naming ``name`` otherwise."""
    # The length check comes first: int() of thousands of digits raises ValueError.
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and 1 <= int(raw) <= INT_MAX:
        return int(raw)
    raise Invalid(NOT_A_NUMBER, {"field": name}, name=name, largest=INT_MAX, value=raw[:40])


def parse_day(raw: str, name: str) -> date:
    """A day as YYYY-MM-DD from FIRST_DAY to LAST_DAY. :raises Invalid: naming ``name``."""
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise Invalid(NOT_A_DATE, {"field": name}, name=name, value=raw[:40])
    return check_day(day, name)


def check_day(day: date, name: str) -> date:
    """``day`` itself when FIRST_DAY <= day <= LAST_DAY. :raises Invalid: naming ``name``."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Invalid(
            DAY_OUT_OF_RANGE,
            {"field": name},
            name=name,
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
    return day


def has_nul(text: str) -> bool:
    """Whether ``text`` holds a NUL character, which PostgreSQL cannot store."""
    return "\x00" in text
