"""`alur demo`: the demo organization and months of simulated work."""

import dataclasses
import time as time_module
from contextlib import ExitStack
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import click

from web.cli.common import command_context, fail, user_line
from web.cli.progress import progress
from web.settings import load_settings
from web.usecases.analysis.simulation import Plan, simulate
from web.usecases.context import Context
from web.usecases.demo import seed_organization
from web.usecases.errors import Conflict, UseCaseError
from web.usecases.library import sops


@click.command("demo")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Organization description (default: demo_organization.json in ALUR_PROCESSES_DIR).",
)
@click.option(
    "--months",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also simulate this many months of requests, up to today (needs a fresh database).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the simulation.")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Simulate only if the database has no requests yet; otherwise skip it without error.",
)
def demo(path: Path | None, months: int, seed: int, if_empty: bool) -> None:
    """Create the demo organization, units, positions and users (idempotent).

    With --months, load the SOP library and simulate months of requests through the engine.
    """
    settings = load_settings()
    path = path or Path(settings.processes_dir) / "demo_organization.json"
    with command_context() as context:
        end = context.clock().date()
        start = end - timedelta(days=round(months * 30.44))
        if months:
            # Seed and publish before the simulated period, so its history reads in order.
            moment = datetime.combine(start - timedelta(days=1), time(0), UTC)
            context = dataclasses.replace(context, clock=lambda: moment)
        result = seed_organization(context, path, settings.demo_password)
        created = ", ".join(f"{count} {kind}" for kind, count in result.created.items())
        click.echo(f"Demo data: created {created}.")
        click.echo(f"Demo users (password: {settings.demo_password}):")
        for user in result.users:
            click.echo(user_line(*user))
        if months:
            sops.load_processes(context, Path(settings.processes_dir))
            _simulate(context, Plan(start, end, seed), if_empty)


def _simulate(context: Context, plan: Plan, if_empty: bool = False) -> None:
    started = time_module.perf_counter()
    with ExitStack() as stack:
        bars: list = []

        def report(done: int, total: int, _counts: dict[str, int]) -> None:
            if not bars:
                label = f"Simulating {plan.start:%Y-%m-%d} to {plan.end:%Y-%m-%d}"
                bars.append(stack.enter_context(progress(label, total)))
            bars[0](done)

        try:
            counts = simulate(context, plan, report)
        except Conflict as error:
            if not if_empty:
                fail(error)
            click.echo("The database already has requests: the simulation is skipped.")
            return
        except UseCaseError as error:
            fail(error)
    seconds = time_module.perf_counter() - started
    click.echo(
        f"Simulated {counts.started} requests ({counts.completed} completed), "
        f"{counts.work_items} work items, {counts.breaches} breaches of mutu baku, "
        f"{counts.timers_fired} timer escalations in {seconds:.0f} s."
    )
    if counts.redesigned_at:
        click.echo(f"{plan.redesign} was redesigned on {counts.redesigned_at:%Y-%m-%d}.")
