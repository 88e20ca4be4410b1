"""Guards every request passes before a view runs: ids in the URL, NUL characters anywhere.

``<int:...>`` in any route (API or page) matches only 1 to PostgreSQL's largest integer, so
a larger id is a 404 like any id that does not exist. Text with a NUL character, which
PostgreSQL cannot store, is refused with a 400 before a view reads it.
"""

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from web.usecases.bounds import INT_MAX, has_nul


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>``: a whole number from 1 to INT_MAX, else the URL matches no route."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def refuse_nul() -> None:
    """``before_request``: :raises BadRequest: a NUL in the path, query string or form."""
    texts = [request.path]
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            texts += [name, value]
    if any(has_nul(text) for text in texts):
        raise BadRequest("The request has a NUL character, which cannot be stored.")


def init_input_guards(app: Flask) -> None:
    """Install the guards; call before any blueprint is registered (its rules bind then)."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.before_request(refuse_nul)
