"""Engines, sessions and the one transaction boundary every use case goes through."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

# Execution option of engines whose transactions only read (see make_read_session_factory).
READ_ONLY = "alur_read_only"
# How long a SQLite writer waits for another one before giving up with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``: a SQLite file (or ``sqlite://`` in memory) or PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    # Several web workers and scheduler processes share one server (max_connections=100 by
    # default), so each process keeps a small pool; pre-ping survives server restarts.
    # psycopg prepares a statement on its 5th run; PostgreSQL may then switch to a generic plan
    # that ignores the period and units asked for (a dashboard query measured 3x slower from
    # its 11th run on a connection). Custom plans always: planning costs far less here.
    connect_args = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args = {"options": "-c plan_cache_mode=force_custom_plan"}
    return create_engine(
        parsed,
        echo=echo,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        connect_args=connect_args,
    )


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    in_memory = _is_memory(url)
    kwargs: dict[str, Any] = {}
    if in_memory:
        # One connection shared by every thread, or each new connection sees an empty database.
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = create_engine(url, echo=echo, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (see _on_begin); pragmas then run outside one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                # In WAL mode NORMAL is corruption-safe and survives an application crash;
                # only an OS crash or power cut may lose the last commits (no fsync each).
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Use cases write. A deferred transaction that reads first and then writes
        # cannot upgrade its lock while another writer waits (SQLITE_BUSY at once, no
        # retry), so take the write lock up front and let busy_timeout queue the writers.
        # Long read-only work (exports) asks for READ_ONLY and leaves the writers alone.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for long reads that never write: on SQLite they do not hold the write lock."""
    return sessionmaker(bind=engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The transaction boundary of every use case: one session, one transaction.

    Commits when the block ends normally, rolls back when anything is raised (the exception
    propagates), and always closes the session. Code inside the block never commits: the
    API, the pages, the CLI and the scheduler each wrap one use case call in this.
    """
    session = factory()
    try:
        with session.begin():
            yield session
    finally:
        session.close()
