"""Browser tests: the real app served on a local port, driven by Playwright in Debian's chromium.

The app runs on a SQLite file (its own database, emptied after each test); the database
layer itself is tested on both backends elsewhere. In CI (``ALUR_REQUIRE_BROWSER=1``) a
missing chromium fails the run instead of skipping it.
"""

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from storage.migrate import upgrade
from tests.conftest import _empty_tables
from web.app import create_app
from web.usecases.demo import seed_organization
from web.usecases.library import sops

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
DEMO_PASSWORD = "sandi-demo-uji"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = _chromium()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("ALUR_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'alur.sqlite'}"
    upgrade(url)
    return url


@contextmanager
def _served(db_url: str, instance_path: Path) -> Iterator[Flask]:
    """The app with the demo organization and the SOP library, served on a free port;
    its tables are emptied afterwards."""
    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(instance_path)})
    context = app.extensions["alur"]["context"]
    seed_organization(context, PROCESSES / "demo_organization.json", DEMO_PASSWORD)
    sops.load_processes(context, PROCESSES)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        engine = app.extensions["alur"]["engine"]
        _empty_tables(engine)
        engine.dispose()


@pytest.fixture
def live_app(browser_db_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A live app of its own for one test (tests that change data)."""
    with _served(browser_db_url, tmp_path) as app:
        yield app


@pytest.fixture(scope="module")
def module_app(browser_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One live app shared by a module's tests that only read, so that they stay fast."""
    with _served(browser_db_url, tmp_path_factory.mktemp("instance")) as app:
        yield app


def open_context(browser, app: Flask, width: int = 1366, height: int = 768):
    """A fresh browser context (own cookies) on ``app`` with a viewport of that size."""
    return browser.new_context(
        base_url=app.config["LIVE_URL"], viewport={"width": width, "height": height}
    )


@pytest.fixture
def new_page(browser, live_app):
    """Open a fresh browser context (own cookies) on the live app: ``new_page()``."""
    contexts = []

    def open_page():
        context = open_context(browser, live_app)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
