"""Throw-away databases for the benchmarks: each run measures on an empty, migrated schema."""

import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text


def postgres_database(server_url: str) -> tuple[str, Callable[[], None]]:
    """Create a fresh database on ``server_url``; returns its URL and a function that drops it."""
    name = f"alur_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()

    return server_url.rsplit("/", 1)[0] + f"/{name}", drop
