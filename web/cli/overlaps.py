"""`alur overlaps`: analyse the library and the work for overlapping responsibilities."""

from contextlib import ExitStack
from typing import Any

import click

from storage.models import FlagState
from web.cli.common import command_context, fail
from web.cli.progress import progress
from web.usecases.analysis import overlaps
from web.usecases.context import SYSTEM, Context
from web.usecases.errors import UseCaseError
from web.usecases.pagination import PageRequest


@click.command("overlaps")
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
    with command_context() as context:
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
            fail(error)
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
