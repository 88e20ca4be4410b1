"""The known log, played once per test worker and database for the tests that only read it.

Playing it runs ~100 use cases (2-4 s on PostgreSQL); most dashboard tests only read the
result. They take ``known_log`` and get the log on its own database, which is read-only once
played: a test that writes fails instead of changing what the next one reads. Tests that
complete more steps keep playing their own log with ``run_log``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Engine, event, make_url

from storage.db import READ_ONLY, make_engine, make_session_factory
from storage.migrate import upgrade
from tests.conftest import BACKENDS, FakeClock, throwaway_postgres
from tests.web.conftest import Org, build_org
from tests.web.usecases.dashboard.dashboard_log import Log, run_log
from web.usecases.context import Context


class KnownLog(NamedTuple):
    ctx: Context
    org: Org
    log: Log


@contextmanager
def _database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "postgresql":
        with throwaway_postgres() as url:
            yield url
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('known-log') / 'alur.db'}"
        upgrade(url)
        yield url


def _read_only_engine(url: str) -> Engine:
    engine = make_engine(url).execution_options(**{READ_ONLY: True})
    postgres = make_url(url).get_backend_name() == "postgresql"

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if postgres:
            cursor.execute("SET default_transaction_read_only = on")
            dbapi_connection.commit()
        else:
            cursor.execute("PRAGMA query_only = ON")
        cursor.close()

    return engine


@pytest.fixture(scope="session", params=BACKENDS)
def known_log(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[KnownLog]:
    with _database(request.param, tmp_path_factory) as url:
        writer = make_engine(url)
        clock = FakeClock()
        try:
            ctx = Context(sessions=make_session_factory(writer), clock=clock)
            org = build_org(ctx)
            log = run_log(ctx, org, clock)
        finally:
            writer.dispose()
        reader = _read_only_engine(url)
        try:
            yield KnownLog(Context(sessions=make_session_factory(reader), clock=clock), org, log)
        finally:
            reader.dispose()
