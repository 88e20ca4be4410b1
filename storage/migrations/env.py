"""Alembic environment: migrates the database named by the config's ``sqlalchemy.url``.

Run through :mod:`storage.migrate`, which builds the configuration in code.
"""

from alembic import context
from sqlalchemy import Connection

from storage.db import make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        # With SQLAlchemy emitting BEGIN (storage.db), SQLite DDL is transactional too:
        # a failed upgrade leaves the database as it was.
        transactional_ddl=True,
        **kwargs,
    )


def _run_offline() -> None:
    """Write the SQL instead of running it, for a DBA to review (``sql=True``)."""
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"migration left rows violating foreign keys: {broken}")


def _run_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            if connection.dialect.name != "sqlite":
                _run_on(connection)
                return
            # A batch rebuild drops and recreates tables; with foreign keys enforced that
            # would delete or reject referencing rows. The pragma only works outside a
            # transaction, so set it on the driver connection before SQLAlchemy begins one;
            # _run_on checks the keys itself before committing.
            driver = connection.connection.driver_connection
            driver.execute("PRAGMA foreign_keys=OFF")
            try:
                _run_on(connection)
            finally:
                driver.execute("PRAGMA foreign_keys=ON")
    finally:
        engine.dispose()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
