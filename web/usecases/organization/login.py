"""Logging in with a password, with repeated failures slowed down, and the session's profile."""

from dataclasses import dataclass
from datetime import timedelta

from storage.models import User
from storage.repositories import organization as repo
from web.usecases.context import Actor, Context
from web.usecases.errors import Invalid, TooManyAttempts, Unauthenticated
from web.usecases.organization.passwords import hash_password, password_matches
from web.usecases.runtime.progress import record

FREE_FAILURES = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
LANGUAGES = ("id", "en")
# Checked when the username is unknown, so both cases cost the same time.
_DUMMY_HASH = hash_password("alur-dummy-password")


@dataclass(frozen=True)
class Profile:
    """What a logged-in page needs besides the actor: name, language and time zone."""

    actor: Actor
    full_name: str
    language: str
    timezone: str


def _profile(user: User) -> Profile:
    return Profile(Actor.of(user), user.full_name, user.language, user.organization.timezone)


def _lock_for(failures: int) -> timedelta:
    return min(FIRST_LOCK * 2 ** (failures - FREE_FAILURES), LONGEST_LOCK)


def authenticate_password(ctx: Context, username: str, password: str) -> Profile:
    """The profile of the user whose password this is.

    After five failures in a row the account is locked for 30 s, doubling with each further
    failure up to 15 minutes; a success resets the count.

    :raises TooManyAttempts: the account is locked now (details give until when).
    :raises Unauthenticated: unknown user, wrong password or inactive account (one message).
    """
    failure: Exception | None = None
    with ctx.transaction() as session:
        now = ctx.clock()
        user = repo.user_by_username(session, username.strip().lower())
        if user is not None and user.locked_until and user.locked_until > now:
            failure = TooManyAttempts(
                "Too many failed logins; try again later.",
                {"locked_until": user.locked_until.isoformat()},
            )
        elif user is None or not user.password_hash:
            password_matches(_DUMMY_HASH, password)
            failure = Unauthenticated("Wrong username or password.")
        elif not password_matches(user.password_hash, password) or not user.is_active:
            user.failed_logins += 1
            if user.failed_logins >= FREE_FAILURES:
                user.locked_until = now + _lock_for(user.failed_logins)
            record(session, ctx, Actor.of(user), "login_failed", failures=user.failed_logins)
            failure = Unauthenticated("Wrong username or password.")
        else:
            user.failed_logins, user.locked_until = 0, None
            record(session, ctx, Actor.of(user), "user_logged_in")
            return _profile(user)
    raise failure


def load_profile(ctx: Context, user_id: int) -> Profile | None:
    """The profile of an active user, or None (the session then ends)."""
    with ctx.transaction() as session:
        user = repo.user_by_id(session, user_id)
        if user is None or not user.is_active:
            return None
        return _profile(user)


def set_language(ctx: Context, actor: Actor, language: str) -> None:
    """Remember the interface language of a user."""
    if language not in LANGUAGES:
        raise Invalid(f"Unknown language {language!r}; choose one of {', '.join(LANGUAGES)}.")
    with ctx.transaction() as session:
        user = repo.user_by_id(session, actor.user_id or 0)
        if user is None:
            raise Unauthenticated("Log in first.")
        user.language = language
