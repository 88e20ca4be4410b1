"""Logging in with a password, with repeated failures slowed down, and the session's profile."""

from dataclasses import dataclass
from datetime import timedelta

from storage.models import User
from storage.repositories import organization as repo
from web.usecases.context import Actor, Context
from web.usecases.errors import Invalid, Unauthenticated, message
from web.usecases.organization.passwords import hash_password, password_matches
from web.usecases.runtime.progress import record

FREE_FAILURES = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
LANGUAGES = ("id", "en")
# Checked when the username is unknown, so both cases cost the same time.
_DUMMY_HASH = hash_password("alur-dummy-password")
LANGUAGE_UNKNOWN = message(
    "language_unknown", "Unknown language '{language}'; choose one of {choices}."
)
LOGIN_REQUIRED = message("login_required", "Log in first.")
# The one answer to every refused login: it does not tell whether the account exists.
LOGIN_FAILED = message(
    "login_failed", "Wrong username or password, or too many failed attempts: wait a few minutes."
)


@dataclass(frozen=True)
class Profile:
    """What a logged-in page needs besides the actor: name, language, time zone, session."""

    actor: Actor
    full_name: str
    language: str
    timezone: str
    session_generation: int


def _profile(user: User) -> Profile:
    return Profile(
        Actor.of(user),
        user.full_name,
        user.language,
        user.organization.timezone,
        user.session_generation,
    )


def _lock_for(failures: int) -> timedelta:
    return min(FIRST_LOCK * 2 ** (failures - FREE_FAILURES), LONGEST_LOCK)


def authenticate_password(ctx: Context, username: str, password: str) -> Profile:
    """The profile of the user whose password this is.

    After five failures in a row the account is locked for 30 s, doubling with each further
    failure up to 15 minutes; a success resets the count. The attempt is counted before the
    password is checked, so concurrent guesses get no more checks than the limit allows.

    :raises Unauthenticated: unknown user, wrong password, inactive or locked account: one
        message and one password hash each, so neither tells whether the account exists.
    """
    attempt = _count_attempt(ctx, username.strip().lower())
    if attempt is None:
        password_matches(_DUMMY_HASH, password)
        raise Unauthenticated(LOGIN_FAILED)
    user_id, password_hash = attempt
    correct = password_matches(password_hash, password)
    with ctx.transaction() as session:
        user = repo.user_by_id(session, user_id)
        if user is not None and correct and user.is_active:
            user.failed_logins, user.locked_until = 0, None
            record(session, ctx, Actor.of(user), "user_logged_in")
            return _profile(user)
        if user is not None:
            record(session, ctx, Actor.of(user), "login_failed", failures=user.failed_logins)
    raise Unauthenticated(LOGIN_FAILED)


def _count_attempt(ctx: Context, username: str) -> tuple[int, str] | None:
    """Count an attempt as a failure and lock the account at the limit, in its own transaction.

    The user's row is locked (SQLite: the write lock of BEGIN IMMEDIATE) while it is read and
    counted, so concurrent attempts count one after the other. Returns the user's id and
    password hash, or None when there is nothing to check: no such user, or locked now.
    """
    with ctx.transaction() as session:
        now = ctx.clock()
        user = repo.user_to_log_in(session, username)
        if user is None or not user.password_hash:
            return None
        if user.locked_until and user.locked_until > now:
            return None
        user.failed_logins += 1
        if user.failed_logins >= FREE_FAILURES:
            user.locked_until = now + _lock_for(user.failed_logins)
        return user.id, user.password_hash


def load_profile(ctx: Context, user_id: int, session_generation: int) -> Profile | None:
    """The profile of an active user whose sessions of this generation are still valid.

    None (the session then ends) for an inactive user or a session ended by :func:`log_out`.
    """
    with ctx.transaction() as session:
        user = repo.user_by_id(session, user_id)
        if user is None or not user.is_active or user.session_generation != session_generation:
            return None
        return _profile(user)


def timezone_of(ctx: Context, user_id: int) -> str | None:
    """The time zone of the organization of an active user (an API token's, say), or None."""
    with ctx.transaction() as session:
        user = repo.user_by_id(session, user_id)
        if user is None or not user.is_active:
            return None
        return user.organization.timezone


def log_out(ctx: Context, actor: Actor) -> None:
    """End the user's sessions on the server: every cookie issued so far stops working."""
    with ctx.transaction() as session:
        user = repo.user_by_id(session, actor.user_id or 0)
        if user is None:
            raise Unauthenticated(LOGIN_REQUIRED)
        user.session_generation += 1
        record(session, ctx, actor, "user_logged_out")


def set_language(ctx: Context, actor: Actor, language: str) -> None:
    """Remember the interface language of a user."""
    if language not in LANGUAGES:
        raise Invalid(LANGUAGE_UNKNOWN, language=language, choices=list(LANGUAGES))
    with ctx.transaction() as session:
        user = repo.user_by_id(session, actor.user_id or 0)
        if user is None:
            raise Unauthenticated(LOGIN_REQUIRED)
        user.language = language
