"""CSV downloads that a spreadsheet opens as it is: Excel in the reader's language.

Indonesian Excel splits columns on ``;`` and reads ``12,5`` as a number (the comma is its
decimal mark), so Indonesian readers get both; English readers get ``,`` and ``12.5``. A byte
order mark makes Excel read UTF-8, so names with accents stay right. Only numbers our code
writes are localized: text cells pass as they are. Machine formats (the API's event log, XES)
are not made here and keep their standard form.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response
from flask_babel import get_locale

from web.headers import download

BOM = "\ufeff"


def _cell(value: Any, decimal_comma: bool) -> Any:
    if decimal_comma and isinstance(value, float):
        return repr(value).replace(".", ",")
    return value


def csv_download(rows: Iterable[list[Any]], filename: str) -> Response:
    """``rows`` as a CSV attachment in the current language's spreadsheet convention."""
    indonesian = str(get_locale() or "id") == "id"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if indonesian else ",", lineterminator="\r\n")
    writer.writerows([_cell(value, indonesian) for value in row] for row in rows)
    return download(BOM + buffer.getvalue(), filename, "text/csv")
