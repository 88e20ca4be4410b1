"""The ``alur`` command: database, SOP library, users and tokens, timers, demo data, server."""

import dataclasses
import sys
import time as time_module
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click

from storage import migrate
from storage.models import FlagState, Role
from web.cli_progress import progress
from web.settings import DECLARATIONS, Settings, load_settings
from web.usecases.analysis import overlaps
from web.usecases.analysis.simulation import Plan, simulate
from web.usecases.context import SYSTEM, Context
from web.usecases.dashboard import summaries
from web.usecases.demo import demo_users, seed_organization
from web.usecases.errors import Conflict, UseCaseError
from web.usecases.library import sops
from web.usecases.organization import administration
from web.usecases.pagination import PageRequest
from web.usecases.runtime import durations, integrity
from web.usecases.runtime.outbox import Sender
from web.wiring import build_context


@contextmanager
def _context() -> Iterator[Context]:
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
    with _context() as context:
        filled = durations.backfill(context)
    if filled:
        click.echo(f"Recorded the durations of {filled} steps and requests ended earlier.")
    with _context() as context:
        _summaries(context, only_if_stale=True)


@db.command("summaries")
def db_summaries() -> None:
    """Rebuild the dashboard's per-day summaries from the work items.

    `db upgrade` does this when they miss steps; run it after changing the organization's
    time zone outside Alur, or after importing work items by hand.
    """
    with _context() as context:
        _summaries(context, only_if_stale=False)


@db.command("check")
def db_check() -> None:
    """Check that steps, requests, their history and the summaries agree (read only).

    Run it after an incident (a crash, a restore, rows edited by hand). Exits 1 when it finds
    something, listing each finding; 0 when everything agrees.
    """
    with _context() as context:
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


