"""The job store of the scheduler process (APScheduler 3's SQLAlchemyJobStore).

APScheduler creates this table itself when it is missing; it is declared here, exactly as
APScheduler 3 declares it, so that migrations create it and the schema stays whole (the
models-equal-migrations test covers it, and tests/web/test_scheduler.py checks it still matches
APScheduler's own definition).
"""

from sqlalchemy import Column, Float, LargeBinary, Table, Unicode

from storage.models.base import Base

SCHEDULER_JOBS_TABLE = "apscheduler_jobs"

scheduler_jobs = Table(
    SCHEDULER_JOBS_TABLE,
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
