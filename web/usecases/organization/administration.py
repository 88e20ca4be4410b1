"""Administering who works where: organizations, units, positions, users and API tokens."""

import hashlib
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from storage.models import ApiToken, Event, Organization, Position, Role, Unit, User
from storage.repositories import organization as repo
from web.usecases.context import Actor, Context
from web.usecases.errors import Conflict, Invalid, NotFound, Unauthenticated, message
from web.usecases.organization.accounts import POSITIONS_UNKNOWN, USER_NOT_FOUND
from web.usecases.organization.passwords import hash_password

TIMEZONE_UNKNOWN = message(
    "timezone_unknown", "Unknown time zone '{timezone}'; use e.g. Asia/Jakarta."
)
ORGANIZATION_EXISTS = message("organization_exists", "Organization {code} already exists.")
UNIT_EXISTS = message("unit_exists", "Unit {code} already exists.")
PARENT_UNIT_NOT_FOUND = message("parent_unit_not_found", "Parent unit {code} does not exist.")
ORGANIZATION_NEEDED = message(
    "organization_needed", "Create an organization first (or name an existing one)."
)
POSITION_EXISTS = message("position_exists", "Position {code} already exists.")
UNIT_NOT_FOUND = message("unit_not_found", "Unit {code} does not exist.")
PASSWORD_TOO_SHORT = message(
    "password_too_short", "The password must have at least {length} characters."
)
USER_EXISTS = message("user_exists", "User {username} already exists.")
TOKEN_MISSING = message("token_missing", "Send an API token as 'Authorization: Bearer <token>'.")
TOKEN_UNKNOWN = message("token_unknown", "The token is unknown or revoked.")

TOKEN_PREFIX = "alur_"
_LAST_USED_GRANULARITY = timedelta(hours=1)


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so one SHA-256 is enough (no slow hash needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(session: Session, ctx: Context, actor: Actor, type_: str, **payload: object) -> None:
    session.add(Event(type=type_, occurred_at=ctx.clock(), actor_id=actor.user_id, payload=payload))


def create_organization(
    ctx: Context, actor: Actor, code: str, name: str, timezone: str
) -> Organization:
    actor.require_role(Role.ADMIN, action="create organizations")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(TIMEZONE_UNKNOWN, timezone=timezone) from None
    with ctx.transaction() as session:
        if repo.organization_by_code(session, code):
            raise Conflict(ORGANIZATION_EXISTS, code=code)
        organization = Organization(code=code, name=name, timezone=timezone)
        session.add(organization)
        session.flush()
        _audit(session, ctx, actor, "organization_created", code=code, name=name)
        return organization


def create_unit(
    ctx: Context,
    actor: Actor,
    code: str,
    name: str,
    parent_code: str | None = None,
    organization_code: str | None = None,
) -> Unit:
    actor.require_role(Role.ADMIN, action="create units")
    with ctx.transaction() as session:
        if repo.unit_by_code(session, code):
            raise Conflict(UNIT_EXISTS, code=code)
        parent = None
        if parent_code:
            parent = repo.unit_by_code(session, parent_code)
            if parent is None:
                raise NotFound(PARENT_UNIT_NOT_FOUND, code=parent_code)
        organization = (
            repo.organization_by_code(session, organization_code)
            if organization_code
            else repo.first_organization(session)
        )
        if organization is None:
            raise NotFound(ORGANIZATION_NEEDED)
        unit = Unit(
            organization_id=organization.id,
            parent_id=parent.id if parent else None,
            code=code,
            name=name,
        )
        session.add(unit)
        session.flush()
        _audit(session, ctx, actor, "unit_created", code=code, name=name, parent=parent_code)
        return unit


def create_position(ctx: Context, actor: Actor, code: str, name: str, unit_code: str) -> Position:
    actor.require_role(Role.ADMIN, action="create positions")
    with ctx.transaction() as session:
        if repo.position_by_code(session, code):
            raise Conflict(POSITION_EXISTS, code=code)
        unit = repo.unit_by_code(session, unit_code)
        if unit is None:
            raise NotFound(UNIT_NOT_FOUND, code=unit_code)
        position = Position(unit_id=unit.id, code=code, name=name)
        session.add(position)
        session.flush()
        _audit(session, ctx, actor, "position_created", code=code, name=name, unit=unit_code)
        return position


def create_user(
    ctx: Context,
    actor: Actor,
    username: str,
    full_name: str,
    role: Role,
    position_codes: list[str],
    password: str | None = None,
) -> User:
    """Create a user holding ``position_codes``; without a password the user can use tokens only."""
    actor.require_role(Role.ADMIN, action="create users")
    if password is not None and len(password) < 8:
        raise Invalid(PASSWORD_TOO_SHORT, length=8)
    with ctx.transaction() as session:
        if repo.user_by_username(session, username):
            raise Conflict(USER_EXISTS, username=username)
        positions = repo.positions_by_codes(session, position_codes)
        missing = sorted(set(position_codes) - set(positions))
        if missing:
            raise NotFound(POSITIONS_UNKNOWN, {"positions": missing}, codes=missing)
        organization = (
            next(iter(positions.values())).unit.organization_id
            if positions
            else getattr(repo.first_organization(session), "id", None)
        )
        if organization is None:
            raise NotFound(ORGANIZATION_NEEDED)
        user = User(
            organization_id=organization,
            username=username,
            full_name=full_name,
            role=role,
            password_hash=hash_password(password) if password else None,
            created_at=ctx.clock(),
            positions=list(positions.values()),
        )
        session.add(user)
        session.flush()
        _audit(
            session,
            ctx,
            actor,
            "user_created",
            username=username,
            role=role.value,
            positions=sorted(positions),
        )
        return user


def create_token(ctx: Context, actor: Actor, username: str, name: str = "cli") -> str:
    """Create an API token for ``username``; the token is returned once and stored hashed."""
    actor.require_role(Role.ADMIN, action="create API tokens")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with ctx.transaction() as session:
        user = repo.user_by_username(session, username)
        if user is None:
            raise NotFound(USER_NOT_FOUND, username=username)
        session.add(
            ApiToken(
                user_id=user.id, name=name, token_hash=hash_token(token), created_at=ctx.clock()
            )
        )
        _audit(session, ctx, actor, "api_token_created", username=username, name=name)
    return token


def authenticate_token(ctx: Context, token: str) -> Actor:
    """The actor a bearer token belongs to.

    :raises Unauthenticated: the token is unknown, revoked, or its user is inactive.
    """
    with ctx.transaction() as session:
        found = repo.user_by_token_hash(session, hash_token(token))
        if found is None or not found[0].is_active:
            raise Unauthenticated(TOKEN_UNKNOWN)
        user, api_token = found
        now = ctx.clock()
        if api_token.last_used_at is None or now - api_token.last_used_at > _LAST_USED_GRANULARITY:
            api_token.last_used_at = now
        return Actor.of(user)


def list_units(ctx: Context, actor: Actor) -> list[Unit]:
    with ctx.transaction() as session:
        return repo.list_units(session)


def list_positions(ctx: Context, actor: Actor) -> list[Position]:
    with ctx.transaction() as session:
        return repo.list_positions(session)


def list_users(ctx: Context, actor: Actor) -> list[User]:
    actor.require_role(Role.ADMIN, action="list users")
    with ctx.transaction() as session:
        return repo.list_users(session)
