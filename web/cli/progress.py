"""Progress of the long commands: click's redrawn bar on a terminal, plain lines elsewhere.

In a log file, a CI job or `make run | tee`, a redrawn bar is either invisible (click hides
it when the output is not a terminal) or a mess of carriage returns; there a line is printed
every ``EVERY_PERCENT`` percent instead.
"""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

EVERY_PERCENT = 10


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(done)``, to call with the number of items done so far."""
    if sys.stdout.isatty():
        with click.progressbar(length=max(total, 1), label=label) as bar:
            yield lambda done: bar.update(done - bar.pos)
        return
    printed = -EVERY_PERCENT

    def advance(done: int) -> None:
        nonlocal printed
        percent = 100 * done // total if total else 100
        if percent >= printed + EVERY_PERCENT or (percent == 100 and printed < 100):
            printed = percent - percent % EVERY_PERCENT if percent < 100 else 100
            click.echo(f"{label}: {percent}% ({done}/{total})")

    advance(0)
    yield advance
