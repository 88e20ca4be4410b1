"""`alur run-timers` and `alur scheduler`: timers, breaches, reminders."""

import sys

import click

from web.cli.common import command_context
from web.settings import Settings, load_settings
from web.usecases.runtime.outbox import Sender
from web.wiring import build_context


def _sender(settings: Settings) -> Sender | None:
    from web.notify import sender_from_settings

    try:
        return sender_from_settings(settings)
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


@click.command("run-timers")
def run_timers() -> None:
    """Run one scheduler tick now and exit (e.g. from cron instead of `alur scheduler`).

    Fires every due BPMN timer, records breaches, queues reminders, and delivers them when
    ALUR_NOTIFY_VIA is on.
    """
    from web.scheduler import TickReport, run_tick
    from web.usecases.runtime.timers import BATCH

    settings = load_settings()
    sender = _sender(settings)
    totals = TickReport()
    with command_context() as context:
        while True:  # a tick wakes at most BATCH requests: go on until all due ones are done
            report = run_tick(context, sender)
            totals = totals + report
            if report.fired < BATCH or report.errors:
                break
    click.echo(
        f"{totals.fired} requests woken by their timers, {totals.breached} breaches recorded, "
        f"{totals.warned} at-risk reminders queued, {totals.sent} reminders sent "
        f"({totals.failed} failed) in {totals.seconds:.2f} s."
    )
    if totals.errors:
        sys.exit(1)


@click.command("scheduler")
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    help="Seconds between ticks (default: ALUR_SCHEDULER_INTERVAL).",
)
def scheduler(interval: int | None) -> None:
    """Run the scheduler process: a tick every INTERVAL seconds until stopped.

    Each tick fires due BPMN timers, records breaches, queues and delivers reminders. Several
    processes may run against one PostgreSQL; each timer and breach is still handled once.
    """
    import logging

    from web.scheduler import run_scheduler

    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(process)d %(message)s")
    sender = _sender(settings)
    try:
        context, engine = build_context(settings)
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    try:
        run_scheduler(context, engine, interval or settings.scheduler_interval, sender)
    finally:
        engine.dispose()
