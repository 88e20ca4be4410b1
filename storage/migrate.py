"""Schema migrations, configured in code: no alembic.ini, works from any directory.

A new revision, after changing storage/models (against a database already at head)::

    from alembic import command
    from storage.migrate import alembic_config
    command.revision(alembic_config(url), "what changed", autogenerate=True)

then read the generated file in storage/migrations/versions/ and fix what autogenerate missed.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from storage.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at ``url`` and Alur's migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # Generated revisions come out lint-clean and formatted like the rest of the code.
    hooks = {"ruff_fix": "check --fix --exit-zero", "ruff_format": "format"}
    config.set_section_option("post_write_hooks", "hooks", ", ".join(hooks))
    for name, options in hooks.items():
        config.set_section_option("post_write_hooks", f"{name}.type", "module")
        config.set_section_option("post_write_hooks", f"{name}.module", "ruff")
        config.set_section_option(
            "post_write_hooks", f"{name}.options", f"{options} REVISION_SCRIPT_FILENAME"
        )
    # The config is an INI parser: a percent-encoded password must not read as interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision``; a no-op when it is already there."""
    command.upgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None when it was never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
