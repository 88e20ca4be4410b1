"""`alur db ...`: migrate, rebuild the dashboard's summaries, check the database's integrity."""

import sys
import time as time_module

import click

from storage import migrate
from web.cli.common import command_context
from web.cli.progress import progress
from web.settings import load_settings
from web.usecases.context import Context
from web.usecases.dashboard import summaries
from web.usecases.runtime import durations, integrity


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema (ALUR_DATABASE_URL)."""
    settings = load_settings()
    migrate.upgrade(settings.database_url)
    click.echo(f"Database is at revision {migrate.current(settings.database_url)}.")
    with command_context() as context:
        filled = durations.backfill(context)
    if filled:
        click.echo(f"Recorded the durations of {filled} steps and requests ended earlier.")
    with command_context() as context:
        _summaries(context, only_if_stale=True)


@db.command("summaries")
def db_summaries() -> None:
    """Rebuild the dashboard's per-day summaries from the work items.

    `db upgrade` does this when they miss steps; run it after changing the organization's
    time zone outside Alur, or after importing work items by hand.
    """
    with command_context() as context:
        _summaries(context, only_if_stale=False)


@db.command("check")
def db_check() -> None:
    """Check that steps, requests, their history and the summaries agree (read only).

    Run it after an incident (a crash, a restore, rows edited by hand). Exits 1 when it finds
    something, listing each finding; 0 when everything agrees.
    """
    with command_context() as context:
        findings = integrity.check(context)
    for finding in findings:
        click.echo(f"{finding.kind}: {finding.message}")
    if findings:
        click.echo(f"{len(findings)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("No problems found: steps, requests, their history and the summaries agree.")


def _summaries(context: Context, only_if_stale: bool) -> None:
    missing, steps = summaries.stale(context)
    if only_if_stale and not missing:
        return
    started = time_module.perf_counter()
    with progress("Summarising completed steps and requests", steps) as advance:
        rows = summaries.rebuild(context, advance)
    seconds = time_module.perf_counter() - started
    click.echo(
        f"Dashboard summaries rebuilt: {steps} steps and requests in {rows} rows, {seconds:.0f} s."
    )
