"""docker-compose.yml and the Dockerfile name things that exist (no Docker engine needed)."""

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("migrate", "web", "scheduler")
DATABASE_URL = "postgresql+psycopg://alur:alur@postgres:5432/alur"


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]


def _words(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def _alur_invocations(service: dict[str, Any]) -> list[list[str]]:
    """The arguments of every ``alur ...`` call in a service's command, ``sh -c`` included."""
    words = _words(service)
    commands = [words]
    if words[:2] == ["sh", "-c"]:
        commands = [shlex.split(c) for c in re.split(r"&&|;|\|\|", words[2])]
    return [c[1:] for c in commands if c and c[0] == "alur"]


def _cli_defines(cli_source: str, name: str) -> bool:
    quoted = re.search(rf"""["']{re.escape(name)}["']""", cli_source)
    function = re.search(rf"def {re.escape(name.replace('-', '_'))}\(", cli_source)
    return bool(quoted or function)


def test_the_four_services_exist(services: dict[str, Any]) -> None:
    assert {"postgres", *APP_SERVICES} <= services.keys()


def test_postgres_is_15_with_a_volume_and_a_healthcheck(services: dict[str, Any]) -> None:
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:15"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "pg_isready" in str(postgres["healthcheck"]["test"])


def test_app_services_share_the_database_and_secret(services: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["ALUR_DATABASE_URL"] == DATABASE_URL, name
        assert "ALUR_SECRET_KEY" in environment, name


def test_start_order(services: dict[str, Any]) -> None:
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "scheduler"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_commands_name_real_cli_commands(services: dict[str, Any]) -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["alur"] == "web.cli:main"

    invocations = [args for name in APP_SERVICES for args in _alur_invocations(services[name])]
    assert ["db", "upgrade"] in invocations
    assert ["load-processes"] in invocations
    assert ["scheduler"] in invocations

    cli = ROOT / "web" / "cli.py"
    for args in invocations:
        for word in args:
            assert re.fullmatch(r"[a-z][a-z-]*", word), args
            if cli.exists():
                assert _cli_defines(cli.read_text(), word), f"web/cli.py has no command {word!r}"


def test_web_runs_the_app_factory_under_gunicorn(services: dict[str, Any]) -> None:
    words = _words(services["web"])
    assert words[0] == "gunicorn"
    assert "0.0.0.0:8000" in words
    module, _, factory = words[-1].partition(":")
    assert (module, factory) == ("web.app", "create_app()")
    app = ROOT / "web" / "app.py"
    if app.exists():
        assert re.search(r"^def create_app\(", app.read_text(), re.MULTILINE)


def test_dockerfile_installs_the_package_on_python_3_11_slim() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert re.search(r"\bpip install \.", dockerfile)
    for copied in re.findall(r"^COPY (\S+)/ ", dockerfile, re.MULTILINE):
        assert (ROOT / copied).is_dir(), copied
