"""`alur serve`: a production server whose last lines are the address and the demo users."""

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

PROCESSES = Path(__file__).resolve().parents[3] / "processes"
ALUR = [sys.executable, "-c", "from web.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def tiny_database(tmp_path) -> dict[str, str]:
    """The environment of a SQLite database holding only the demo organization."""
    env = {
        **os.environ,
        "ALUR_DATABASE_URL": f"sqlite:///{tmp_path / 'alur.db'}",
        "ALUR_INSTANCE_PATH": str(tmp_path),
        "ALUR_PROCESSES_DIR": str(PROCESSES),
    }
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([*ALUR, *command], env=env, check=True, capture_output=True, timeout=120)
    return env


def _read_until(server: subprocess.Popen, last: str, seconds: float) -> list[str]:
    """The server's output lines up to the one containing ``last``; a thread reads the pipe
    so that a server printing nothing fails the test instead of blocking it."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in server.stdout], daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            break
        seen.append(line.rstrip("\n"))
        if last in line:
            return seen
    raise AssertionError(f"{last!r} never printed; got {seen}")


def test_serve_prints_the_address_then_the_demo_users_last_once_it_listens(tiny_database):
    port = _free_port()
    users = json.loads((PROCESSES / "demo_organization.json").read_text())["users"]
    server = subprocess.Popen(
        [*ALUR, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=tiny_database,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = _read_until(server, users[-1]["username"], seconds=120)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=60) as page:
            assert page.status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=60)

    address = f"http://127.0.0.1:{port}/"
    start = next(i for i, line in enumerate(lines) if address in line)
    listed = lines[start + 1 :]
    assert "sukamaju2026" in listed[0]  # the demo password, once, above the users
    for user, line in zip(users, listed[1:], strict=True):
        assert line.split()[0] == user["username"]
        assert user["role"] in line and user["full_name"] in line
        assert all(code in line for code in user["positions"])
    assert "development server" not in errors.lower()
