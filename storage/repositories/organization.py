"""Lookups of organizations, units, positions, users and tokens."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.models import ApiToken, Organization, Position, Unit, User
from storage.models.organization import user_position


def organization_by_code(session: Session, code: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.code == code))


def first_organization(session: Session) -> Organization | None:
    return session.scalar(select(Organization).order_by(Organization.id).limit(1))


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.code == code))


def position_by_code(session: Session, code: str) -> Position | None:
    return session.scalar(select(Position).where(Position.code == code))


def positions_by_codes(session: Session, codes: Iterable[str]) -> dict[str, Position]:
    wanted = set(codes)
    if not wanted:
        return {}
    rows = session.scalars(select(Position).where(Position.code.in_(wanted)))
    return {p.code: p for p in rows}


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(
        select(User).where(User.username == username).options(selectinload(User.positions))
    )


def user_to_log_in(session: Session, username: str) -> User | None:
    """The user named ``username``, its row locked until the transaction ends (PostgreSQL)."""
    return session.scalar(select(User).where(User.username == username).with_for_update())


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.scalar(
        select(User).where(User.id == user_id).options(selectinload(User.positions))
    )


def user_by_token_hash(session: Session, token_hash: str) -> tuple[User, ApiToken] | None:
    row = session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
        .options(selectinload(User.positions))
    ).first()
    return (row[0], row[1]) if row else None


def list_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.code)))


def list_positions(session: Session) -> list[Position]:
    return list(session.scalars(select(Position).order_by(Position.code)))


def list_users(session: Session) -> list[User]:
    return list(
        session.scalars(select(User).order_by(User.username).options(selectinload(User.positions)))
    )


def held_position_ids(session: Session) -> set[int]:
    """Positions held by at least one active user."""
    return set(
        session.scalars(
            select(user_position.c.position_id)
            .join(User, User.id == user_position.c.user_id)
            .where(User.is_active.is_(True))
            .distinct()
        )
    )
