"""Administering who works where: organizations, units, positions, users and API tokens."""

import hashlib
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from storage.models import ApiToken, Event, Organization, Position, Role, Unit, User
from storage.repositories import organization as repo
from web.usecases.context import Actor, Context
from web.usecases.errors import Conflict, Invalid, NotFound, Unauthenticated
from web.usecases.organization.passwords import hash_password

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
        raise Invalid(f"Unknown time zone {timezone!r}; use e.g. Asia/Jakarta.") from None
    with ctx.transaction() as session:
        if repo.organization_by_code(session, code):
            raise Conflict(f"Organization {code} already exists.")
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
            raise Conflict(f"Unit {code} already exists.")
        parent = None
        if parent_code:
            parent = repo.unit_by_code(session, parent_code)
            if parent is None:
                raise NotFound(f"Parent unit {parent_code} does not exist.")
        organization = (
            repo.organization_by_code(session, organization_code)
            if organization_code
            else repo.first_organization(session)
        )
        if organization is None:
            raise NotFound("Create an organization first (or name an existing one).")
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
            raise Conflict(f"Position {code} already exists.")
        unit = repo.unit_by_code(session, unit_code)
        if unit is None:
            raise NotFound(f"Unit {unit_code} does not exist.")
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
        raise Invalid("The password must have at least 8 characters.")
    with ctx.transaction() as session:
        if repo.user_by_username(session, username):
            raise Conflict(f"User {username} already exists.")
        positions = repo.positions_by_codes(session, position_codes)
        missing = sorted(set(position_codes) - set(positions))
        if missing:
            raise NotFound(f"Unknown positions: {', '.join(missing)}.", {"positions": missing})
        organization = (
            next(iter(positions.values())).unit.organization_id
            if positions
            else getattr(repo.first_organization(session), "id", None)
        )
        if organization is None:
            raise NotFound("Create an organization first.")
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
            raise NotFound(f"User {username} does not exist.")
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
            raise Unauthenticated("The token is unknown or revoked.")
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
