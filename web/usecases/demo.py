"""Seeding the demo organization that matches every lane of the SOP library."""

import json
from dataclasses import dataclass
from pathlib import Path

from storage.models import Organization, Position, Role, Unit, User
from storage.repositories import organization as repo
from web.usecases.context import SYSTEM, Context
from web.usecases.organization.passwords import hash_password
from web.usecases.runtime.progress import record


@dataclass(frozen=True)
class SeedResult:
    created: dict[str, int]
    users: list[tuple[str, str, str, list[str]]]  # username, full name, role, positions


def seed_organization(ctx: Context, path: Path, password: str) -> SeedResult:
    """Create what is missing of the organization described in ``path`` (idempotent).

    Existing units, positions and users are left as they are, so running it twice is harmless.
    """
    spec = json.loads(path.read_text(encoding="utf-8"))
    created = {"organization": 0, "units": 0, "positions": 0, "users": 0}
    with ctx.transaction() as session:
        now = ctx.clock()
        org_spec = spec["organization"]
        organization = repo.organization_by_code(session, org_spec["code"])
        if organization is None:
            organization = Organization(
                code=org_spec["code"],
                name=org_spec["name"],
                timezone=org_spec.get("timezone", "Asia/Jakarta"),
            )
            session.add(organization)
            session.flush()
            created["organization"] += 1
        for unit_spec in spec["units"]:
            if repo.unit_by_code(session, unit_spec["code"]) is None:
                parent = (
                    repo.unit_by_code(session, unit_spec["parent"])
                    if unit_spec.get("parent")
                    else None
                )
                session.add(
                    Unit(
                        organization_id=organization.id,
                        code=unit_spec["code"],
                        name=unit_spec["name"],
                        parent_id=parent.id if parent else None,
                    )
                )
                session.flush()
                created["units"] += 1
        for position_spec in spec["positions"]:
            if repo.position_by_code(session, position_spec["code"]) is None:
                unit = repo.unit_by_code(session, position_spec["unit"])
                session.add(
                    Position(
                        unit_id=unit.id, code=position_spec["code"], name=position_spec["name"]
                    )
                )
                session.flush()
                created["positions"] += 1
        password_hash = hash_password(password)
        users = []
        for user_spec in spec["users"]:
            positions = repo.positions_by_codes(session, user_spec["positions"])
            if repo.user_by_username(session, user_spec["username"]) is None:
                session.add(
                    User(
                        organization_id=organization.id,
                        username=user_spec["username"],
                        full_name=user_spec["full_name"],
                        role=Role(user_spec["role"]),
                        password_hash=password_hash,
                        created_at=now,
                        positions=list(positions.values()),
                    )
                )
                created["users"] += 1
            users.append(
                (
                    user_spec["username"],
                    user_spec["full_name"],
                    user_spec["role"],
                    user_spec["positions"],
                )
            )
        record(session, ctx, SYSTEM, "demo_seeded", **created)
        return SeedResult(created, users)


def demo_users(ctx: Context, path: Path) -> list[tuple[str, str, str, list[str]]]:
    """The users described in ``path`` that exist and are active, as the database has them now:
    username, full name, role and position codes (what `alur serve` lists to log in with)."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    with ctx.transaction() as session:
        found = []
        for user_spec in spec["users"]:
            user = repo.user_by_username(session, user_spec["username"])
            if user is not None and user.is_active:
                codes = sorted(position.code for position in user.positions)
                found.append((user.username, user.full_name, user.role.value, codes))
        return found
