"""Database fixtures shared by the whole suite: every storage test runs on SQLite and PostgreSQL.

Use ``session_factory`` (or ``engine``) in a test and it runs twice, ids ``[sqlite]`` and
``[postgresql]``, each time against a migrated database whose tables are empty at the start.
Mark a test ``@pytest.mark.postgres_only`` to skip its SQLite run.
"""

import dataclasses
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Base
from web.app import create_app
from web.usecases.context import Context
from web.usecases.organization import passwords

pytest_plugins = ["pytester"]

POSTGRES_URL = os.environ.get(
    "ALUR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip_sqlite = pytest.mark.skip(reason="PostgreSQL only")
    for item in items:
        callspec = getattr(item, "callspec", None)
        if (
            item.get_closest_marker("postgres_only")
            and callspec is not None
            and callspec.params.get("db_url") == "sqlite"
        ):
            item.add_marker(skip_sqlite)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """One PBKDF2 round instead of scrypt for the test users' passwords.

    scrypt's cost is deliberate in production (web.usecases.organization.passwords) and was
    two thirds of the suite's CPU time: most tests make six users with passwords. Checking a
    password still goes through the same function, whatever method made its hash.
    """
    patch = pytest.MonkeyPatch()
    patch.setattr(passwords, "METHOD", "pbkdf2:sha256:1")
    yield
    patch.undo()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file, created once per test session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'alur.db'}"
    upgrade(url)
    return url


def _connection_problem(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        return " ".join(str(exc.orig).split())
    return None


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """The URL of a new migrated PostgreSQL database on ALUR_TEST_POSTGRES_URL's server,
    dropped on exit. Unreachable: the test fails with ALUR_REQUIRE_POSTGRES=1, else skips."""
    shown = make_url(POSTGRES_URL).render_as_string(hide_password=True)
    admin = create_engine(
        POSTGRES_URL,
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": 5},
    )
    problem = _connection_problem(admin)
    if problem:
        admin.dispose()
        message = f"PostgreSQL is unreachable at {shown} (set ALUR_TEST_POSTGRES_URL): {problem}"
        if os.environ.get("ALUR_REQUIRE_POSTGRES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)

    name = f"alur_test_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        # template0 with C collation: the same database whatever the server's default locale.
        connection.exec_driver_sql(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    try:
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated throw-away PostgreSQL database on ALUR_TEST_POSTGRES_URL's server."""
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """The URL of a migrated test database, once per backend (ids ``sqlite``, ``postgresql``)."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(fixture)


def _empty_tables(engine: Engine) -> None:
    tables = Base.metadata.sorted_tables
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Fail rather than hang if a leaked transaction still holds a lock.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
            names = ", ".join(
                connection.dialect.identifier_preparer.format_table(t) for t in tables
            )
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the test database; tables are emptied after the test.

    The test fails if it leaves a connection checked out (a session or connection not closed).
    """
    engine = make_engine(db_url)
    try:
        yield engine
        leaked = engine.pool.checkedout()
        _empty_tables(engine)
    finally:
        engine.dispose()
    assert not leaked, f"{leaked} connection(s) left checked out: close every session/connection"


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The session factory the app would build; pass it to ``storage.db.unit_of_work``."""
    return make_session_factory(engine)


class FakeClock:
    """A clock tests move by hand; starts on a Monday morning in Jakarta (01:00 UTC = 08:00 WIB)."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(session_factory: sessionmaker[Session], clock: FakeClock) -> Context:
    return Context(sessions=session_factory, clock=clock)


@pytest.fixture
def app(engine, db_url: str, tmp_path, clock: FakeClock) -> Iterator[Flask]:
    """The real app on the test database and the test's clock (tables are emptied after)."""
    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path)})
    alur = app.extensions["alur"]
    alur["context"] = dataclasses.replace(alur["context"], clock=clock)
    yield app
    app.extensions["alur"]["engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def api_ctx(app: Flask) -> Context:
    """The app's own Context, for arranging data the API then reads."""
    return app.extensions["alur"]["context"]
