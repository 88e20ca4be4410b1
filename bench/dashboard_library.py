"""The dashboard benchmark's organization and SOP library: each database is migrated, seeded
with the demo organization and the SOP library, one SOP republished as a second version, and
read back as what the row generator needs (bench/dashboard.py).
"""

import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from engine.calendar import WorkingCalendar
from engine.sop_metadata import Activity
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import Organization, Position, Sop, SopVersion, User, VersionStatus
from storage.models.organization import user_position
from web.usecases.analysis.simulation import REDESIGNED, without_paraf
from web.usecases.context import SYSTEM, Context
from web.usecases.demo import seed_organization
from web.usecases.library import sops
from web.usecases.organization.calendars import calendar_of

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
DAYS = 365
# Office time: waiting is a share of the standard (times a per-activity slowness, so some
# activities are bottlenecks), handling follows the simulation's minutes of real work
# (their spreads: dashboard_rows).
WAIT_SHARE = 0.25
REDESIGN_SPEEDUP = 0.75  # the redesigned version's steps wait less


@dataclass(frozen=True)
class Step:
    """One activity of one SOP version, as the generator needs it."""

    activity_id: str
    name: str
    lane: str | None
    position_id: int
    unit_id: int
    activity: Activity
    wait_median: float  # office seconds
    handle_median: float


@dataclass(frozen=True)
class Version:
    id: int
    number: int
    sop_id: int
    key: str
    prefix: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Library:
    versions: dict[str, tuple[Version, ...]]  # SOP key -> versions, oldest first
    holders: dict[int, tuple[int, ...]]  # position id -> active users holding it
    redesigned_at: datetime

    def signature(self) -> tuple:
        """What the generated rows depend on: equal in every database, or the rows differ."""
        return (
            sorted(
                (v.key, v.id, v.sop_id, [(s.activity_id, s.position_id) for s in v.steps])
                for versions in self.versions.values()
                for v in versions
            ),
            sorted(self.holders.items()),
        )


def setup(url: str, now: datetime) -> tuple[Engine, Context, WorkingCalendar]:
    """Migrate, seed the demo organization, load the library and redesign one SOP."""
    migrate.upgrade(url)
    engine = make_engine(url)
    ctx = Context(make_session_factory(engine))
    year_ago = now - timedelta(days=DAYS + 1)
    seed_organization(
        dataclasses.replace(ctx, clock=lambda: year_ago),
        PROCESSES / "demo_organization.json",
        "bench",
    )
    loaded = sops.load_processes(dataclasses.replace(ctx, clock=lambda: year_ago), PROCESSES)
    refused = [r.file for r in loaded if r.outcome not in ("published", "unchanged")]
    assert not refused, f"SOP files not published: {refused}"
    halfway = dataclasses.replace(ctx, clock=lambda: now - timedelta(days=DAYS // 2))
    xml = sops.get_version_bpmn(halfway, SYSTEM, REDESIGNED, 1)
    version = sops.upload_version(halfway, SYSTEM, without_paraf(xml).encode("utf-8"))
    sops.publish_version(halfway, SYSTEM, REDESIGNED, version.number)
    with ctx.transaction() as session:
        organization = session.scalars(select(Organization).order_by(Organization.id)).first()
        calendar = calendar_of(ctx, organization)
    return engine, ctx, calendar


def read_library(ctx: Context, seed: int) -> Library:
    rng = random.Random(seed)
    with ctx.transaction() as session:
        positions = {
            code: (pid, unit_id)
            for pid, code, unit_id in session.execute(
                select(Position.id, Position.code, Position.unit_id)
            )
        }
        holders: dict[int, list[int]] = {}
        for position_id, user_id in session.execute(
            select(user_position.c.position_id, user_position.c.user_id)
            .join(User, User.id == user_position.c.user_id)
            .where(User.is_active.is_(True))
            .order_by(user_position.c.position_id, user_position.c.user_id)
        ):
            holders.setdefault(position_id, []).append(user_id)
        versions: dict[str, list[Version]] = {}
        redesigned_at = None
        rows = session.scalars(
            select(SopVersion)
            .where(SopVersion.status.in_([VersionStatus.PUBLISHED, VersionStatus.RETIRED]))
            .order_by(SopVersion.sop_id, SopVersion.number)
        ).all()
        slowness: dict[tuple[str, str], float] = {}
        for version in rows:
            sop = session.get(Sop, version.sop_id)
            steps = []
            for data in version.sop_metadata["activities"]:
                activity = Activity.from_dict(data)
                position_id, unit_id = positions[activity.position_code]
                standard = activity.time_standard
                minutes = standard.total_minutes_estimate if standard else 30
                slow = slowness.setdefault((sop.key, activity.id), rng.lognormvariate(0, 0.5))
                if version.number > 1:
                    slow *= REDESIGN_SPEEDUP
                steps.append(
                    Step(
                        activity.id,
                        activity.name,
                        activity.lane_id,
                        position_id,
                        unit_id,
                        activity,
                        wait_median=max(120.0, WAIT_SHARE * minutes * 60 * slow),
                        handle_median=min(max(minutes * 0.35, 3.0), 60.0) * 60,
                    )
                )
            versions.setdefault(sop.key, []).append(
                Version(
                    version.id, version.number, sop.id, sop.key, sop.reference_prefix, tuple(steps)
                )
            )
            if version.number > 1:
                redesigned_at = version.published_at
    assert redesigned_at is not None, "the redesigned SOP has no second version"
    return Library(
        {key: tuple(found) for key, found in versions.items()},
        {pid: tuple(users) for pid, users in holders.items()},
        redesigned_at,
    )
