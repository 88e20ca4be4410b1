"""What every command shares: the use cases' Context, failing with an error, a user's line."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from web.settings import load_settings
from web.usecases.context import Context
from web.usecases.errors import UseCaseError
from web.wiring import build_context


@contextmanager
def command_context() -> Iterator[Context]:
    """The use cases' Context for one command; its connections are closed at the end."""
    try:
        context, engine = build_context(load_settings())
    except ValueError as exc:  # a setting, or the local holidays file, that cannot work
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    try:
        yield context
    finally:
        engine.dispose()


def fail(error: UseCaseError) -> None:
    click.echo(f"Error: {error.message}", err=True)
    if error.details:
        click.echo(f"Details: {error.details}", err=True)
    sys.exit(1)


def user_line(username: str, full_name: str, role: str, positions: list[str]) -> str:
    return f"  {username:<12} {role:<8} {full_name:<28} {', '.join(positions)}"
