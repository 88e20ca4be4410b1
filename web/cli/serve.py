"""`alur serve` and `alur settings`: serving the app and what it can be configured with."""

from pathlib import Path

import click

from web.cli.common import command_context, user_line
from web.settings import DECLARATIONS, load_settings
from web.usecases.demo import demo_users


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the app with gunicorn; the address and the demo users are the last lines printed.

    For a tuned production server run gunicorn yourself: gunicorn 'web.app:create_app()'.
    """
    from web.app import create_app
    from web.serve import serve as run_server

    settings = load_settings()  # also writes the secret key once, before the workers start
    banner = [f"Alur is running at http://{host}:{port}/  (API docs: /api/docs)"]
    path = Path(settings.processes_dir) / "demo_organization.json"
    with command_context() as context:
        present = demo_users(context, path) if path.is_file() else []
    if present:
        banner.append(f"Demo users (password: {settings.demo_password}):")
        banner += [user_line(*user) for user in present]
    run_server(create_app, host, port, banner)


@click.command("settings")
def show_settings() -> None:
    """List every setting with its environment variable, default and meaning."""
    for declaration in DECLARATIONS:
        click.echo(f"ALUR_{declaration.name}  (default: {declaration.default})")
        click.echo(f"    {declaration.help}")
