"""The scheduler process: APScheduler 3 running Alur's tick at a fixed interval.

One tick wakes the requests whose BPMN timers are due, records the steps that breached their
time standard, queues at-risk reminders, and delivers queued reminders when delivery is on.

The job (its interval and next run) lives in the database, in APScheduler's
SQLAlchemyJobStore table ``apscheduler_jobs``, so a restarted scheduler knows it was due and
ticks at once. APScheduler 3 does not coordinate several schedulers sharing a job store (each
may run the job); Alur's correctness never depends on it. Every part of a tick is safe in
several processes at once: requests, steps and reminders are taken under row locks (SKIP
LOCKED on PostgreSQL) and marked by conditional updates, so each timer fires once and each
breach is recorded once however many schedulers run.
"""

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from sqlalchemy import Engine

from storage.models import SCHEDULER_JOBS_TABLE
from web.usecases.context import Context
from web.usecases.runtime import breaches, outbox, timers
from web.usecases.runtime.outbox import Sender

JOB_ID = "alur_tick"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickReport:
    """What one tick did, and how long it took."""

    fired: int = 0
    breached: int = 0
    warned: int = 0
    sent: int = 0
    failed: int = 0
    errors: int = 0
    seconds: float = 0.0

    def __add__(self, other: "TickReport") -> "TickReport":
        return TickReport(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def busy(self) -> bool:
        return any((self.fired, self.breached, self.warned, self.sent, self.failed, self.errors))


def _guarded(name: str, phase: Callable[[], Any], default: Any) -> tuple[Any, int]:
    """Run one phase; a failure is logged and leaves the other phases running."""
    try:
        return phase(), 0
    except Exception:
        log.exception("scheduler: %s failed", name)
        return default, 1


def run_tick(ctx: Context, sender: Sender | None = None) -> TickReport:
    """One tick: timers, breaches, at-risk reminders, then delivery (when ``sender``)."""
    started = time.perf_counter()
    fired, e1 = _guarded("firing timers", lambda: timers.fire_due_timers(ctx), 0)
    breached, e2 = _guarded("recording breaches", lambda: breaches.record_breaches(ctx), 0)
    warned, e3 = _guarded("warning at-risk steps", lambda: breaches.warn_at_risk(ctx), 0)
    delivery, e4 = (
        _guarded("delivering reminders", lambda: outbox.deliver_due(ctx, sender), outbox.Delivery())
        if sender
        else (outbox.Delivery(), 0)
    )
    return TickReport(
        fired,
        breached,
        warned,
        delivery.sent,
        delivery.failed,
        e1 + e2 + e3 + e4,
        time.perf_counter() - started,
    )


# The wiring of this process. The job store keeps only the reference "web.scheduler:tick"
# (never a database URL or a password); each scheduler process supplies its own wiring.
_wiring: dict[str, Any] = {}


def tick() -> None:
    """The persisted job: one tick with this process's wiring."""
    report = run_tick(_wiring["context"], _wiring.get("sender"))
    if report.busy:
        log.info(
            "tick: %d timers fired, %d breaches, %d at risk, %d sent, %d failed, "
            "%d errors in %.3f s",
            report.fired,
            report.breached,
            report.warned,
            report.sent,
            report.failed,
            report.errors,
            report.seconds,
        )


class _Scheduler(BackgroundScheduler):
    """APScheduler 3's background scheduler, without its last round after a shutdown.

    Its thread wakes once more when shut down and submits the due job to the executor that
    was just shut down, logging a traceback for nothing (APScheduler 3.11). That round is
    skipped here (APScheduler is pinned below 4, whose API is different anyway).
    """

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


def build_scheduler(engine: Engine, interval_seconds: int) -> BackgroundScheduler:
    """A scheduler whose one job, the tick, is stored in the database of ``engine``."""
    scheduler = _Scheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=SCHEDULER_JOBS_TABLE)},
        # However late (a scheduler stopped for a weekend), missed ticks run once, at start.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
    scheduler.add_job(
        f"{__name__}:tick",
        "interval",
        seconds=interval_seconds,
        id=JOB_ID,
        name="Alur: timers, breaches, reminders",
        replace_existing=True,
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def run_scheduler(
    context: Context, engine: Engine, interval_seconds: int, sender: Sender | None = None
) -> None:
    """Tick every ``interval_seconds`` until SIGTERM or Ctrl-C; several processes may run.

    A stop lets the tick in progress finish its transactions first. The scheduler runs in its
    own thread and the signal handlers only raise a flag: stopping inside a handler could
    happen while the interrupted thread holds a database transaction the tick waits for.
    """
    _wiring.update(context=context, sender=sender)
    # A line per job run and per task state drowns what matters; their warnings still show.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    logging.getLogger("spiff").setLevel(logging.WARNING)
    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler = build_scheduler(engine, interval_seconds)
    scheduler.start()
    log.info(
        "scheduler: ticking every %d s; delivery %s",
        interval_seconds,
        type(sender).__name__ if sender else "off",
    )
    stopping.wait()
    log.info("scheduler: stopping after the tick in progress")
    scheduler.shutdown(wait=True)
