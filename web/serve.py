"""`alur serve`: the app under gunicorn, started from Python, announcing itself once listening."""

import sys
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

# Two processes of four threads: a page waiting on the database does not block the others,
# and a crashed worker is replaced. Production deployments tune gunicorn themselves.
WORKERS = 2
THREADS = 4


class _Gunicorn(BaseApplication):
    """gunicorn without its command line: the options come from `alur serve`."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]):
        self.factory, self.options = factory, options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        # Each worker builds its own app after the fork: no database connection is shared.
        return self.factory()


def serve(factory: Callable[[], Flask], host: str, port: int, banner: Sequence[str]) -> None:
    """Serve until SIGTERM/Ctrl-C; ``banner`` is printed once the socket listens, as the last
    lines (gunicorn's own start-up lines are silenced, its warnings and errors are not)."""

    def when_ready(_server: object) -> None:
        print("\n".join(banner), flush=True)

    options = {
        "bind": f"{host}:{port}",
        "workers": WORKERS,
        "threads": THREADS,
        "worker_class": "gthread",
        "loglevel": "warning",
        "when_ready": when_ready,
    }
    _Gunicorn(factory, options).run()
    sys.exit(0)
