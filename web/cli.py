"""The ``alur`` command: database, SOP library, users and tokens, timers, demo data, server."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from storage import migrate
from storage.models import Role
from web.settings import DECLARATIONS, load_settings
from web.usecases import organization, sops, timers
from web.usecases.context import SYSTEM, Context
from web.usecases.demo import seed_organization
from web.usecases.errors import UseCaseError
from web.wiring import build_context


@contextmanager
def _context() -> Iterator[Context]:
    """The use cases' Context for one command; its connections are closed at the end."""
    context, engine = build_context(load_settings())
    try:
        yield context
    finally:
        engine.dispose()


def _fail(error: UseCaseError) -> None:
    click.echo(f"Error: {error.message}", err=True)
    if error.details:
        click.echo(f"Details: {error.details}", err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """Alur: run SOP AP as BPMN processes and measure them."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema (ALUR_DATABASE_URL)."""
    settings = load_settings()
    migrate.upgrade(settings.database_url)
    click.echo(f"Database is at revision {migrate.current(settings.database_url)}.")


@main.command("load-processes")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of .bpmn files (default: ALUR_PROCESSES_DIR).",
)
def load_processes(directory: Path | None) -> None:
    """Publish every new or changed SOP in the processes folder; unchanged ones are skipped."""
    settings = load_settings()
    folder = directory or Path(settings.processes_dir)
    if not folder.is_dir():
        click.echo(f"Error: {folder} is not a folder.", err=True)
        sys.exit(1)
    with _context() as context:
        results = sops.load_processes(context, folder)
    refused = drafts = 0
    for result in results:
        version = f"v{result.version}" if result.version else ""
        click.echo(f"{result.outcome:<10} {result.file:<45} {version}")
        for problem in result.problems:
            click.echo(f"    - [{problem['element_id'] or '-'}] {problem['message']}")
        refused += result.outcome == "refused"
        drafts += result.outcome == "draft"
    loaded = len(results) - refused - drafts
    click.echo(
        f"{len(results)} files: {loaded} published or unchanged, {drafts} kept as drafts "
        f"(lanes name unknown positions), {refused} refused."
    )
    if refused:
        sys.exit(1)


@main.group()
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
        with _context() as context:
            user = organization.create_user(
                context,
                SYSTEM,
                username,
                full_name or username,
                Role(role),
                list(positions),
                password,
            )
    except UseCaseError as error:
        _fail(error)
    click.echo(f"Created {user.username} ({role}) holding {', '.join(positions) or 'no position'}.")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def token_create(username: str, name: str) -> None:
    """Create an API token for USERNAME; the token is printed once, as the last line."""
    try:
        with _context() as context:
            value = organization.create_token(context, SYSTEM, username, name)
    except UseCaseError as error:
        _fail(error)
    click.echo(f"Token for {username} (send as 'Authorization: Bearer <token>'):")
    click.echo(value)


@main.command("run-timers")
def run_timers() -> None:
    """Fire every BPMN timer that is due now, once, and exit."""
    fired = 0
    with _context() as context:
        while True:
            batch = timers.fire_due_timers(context)
            fired += batch
            if batch == 0:
                break
    click.echo(f"{fired} requests woken by their timers.")


@main.command("scheduler")
@click.option("--interval", default=30, show_default=True, help="Seconds between timer checks.")
def scheduler(interval: int) -> None:
    """Run the scheduler process: fire due BPMN timers every INTERVAL seconds."""
    from web.scheduler import run_scheduler

    with _context() as context:
        run_scheduler(context, interval)


@main.command("demo")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Organization description (default: demo_organization.json in ALUR_PROCESSES_DIR).",
)
def demo(path: Path | None) -> None:
    """Create the demo organization, units, positions and users (idempotent)."""
    settings = load_settings()
    path = path or Path(settings.processes_dir) / "demo_organization.json"
    with _context() as context:
        result = seed_organization(context, path, settings.demo_password)
    created = ", ".join(f"{count} {kind}" for kind, count in result.created.items())
    click.echo(f"Demo data: created {created}.")
    click.echo(f"Demo users (password: {settings.demo_password}):")
    for username, full_name, role, positions in result.users:
        click.echo(f"  {username:<12} {role:<8} {full_name:<28} {', '.join(positions)}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the app (for production use gunicorn 'web.app:create_app()')."""
    from werkzeug.serving import run_simple

    from web.app import create_app

    click.echo(f"Alur is running at http://{host}:{port}/  (API docs: /api/docs)")
    run_simple(host, port, create_app(), threaded=True, use_reloader=False)


@main.command("settings")
def show_settings() -> None:
    """List every setting with its environment variable, default and meaning."""
    for declaration in DECLARATIONS:
        click.echo(f"ALUR_{declaration.name}  (default: {declaration.default})")
        click.echo(f"    {declaration.help}")
