"""Bearer-token authentication for the API: the token names the actor of every use case."""

from flask import current_app, request

from web.usecases import organization
from web.usecases.context import Actor, Context
from web.usecases.errors import Unauthenticated


def context() -> Context:
    return current_app.extensions["alur"]["context"]


def current_actor() -> Actor:
    """The actor of this request.

    :raises Unauthenticated: no ``Authorization: Bearer`` header, or an unknown token.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send an API token as 'Authorization: Bearer <token>'.")
    return organization.authenticate_token(context(), token.strip())
