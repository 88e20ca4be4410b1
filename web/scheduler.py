"""The scheduler process: APScheduler 3 firing due BPMN timers at a fixed interval."""

import logging

from apscheduler.schedulers.blocking import BlockingScheduler

from web.usecases import timers
from web.usecases.context import Context

log = logging.getLogger(__name__)


def run_scheduler(context: Context, interval_seconds: int) -> None:
    """Block, firing due timers every ``interval_seconds``; several processes may run at once."""

    def tick() -> None:
        fired = timers.fire_due_timers(context)
        if fired:
            log.info("woke %d requests by their timers", fired)

    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        "interval",
        seconds=interval_seconds,
        id="fire_due_timers",
        max_instances=1,
        coalesce=True,
        next_run_time=None,
    )
    tick()
    scheduler.start()
