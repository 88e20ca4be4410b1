"""Time of `alur demo --months N` (default 1) on a throw-away SQLite file.

Runs the real command (migrate, seed, load the library, simulate) in a child process, once per
checkout given, so figures before and after a change come from the same machine in one run.
Prints the requests simulated, the seconds of the whole command and the requests per second.

Usage: python bench/demo.py [--months N] [--seed S] [CHECKOUT ...]  (default: this checkout)
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SIMULATED = re.compile(r"Simulated (\d+) requests")


def bench(checkout: Path, months: int, seed: int) -> tuple[int, float]:
    """Requests simulated and seconds of `alur db upgrade` then `alur demo` in ``checkout``."""
    with tempfile.TemporaryDirectory() as folder:
        env = dict(
            os.environ,
            ALUR_DATABASE_URL=f"sqlite:///{folder}/demo.sqlite",
            ALUR_PROCESSES_DIR=str(checkout / "processes"),
            PYTHONPATH=str(checkout),
        )
        started = time.perf_counter()
        for args in (["db", "upgrade"], ["demo", "--months", str(months), "--seed", str(seed)]):
            done = subprocess.run(
                [sys.executable, "-c", "from web.cli import main; main()", *args],
                cwd=checkout,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
        seconds = time.perf_counter() - started
    found = SIMULATED.search(done.stdout)
    if found is None:
        raise SystemExit(f"No simulation summary in the output of {checkout}:\n{done.stdout}")
    return int(found.group(1)), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=1, help="months to simulate")
    parser.add_argument("--seed", type=int, default=1, help="seed of the simulation")
    parser.add_argument("checkouts", nargs="*", type=Path, default=[HERE])
    args = parser.parse_args()
    print(f"{'checkout':40} {'requests':>9} {'seconds':>8} {'requests/s':>11}")
    for checkout in args.checkouts:
        requests, seconds = bench(checkout.resolve(), args.months, args.seed)
        print(f"{checkout!s:40} {requests:9d} {seconds:8.1f} {requests / seconds:11.1f}")


if __name__ == "__main__":
    main()
