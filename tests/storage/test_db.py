"""Engines, the unit of work, and the column types, on both databases."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import SQLITE_BUSY_TIMEOUT_MS, make_engine, unit_of_work
from storage.models import Base, Organization, Sop, Unit, User

WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")
WIT = timezone(timedelta(hours=9), "WIT")


def _count(factory: sessionmaker[Session], model: type[Base]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _sop(key: str, created_at: datetime) -> Sop:
    return Sop(key=key, name=key.upper(), reference_prefix=key.upper(), created_at=created_at)


def test_unit_of_work_commits_on_success(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        session.add(Organization(code="tng", name="Kota Tangerang"))

    with session_factory() as session:
        assert session.scalars(select(Organization.name)).all() == ["Kota Tangerang"]


def test_unit_of_work_rolls_back_everything_on_exception(
    session_factory: sessionmaker[Session],
) -> None:
    with pytest.raises(RuntimeError, match="boom"), unit_of_work(session_factory) as session:
        session.add(Organization(code="btg", name="Kota Bontang"))
        session.flush()
        raise RuntimeError("boom")

    assert _count(session_factory, Organization) == 0
    assert not session.in_transaction()


def test_unit_of_work_rolls_back_a_failed_statement(
    session_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(session_factory) as session:
        session.add(Organization(code="tng", name="Kota Tangerang"))

    with pytest.raises(IntegrityError), unit_of_work(session_factory) as session:
        session.add(Organization(code="btg", name="Kota Bontang"))
        session.flush()
        session.add(Organization(code="tng", name="Duplikat"))

    with session_factory() as session:
        assert session.scalars(select(Organization.code)).all() == ["tng"]


def test_concurrent_read_then_write_units_of_work_all_succeed(
    session_factory: sessionmaker[Session],
) -> None:
    # The shape of every use case. On SQLite, deferred transactions would fail here with
    # "database is locked" as soon as two readers both try to upgrade to writers.
    def start_request(number: int) -> None:
        with unit_of_work(session_factory) as session:
            session.scalar(select(func.count()).select_from(Organization))
            time.sleep(0.02)
            session.add(Organization(code=f"org-{number}", name=f"Org {number}"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(start_request, range(8)))

    assert _count(session_factory, Organization) == 8


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_starts_with_empty_tables(
    session_factory: sessionmaker[Session], run: str
) -> None:
    # Whichever of the two runs second proves the fixture emptied the tables and ids restart.
    with unit_of_work(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 0
        organization = Organization(code=f"org-{run}", name=run)
        session.add(organization)
        session.flush()
        assert organization.id == 1


@pytest.mark.parametrize("zone", [WIB, WITA, WIT, timezone(timedelta(hours=-5))], ids=str)
def test_utc_datetime_keeps_the_instant_and_reads_back_utc(
    session_factory: sessionmaker[Session], zone: timezone
) -> None:
    local = datetime(2026, 1, 31, 23, 30, 15, 123456, tzinfo=zone)
    with unit_of_work(session_factory) as session:
        session.add(_sop("skd", local))

    with session_factory() as session:
        stored = session.scalars(select(Sop.created_at)).one()
    assert stored == local
    assert stored.tzinfo is UTC


def test_utc_datetime_compares_instants_across_zones(
    session_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(session_factory) as session:
        session.add(_sop("a", datetime(2026, 3, 2, 8, 0, tzinfo=WIB)))
        session.add(_sop("b", datetime(2026, 3, 2, 10, 0, tzinfo=WIB)))

    # 09:00 WIB written as 11:00 WIT: only B is later, whatever zone the bound is in.
    bound = datetime(2026, 3, 2, 11, 0, tzinfo=WIT)
    with session_factory() as session:
        assert session.scalars(select(Sop.key).where(Sop.created_at > bound)).all() == ["b"]


def test_utc_datetime_rejects_naive(session_factory: sessionmaker[Session]) -> None:
    with (
        pytest.raises(StatementError, match="naive datetime"),
        unit_of_work(session_factory) as session,
    ):
        session.add(_sop("skd", datetime(2026, 1, 1, 8, 0)))
        session.flush()

    assert _count(session_factory, Sop) == 0


def test_foreign_keys_are_enforced(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), unit_of_work(session_factory) as session:
        session.add(Unit(organization_id=999, code="dpmptsp", name="DPMPTSP"))


def _insert_user(engine: Engine, username: str, role: str) -> None:
    # Raw SQL: the ORM would refuse the value before the database sees it.
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user_account"
                " (organization_id, username, full_name, role, language, is_active, created_at)"
                " VALUES (:org, :username, :username, :role, 'id', :active, :now)"
            ),
            {
                "org": 1,
                "username": username,
                "role": role,
                "active": True,
                "now": datetime(2026, 1, 1, tzinfo=UTC),
            },
        )


def test_enum_column_rejects_unknown_value_in_the_database(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with unit_of_work(session_factory) as session:
        session.add(Organization(id=1, code="tng", name="Kota Tangerang"))
    _insert_user(engine, "budi", "officer")

    with pytest.raises(IntegrityError, match="ck_user_account_role"):
        _insert_user(engine, "siti", "overlord")

    with session_factory() as session:
        assert session.scalars(select(User.username)).all() == ["budi"]


def test_a_leaked_connection_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest((Path(__file__).parents[1] / "conftest.py").read_text())
    pytester.makepyfile(
        test_leak="""
        LEAKED = []

        def test_leak(engine):
            LEAKED.append(engine.connect())
        """
    )

    result = pytester.runpytest_subprocess("-k", "sqlite", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*1 connection(s) left checked out*"])


def test_sqlite_pragmas(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    finally:
        engine.dispose()


def test_sqlite_transaction_takes_the_write_lock_at_begin(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    try:
        with engine.connect() as first, engine.connect() as second:
            first.exec_driver_sql("SELECT 1")  # only reads, yet already holds the write lock
            second.connection.driver_connection.execute("PRAGMA busy_timeout=0")
            with pytest.raises(OperationalError, match="database is locked"):
                second.exec_driver_sql("SELECT 1")
            first.commit()
            assert second.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()


def test_in_memory_sqlite_is_one_shared_database() -> None:
    engine = make_engine("sqlite://")
    try:
        Base.metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(Organization.__table__.insert(), {"code": "tng", "name": "Tng"})
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.execute(select(Organization.code)).scalars().all() == ["tng"]
    finally:
        engine.dispose()
