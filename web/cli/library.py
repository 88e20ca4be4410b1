"""`alur load-processes`: publish the SOP library's BPMN files."""

import sys
from pathlib import Path

import click

from web.cli.common import command_context
from web.settings import load_settings
from web.usecases.library import sops


@click.command("load-processes")
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
    with command_context() as context:
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
