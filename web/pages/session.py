"""The logged-in person of a page request, as Flask-Login wants it."""

from flask import current_app
from flask_login import UserMixin, current_user

from web.usecases.context import Actor, Context
from web.usecases.organization import login


class SessionUser(UserMixin):
    def __init__(self, profile: login.Profile):
        self.profile = profile

    def get_id(self) -> str:
        """What the session cookie holds: the user and the session generation it belongs to."""
        return f"{self.profile.actor.user_id}:{self.profile.session_generation}"

    @property
    def actor(self) -> Actor:
        return self.profile.actor

    @property
    def full_name(self) -> str:
        return self.profile.full_name

    @property
    def language(self) -> str:
        return self.profile.language

    @property
    def timezone(self) -> str:
        return self.profile.timezone

    def has_role(self, *roles: str) -> bool:
        return self.actor.role.value in roles


def context() -> Context:
    return current_app.extensions["alur"]["context"]


def load_user(session_id: str) -> SessionUser | None:
    """The user of a session cookie, unless logging out has ended that session since."""
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    profile = login.load_profile(context(), int(user_id), int(generation))
    return SessionUser(profile) if profile else None


def actor() -> Actor:
    """The actor of the current page request (pages require login before calling this)."""
    return current_user.actor
