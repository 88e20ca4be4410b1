"""Fixtures for use-case and API tests: an organization built through the use cases."""

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from storage.models import Role
from tests.factories.bpmn import build
from web.cli import main
from web.usecases.context import SYSTEM, Actor, Context
from web.usecases.library import sops
from web.usecases.organization import administration


@dataclass
class Org:
    """The test organization: a kelurahan with staff and a head, and a second unit."""

    ctx: Context
    actors: dict[str, Actor] = field(default_factory=dict)

    def actor(self, username: str) -> Actor:
        return self.actors[username]

    def add_user(self, username: str, role: Role, positions: list[str]) -> Actor:
        """Create a user holding ``positions`` and sign them in with a token, as the CLI does."""
        user = administration.create_user(
            self.ctx, SYSTEM, username, username.title(), role, positions, password="rahasia-uji"
        )
        token = administration.create_token(self.ctx, SYSTEM, user.username)
        self.actors[username] = administration.authenticate_token(self.ctx, token)
        return self.actors[username]


def build_org(ctx: Context) -> Org:
    administration.create_organization(ctx, SYSTEM, "KOTA-UJI", "Kota Uji", "Asia/Jakarta")
    administration.create_unit(ctx, SYSTEM, "KEC", "Kecamatan Uji")
    administration.create_unit(ctx, SYSTEM, "KEL", "Kelurahan Uji", parent_code="KEC")
    administration.create_unit(ctx, SYSTEM, "DINAS", "Dinas Lain")
    administration.create_position(ctx, SYSTEM, "UJI-STAF", "Staf Pelayanan", "KEL")
    administration.create_position(ctx, SYSTEM, "UJI-KEPALA", "Lurah", "KEL")
    administration.create_position(ctx, SYSTEM, "LAIN-STAF", "Staf Dinas Lain", "DINAS")
    people = [
        ("ani", Role.OFFICER, ["UJI-STAF"]),
        ("budi", Role.OFFICER, ["UJI-STAF"]),
        ("citra", Role.MANAGER, ["UJI-KEPALA"]),
        ("dedi", Role.OFFICER, ["LAIN-STAF"]),
        ("eka", Role.ANALYST, []),
        ("admin", Role.ADMIN, []),
    ]
    org = Org(ctx)
    for username, role, positions in people:
        org.add_user(username, role, positions)
    return org


@pytest.fixture
def org(ctx: Context) -> Org:
    return build_org(ctx)


def publish(ctx: Context, data: bytes | None = None) -> str:
    """Upload and publish a BPMN (the factory's default chain when None); returns the SOP key."""
    version = sops.upload_version(ctx, SYSTEM, data or build())
    key = version.sop.key
    sops.publish_version(ctx, SYSTEM, key, version.number)
    return key


@pytest.fixture
def tokens(api_ctx: Context) -> dict[str, str]:
    """Bearer headers of the test organization's users, made with the CLI's use case."""
    build_org(api_ctx)
    return {
        name: f"Bearer {administration.create_token(api_ctx, SYSTEM, name)}"
        for name in ("ani", "budi", "citra", "dedi", "eka", "admin")
    }


@pytest.fixture
def auth(tokens) -> dict[str, dict[str, str]]:
    """Request headers per user name: ``client.get(url, headers=auth["ani"])``."""
    return {name: {"Authorization": header} for name, header in tokens.items()}


PROCESSES = Path(__file__).resolve().parents[2] / "processes"


@pytest.fixture
def alur(engine, db_url, tmp_path, monkeypatch):
    """Run `alur ...` on the test database; returns the click result."""
    monkeypatch.setenv("ALUR_DATABASE_URL", db_url)
    monkeypatch.setenv("ALUR_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ALUR_PROCESSES_DIR", str(PROCESSES))
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run
