"""JSON request bodies the database can store, or a 400 naming what is wrong.

Python's json module raises RecursionError on deep nesting and ValueError on integers of
thousands of digits, and accepts NaN, Infinity and NUL characters that PostgreSQL's jsonb
refuses: webargs would let all of these through as server errors. Every blueprint of the
API reads its bodies with this parser.
"""

import json
import math
from typing import Any

import flask_smorest
from flask import Request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest

# Form data is flat: 32 levels leave room for any structure a client means to send.
MAX_DEPTH = 32


def checked(value: Any) -> Any:
    """``value`` itself once its nesting, numbers and strings are storable.

    :raises BadRequest: deeper than MAX_DEPTH, a NaN or infinite number, or a NUL character.
    """
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise BadRequest(f"The JSON body nests deeper than {MAX_DEPTH} levels.")
        if isinstance(node, dict):
            if any("\x00" in key for key in node):
                raise BadRequest("The JSON body has a NUL character in a name.")
            pending.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            pending.extend((child, depth + 1) for child in node)
        elif isinstance(node, float) and not math.isfinite(node):
            raise BadRequest("The JSON body has a number that is not finite (NaN, Infinity).")
        elif isinstance(node, str) and "\x00" in node:
            raise BadRequest("The JSON body has a NUL character in a text.")
    return value


def loads(data: bytes) -> Any:
    """Decode a JSON body. :raises json.JSONDecodeError: not JSON (webargs answers it).

    :raises BadRequest: JSON the app cannot hold (see ``checked``).
    """
    try:
        value = core.parse_json(data)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise BadRequest(f"The JSON body nests deeper than {MAX_DEPTH} levels.") from None
    except ValueError:
        # The only other ValueError of json.loads: an integer past the int-from-string limit.
        raise BadRequest("The JSON body has a number with too many digits.") from None
    return checked(value)


class JsonParser(FlaskParser):
    """webargs' Flask parser, reading JSON bodies with ``loads``."""

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return loads(req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint whose arguments come through ``JsonParser``."""

    ARGUMENTS_PARSER = JsonParser()
