"""`alur users ...` and `alur token ...`: people and their API tokens."""

import click

from storage.models import Role
from web.cli.common import command_context, fail
from web.usecases.context import SYSTEM
from web.usecases.errors import UseCaseError
from web.usecases.organization import administration


@click.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.argument("username")
@click.option("--position", "positions", multiple=True, help="Position code; repeat for more.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.OFFICER.value,
    show_default=True,
)
@click.option("--full-name", help="Name shown to colleagues (default: the username).")
@click.option("--password", help="Login password; prompted for when --prompt-password is given.")
@click.option("--prompt-password", is_flag=True, help="Ask for the password interactively.")
def users_create(username, positions, role, full_name, password, prompt_password) -> None:
    """Create a user holding the given positions."""
    if prompt_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with command_context() as context:
            user = administration.create_user(
                context,
                SYSTEM,
                username,
                full_name or username,
                Role(role),
                list(positions),
                password,
            )
    except UseCaseError as error:
        fail(error)
    click.echo(f"Created {user.username} ({role}) holding {', '.join(positions) or 'no position'}.")


@click.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def token_create(username: str, name: str) -> None:
    """Create an API token for USERNAME; the token is printed once, as the last line."""
    try:
        with command_context() as context:
            value = administration.create_token(context, SYSTEM, username, name)
    except UseCaseError as error:
        fail(error)
    click.echo(f"Token for {username} (send as 'Authorization: Bearer <token>'):")
    click.echo(value)