@main.command("load-processes")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of .bpmn files (default: ALUR_PROCESSES_DIR).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Publish changed files even over a newer version uploaded through the API or modeler.",
)
def load_processes(directory: Path | None, force: bool) -> None:
    """Publish every new or changed SOP in the processes folder; unchanged ones are skipped.

    A file is not published over a newer version that came from elsewhere (API, modeler):
    that version is kept and the command says so; --force publishes the file anyway.
    """
    settings = load_settings()
    folder = directory or Path(settings.processes_dir)
    if not folder.is_dir():
        click.echo(f"Error: {folder} is not a folder.", err=True)
        sys.exit(1)
    with _context() as context:
        results = sops.load_processes(context, folder, force)
    refused = drafts = kept = 0
    for result in results:
        version = f"v{result.version}" if result.version else ""
        click.echo(f"{result.outcome:<10} {result.file:<45} {version}")
        for problem in result.problems:
            click.echo(f"    - [{problem['element_id'] or '-'}] {problem['message']}")
        if result.note:
            click.echo(f"    {result.note}")
        refused += result.outcome == "refused"
        kept += result.outcome == "kept"
        drafts += result.outcome == "draft"
    loaded = len(results) - refused - drafts - kept
    click.echo(
        f"{len(results)} files: {loaded} published or unchanged, {kept} kept a newer version "
        f"from elsewhere, {drafts} kept as drafts (lanes name unknown positions), "
        f"{refused} refused."
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
            value = administration.create_token(context, SYSTEM, username, name)
    except UseCaseError as error:
        _fail(error)
    click.echo(f"Token for {username} (send as 'Authorization: Bearer <token>'):")
    click.echo(value)


def _sender(settings: Settings) -> Sender | None:
    from web.notify import sender_from_settings

    try:
        return sender_from_settings(settings)
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


@main.command("run-timers")
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
    with _context() as context:
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


@main.command("scheduler")
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


@main.group("calendar")
def calendar_group() -> None:
    """Working calendars: time zone, office hours and days off of an organization."""


@calendar_group.command("show")
@click.option("--org", "organization", help="Organization code (default: the first one).")
@click.option("--year", type=int, help="Year of the days off to list (default: this year).")
def calendar_show(organization: str | None, year: int | None) -> None:
    """Print the office hours and every day off of a year, with where each comes from."""
    from web.usecases.organization import calendars

    with _context() as context:
        try:
            view = calendars.get_calendar(
                context, SYSTEM, year or context.clock().year, organization
            )
        except UseCaseError as error:
            _fail(error)
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

    with _context() as context:
        try:
            hours = None
            if days:
                year = context.clock().year
                current = calendars.get_calendar(context, SYSTEM, year, organization).hours
                hours = _apply_days(current, days)
            view = calendars.set_calendar(context, SYSTEM, organization, timezone, hours)
        except UseCaseError as error:
            _fail(error)
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


@main.command("demo")
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
    with _context() as context:
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
            click.echo(_user_line(*user))
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
                _fail(error)
            click.echo("The database already has requests: the simulation is skipped.")
            return
        except UseCaseError as error:
            _fail(error)
    seconds = time_module.perf_counter() - started
    click.echo(
        f"Simulated {counts.started} requests ({counts.completed} completed), "
        f"{counts.work_items} work items, {counts.breaches} breaches of mutu baku, "
        f"{counts.timers_fired} timer escalations in {seconds:.0f} s."
    )
    if counts.redesigned_at:
        click.echo(f"{plan.redesign} was redesigned on {counts.redesigned_at:%Y-%m-%d}.")


@main.command("overlaps")
@click.option(
    "--analyze/--no-analyze",
    default=True,
    show_default=True,
    help="Run the analysis first (library and the last 180 days of work), or only list.",
)
@click.option(
    "--state", type=click.Choice([s.value for s in FlagState]), help="Only flags in this state."
)
@click.option("--kind", help="Only flags of this kind (e.g. repeated_check, bouncing).")
@click.option("--sop", "sop_key", help="Only flags about this SOP (its key).")
@click.option("--all", "include_gone", is_flag=True, help="Also flags no longer found.")
@click.option("--language", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True)
def overlaps_command(
    analyze: bool,
    state: str | None,
    kind: str | None,
    sop_key: str | None,
    include_gone: bool,
    language: str,
    limit: int,
) -> None:
    """Find and list overlapping or unclear responsibilities (tumpang tindih)."""
    with _context() as context:
        try:
            if analyze:
                result = _analyze_overlaps(context)
                kinds = ", ".join(f"{k} {n}" for k, n in sorted(result.by_kind.items()))
                click.echo(
                    f"Analysed {result.sops} SOPs and {result.steps} completed steps: "
                    f"{result.found} flags ({kinds or 'none'}); {result.opened} new, "
                    f"{result.resolved} resolved by a new version, {result.gone} no longer found."
                )
            page = overlaps.list_flags(
                context,
                SYSTEM,
                PageRequest(1, limit),
                state=FlagState(state) if state else None,
                kind=kind,
                sop_key=sop_key,
                include_gone=include_gone,
            )
            summary = overlaps.synergy(context, SYSTEM)
        except UseCaseError as error:
            _fail(error)
    opened = ", ".join(f"{n} {sev}" for sev, n in summary.open_by_severity.items())
    click.echo(
        f"Synergy (no overlapping duties): {'yes' if summary.answer else 'no'} - open: "
        f"{opened}; acknowledged {summary.acknowledged}; resolved {summary.resolved}."
    )
    click.echo(f"{page.total} flags" + (f", the first {limit}:" if page.total > limit else ":"))
    for flag in page.items:
        sops_of = ", ".join(flag.sop_keys.split())
        click.echo(
            f"#{flag.id:<5} {flag.severity.upper():<6} {flag.kind:<22} {flag.state:<12} {sops_of}"
        )
        text = flag.explanation_en if language == "en" else flag.explanation_id
        click.echo(f"       {text}")
        if flag.note:
            click.echo(f"       note: {flag.note}")


def _analyze_overlaps(context: Context) -> "overlaps.AnalysisResult":
    with ExitStack() as stack:
        bars: dict[str, Any] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in bars:
                label = {"library": "SOP library", "work": "Completed steps"}[phase]
                bars[phase] = stack.enter_context(progress(label, total))
            bars[phase](done)

        return overlaps.analyze(context, SYSTEM, report)


@main.command("serve")
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
    with _context() as context:
        present = demo_users(context, path) if path.is_file() else []
    if present:
        banner.append(f"Demo users (password: {settings.demo_password}):")
        banner += [_user_line(*user) for user in present]
    run_server(create_app, host, port, banner)


def _user_line(username: str, full_name: str, role: str, positions: list[str]) -> str:
    return f"  {username:<12} {role:<8} {full_name:<28} {', '.join(positions)}"


@main.command("settings")
def show_settings() -> None:
    """List every setting with its environment variable, default and meaning."""
    for declaration in DECLARATIONS:
        click.echo(f"ALUR_{declaration.name}  (default: {declaration.default})")
        click.echo(f"    {declaration.help}")
