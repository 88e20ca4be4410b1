"""Bearer-token authentication for the API: the token names the actor of every use case."""

from flask import current_app, g, request

from web.usecases.context import Actor, Context
from web.usecases.errors import Unauthenticated
from web.usecases.organization import administration


def context() -> Context:
    return current_app.extensions["alur"]["context"]


def current_actor() -> Actor:
    """The actor of this request, authenticated once per request.

    :raises Unauthenticated: no ``Authorization: Bearer`` header, or an unknown token.
    """
    if "actor" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(administration.TOKEN_MISSING)
        g.actor = administration.authenticate_token(context(), token.strip())
    return g.actor


def require_token() -> None:
    """``before_request`` of every blueprint needing a token: 401 before the body is validated."""
    current_actor()
