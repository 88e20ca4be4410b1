"""`alur scheduler` as real processes: restarts, and two schedulers sharing one database."""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import create_engine, select

from storage.db import unit_of_work
from storage.models import Event, scheduler_jobs
from tests.factories.bpmn import SopSpec, Step, boundary_timer, build, flow
from tests.web.conftest import publish
from web.scheduler import JOB_ID
from web.usecases.runtime import instances

ROOT = Path(__file__).resolve().parents[2]


def test_the_job_table_is_the_one_apscheduler_declares():
    theirs = SQLAlchemyJobStore(engine=create_engine("sqlite://")).jobs_t
    assert [(c.name, repr(c.type), c.primary_key, c.nullable) for c in theirs.columns] == [
        (c.name, repr(c.type), c.primary_key, c.nullable) for c in scheduler_jobs.columns
    ]
    assert [i.name for i in theirs.indexes] == [i.name for i in scheduler_jobs.indexes]


def reminding_sop() -> bytes:
    """terima (staf, 1 jam); after 2 hours a non-interrupting timer also opens tegur (kepala)."""
    steps = [Step("terima", time="1 jam"), Step("tegur", lane="kepala", chained=False)]
    extra = (
        boundary_timer("batas", "terima", "PT2H", interrupting=False)
        + '<bpmn:endEvent id="akhir_tegur"/>'
        + flow("batas", "tegur")
        + flow("tegur", "akhir_tegur")
    )
    return build(SopSpec(key="pengingat_uji", steps=steps, extra=extra))


def start_overdue_requests(ctx, org, clock, count: int) -> list[int]:
    """``count`` requests started ten days ago: their timers and first steps are long due."""
    clock.now = datetime.now(UTC) - timedelta(days=10)
    key = publish(ctx, reminding_sop())
    return [
        instances.start_instance(ctx, org.actor("ani"), key, {"nomor": n}).id for n in range(count)
    ]


class Scheduler:
    """One `alur scheduler` process on the test database, its log in a file."""

    def __init__(self, db_url: str, folder: Path, name: str, interval: int = 1):
        self.log = folder / f"{name}.log"
        env = {
            **os.environ,
            "ALUR_DATABASE_URL": db_url,
            "ALUR_INSTANCE_PATH": str(folder),
            "ALUR_SECRET_KEY": "uji-scheduler",
            "ALUR_NOTIFY_VIA": "off",
            "ALUR_LOG_LEVEL": "INFO",
        }
        command = [sys.executable, "-c", "from web.cli import main; main()", "scheduler"]
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [*command, "--interval", str(interval)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def ticks_with_work(self) -> int:
        return len(re.findall(r" \d+ tick: ", self.log.read_text()))


def events_of(ctx, type_: str) -> list[Event]:
    with unit_of_work(ctx.sessions) as session:
        return list(session.scalars(select(Event).where(Event.type == type_)))


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def job_ids(ctx) -> list[str]:
    with unit_of_work(ctx.sessions) as session:
        return list(session.scalars(select(scheduler_jobs.c.id)))


def test_a_timer_that_came_due_while_no_scheduler_ran_fires_when_one_starts(
    ctx, org, clock, db_url, tmp_path
):
    first = Scheduler(db_url, tmp_path, "first")
    try:
        assert wait_until(lambda: job_ids(ctx) == [JOB_ID], 10), first.log.read_text()
    finally:
        assert first.stop() == 0, first.log.read_text()

    # Meanwhile, with no scheduler running, a request's timer and its first step come due.
    [instance_id] = start_overdue_requests(ctx, org, clock, 1)
    assert not events_of(ctx, "timer_fired")

    second = Scheduler(db_url, tmp_path, "second", interval=3600)
    try:
        fired = wait_until(lambda: len(events_of(ctx, "timer_fired")) == 1, 10)
        breached = wait_until(lambda: len(events_of(ctx, "work_item_breached")) == 1, 5)
    finally:
        assert second.stop() == 0, second.log.read_text()
    assert fired and breached, second.log.read_text()
    assert [e.instance_id for e in events_of(ctx, "timer_fired")] == [instance_id]
    assert job_ids(ctx) == [JOB_ID]


@pytest.mark.postgres_only
def test_two_schedulers_fire_each_timer_and_record_each_breach_once(
    ctx, org, clock, db_url, tmp_path
):
    count = 40
    started = set(start_overdue_requests(ctx, org, clock, count))

    schedulers = [Scheduler(db_url, tmp_path, name) for name in ("a", "b")]
    try:
        done = wait_until(
            lambda: (
                len(events_of(ctx, "timer_fired")) >= count
                and len(events_of(ctx, "work_item_breached")) >= count
            ),
            15,
        )
        time.sleep(2)  # two more ticks each: room for any double firing to show
    finally:
        codes = [s.stop() for s in schedulers]
    logs = "\n".join(s.log.read_text() for s in schedulers)
    assert done and codes == [0, 0], logs

    fired = Counter(e.instance_id for e in events_of(ctx, "timer_fired"))
    breached = Counter(e.work_item_id for e in events_of(ctx, "work_item_breached"))
    assert set(fired) == started and set(fired.values()) == {1}
    assert len(breached) == count and set(breached.values()) == {1}
    assert "Traceback" not in logs
    print("ticks with work per scheduler:", [s.ticks_with_work() for s in schedulers])
