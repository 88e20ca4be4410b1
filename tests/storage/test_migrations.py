"""The migrations build exactly the models' schema, on both databases, from any directory."""

import io
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Enum, inspect
from sqlalchemy.dialects.postgresql import JSONB

from storage.migrate import alembic_config, current, upgrade
from storage.models import Base


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert _differences(engine) == []


def test_one_head_and_the_database_is_at_it(db_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(db_url))
    assert len(script.get_heads()) == 1
    assert current(db_url) == _head()


def test_upgrade_is_idempotent(db_url: str, engine: Engine) -> None:
    upgrade(db_url)
    upgrade(db_url)

    assert current(db_url) == _head()
    assert _differences(engine) == []


def test_downgrade_to_base_and_back(db_url: str, engine: Engine) -> None:
    command.downgrade(alembic_config(db_url), "base")
    assert current(db_url) is None
    assert inspect(engine).get_table_names() == ["alembic_version"]

    upgrade(db_url)
    assert _differences(engine) == []


def test_every_enum_column_has_a_check_constraint(engine: Engine) -> None:
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        checks = {c["name"] for c in inspector.get_check_constraints(table.name)}
        for column in table.columns:
            if isinstance(column.type, Enum):
                assert f"ck_{table.name}_{column.type.name}" in checks, column


@pytest.mark.postgres_only
def test_json_columns_are_jsonb_on_postgresql(engine: Engine) -> None:
    columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("instance")}
    assert isinstance(columns["data"], JSONB)


def test_fresh_database_from_another_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert current(url) is None

    upgrade(url)

    assert current(url) == _head()


def test_offline_sql_for_review() -> None:
    config = alembic_config("postgresql+psycopg://alur@localhost/alur")
    config.output_buffer = io.StringIO()

    command.upgrade(config, "head", sql=True)

    sql = config.output_buffer.getvalue()
    assert "CREATE TABLE work_item" in sql
    assert "CONSTRAINT ck_work_item_workitemstatus CHECK" in sql
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in sql


def test_percent_in_password_survives_the_config() -> None:
    url = "postgresql+psycopg://alur:p%40ss%25word@db:5432/alur"
    assert alembic_config(url).get_main_option("sqlalchemy.url") == url
