"""Who works where: organizations, nested units, positions, users and their API tokens."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column


class Role(enum.StrEnum):
    OFFICER = "officer"
    MANAGER = "manager"
    ANALYST = "analyst"
    ADMIN = "admin"


class Organization(Base):
    """A Pemerintah Daerah: a city or regency government."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    # Office hours per weekday, {"mon": ["07:30", "16:00"], ...}; a missing weekday is a day
    # off; None means the national default (engine.calendar.DEFAULT_HOURS).
    working_hours: Mapped[dict[str, Any] | None]


class Unit(Base):
    """A Perangkat Daerah or a part of one; units nest (dinas > bidang > seksi)."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    parent: Mapped["Unit | None"] = relationship(remote_side=[id])


user_position = Table(
    "user_position",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("position_id", ForeignKey("position.id", ondelete="CASCADE"), primary_key=True),
)


class Position(Base):
    """A Jabatan in a unit; BPMN lanes name positions by code."""

    __tablename__ = "position"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    unit: Mapped[Unit] = relationship(lazy="joined")


class User(Base):
    """A person who logs in; holds zero or more positions."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = enum_column(Role, default=Role.OFFICER)
    language: Mapped[str] = mapped_column(String(5), default="id")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Repeated failed logins lock the account for a growing while
    # (see web.usecases.organization.login).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    # Written into each session at login; logging out bumps it, so every cookie issued
    # before (a copied one too) stops naming a valid session.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    organization: Mapped[Organization] = relationship()
    positions: Mapped[list[Position]] = relationship(
        secondary=user_position, order_by=Position.code
    )


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
