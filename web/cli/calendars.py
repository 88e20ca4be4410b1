"""`alur calendar ...`: an organization's time zone and office hours."""

import click

from web.cli.common import command_context, fail
from web.usecases.context import SYSTEM
from web.usecases.errors import UseCaseError


@click.group("calendar")
def calendar_group() -> None:
    """Working calendars: time zone, office hours and days off of an organization."""


@calendar_group.command("show")
@click.option("--org", "organization", help="Organization code (default: the first one).")
@click.option("--year", type=int, help="Year of the days off to list (default: this year).")
def calendar_show(organization: str | None, year: int | None) -> None:
    """Print the office hours and every day off of a year, with where each comes from."""
    from web.usecases.organization import calendars

    with command_context() as context:
        try:
            view = calendars.get_calendar(
                context, SYSTEM, year or context.clock().year, organization
            )
        except UseCaseError as error:
            fail(error)
    click.echo(f"{view.organization}: {view.timezone}")
    for day, (opens, closes) in view.hours.items():
        click.echo(f"  {day}  {opens}-{closes}")
    for day_off in view.days_off:
        click.echo(f"  {day_off.day:%Y-%m-%d %a}  {day_off.source:<8}  {day_off.name}")


@calendar_group.command("set")
@click.option("--org", "organization", required=True, help="Organization code.")
@click.option(
    "--timezone",
    type=click.Choice(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]),
    help="WIB, WITA or WIT.",
)
@click.option(
    "--day",
    "days",
    multiple=True,
    metavar="DAY=HH:MM-HH:MM|off",
    help="Office hours of a weekday (mon..sun), or 'off'; repeat for more days.",
)
def calendar_set(organization: str, timezone: str | None, days: tuple[str, ...]) -> None:
    """Change an organization's time zone or office hours (for steps opened from now on)."""
    from web.usecases.organization import calendars

    with command_context() as context:
        try:
            hours = None
            if days:
                year = context.clock().year
                current = calendars.get_calendar(context, SYSTEM, year, organization).hours
                hours = _apply_days(current, days)
            view = calendars.set_calendar(context, SYSTEM, organization, timezone, hours)
        except UseCaseError as error:
            fail(error)
    hours_text = ", ".join(f"{d} {a}-{b}" for d, (a, b) in view.hours.items())
    click.echo(f"{view.organization}: {view.timezone}; {hours_text}")


def _apply_days(hours: dict[str, list[str]], days: tuple[str, ...]) -> dict[str, list[str]]:
    changed = dict(hours)
    for spec in days:
        day, _, window = spec.partition("=")
        if window.strip().lower() == "off":
            changed.pop(day.strip(), None)
            continue
        opens, _, closes = window.partition("-")
        changed[day.strip()] = [opens.strip(), closes.strip()]
    return changed
