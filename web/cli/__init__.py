"""The ``alur`` command: database, SOP library, users and tokens, timers, demo data, server.

One module per command group; each defines its commands and this one gathers them.
"""

import click

from web.cli import accounts, calendars, db, demo, library, overlaps, scheduling, serve


@click.group()
def main() -> None:
    """Alur: run SOP AP as BPMN processes and measure them."""


for command in (
    db.db,
    library.load_processes,
    accounts.users,
    accounts.token,
    scheduling.run_timers,
    scheduling.scheduler,
    calendars.calendar_group,
    demo.demo,
    overlaps.overlaps_command,
    serve.serve,
    serve.show_settings,
):
    main.add_command(command)
