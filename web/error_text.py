"""Use-case errors in the reader's language: the one place their messages are translated.

The use cases raise errors with an English template and parameters (see
``web.usecases.errors``); here the template is looked up in the catalogs and the parameters
are formatted for the language: datetimes in the organization's zone, decimals with local
separators (ints are left alone: most name a thing, as in "Work item 4242"), phrases
translated, lists joined.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import request
from flask_babel import force_locale, format_datetime, format_decimal, gettext

from web.i18n import LANGUAGES
from web.usecases.errors import Phrase, UseCaseError

# As web.pages.display shows times: "23 Nov 2026, 08.00 WIB".
DATETIME_FORMAT = "d MMM yyyy, HH.mm z"


def _formatted(value: Any) -> Any:
    """A parameter as the current language shows it."""
    if isinstance(value, Phrase):
        return gettext(value)
    if isinstance(value, datetime):
        return format_datetime(value, DATETIME_FORMAT)
    if isinstance(value, float | Decimal):
        return format_decimal(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(_formatted(item)) for item in value)
    return value


def localized(error: UseCaseError) -> str:
    """The error's message in the language of the current request (Flask-Babel's locale)."""
    params = {name: _formatted(value) for name, value in error.params.items()}
    return gettext(error.template).format(**params)


def api_language() -> str:
    """The API's language: the best of ``Accept-Language`` among ours, else Indonesian."""
    return request.accept_languages.best_match(LANGUAGES, default="id")


def localized_for_api(error: UseCaseError) -> str:
    """The error's message in the language the API client asked for."""
    with force_locale(api_language()):
        return localized(error)
