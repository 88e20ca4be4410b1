"""Realistic demo data: months of requests driven through the real use cases on a simulated clock.

Requests arrive every working day (more in January and in the weeks before Idul Fitri), officers
claim steps after a while and work on them for a long-tailed time, each officer has a limited
number of minutes a day so queues form, scheduler ticks fire BPMN timers and record breaches,
and halfway through one SOP is redesigned and republished. Everything goes through the same use
cases as the pages and the API; the same seed gives the same data.
"""

import dataclasses
import heapq
import math
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import count

from sqlalchemy import func, select

from engine.calendar import WorkingCalendar
from engine.sop_metadata import Activity
from storage.models import (
    Event,
    Instance,
    InstanceStatus,
    Position,
    Role,
    SopVersion,
    User,
    VersionStatus,
    WorkItem,
    WorkItemStatus,
)
from web.usecases.analysis import overlaps
from web.usecases.analysis.demo_values import DemoValues
from web.usecases.context import SYSTEM, Actor, Context
from web.usecases.errors import Conflict, Invalid, message
from web.usecases.library import sops
from web.usecases.organization.calendars import calendar_of, first_organization
from web.usecases.runtime import breaches, instances, timers, work_items
from web.usecases.runtime.progress import process_of

SEED_FIRST = message(
    "simulation_needs_seed", "Seed the organization (alur demo) before simulating."
)
NOT_FRESH = message(
    "simulation_needs_fresh_database", "The database already has requests; simulate on a fresh one."
)

# Requests per working day of each SOP before seasons; an SOP not listed gets DEFAULT_RATE.
RATES = {
    "surat_keterangan_domisili": 14.0,
    "akta_kelahiran": 16.0,
    "persetujuan_bangunan_gedung": 3.0,
    "disposisi_surat_masuk": 8.0,
    "cuti_pegawai": 3.0,
    "pengaduan_masyarakat": 5.0,
}
DEFAULT_RATE = 2.0
REDESIGNED = "surat_keterangan_domisili"
# Busier before Idul Fitri (letters and documents for the trip home), quiet in its week.
IDUL_FITRI = {2025: date(2025, 3, 31), 2026: date(2026, 3, 20), 2027: date(2027, 3, 10)}
MONTH_FACTOR = {1: 1.3, 6: 0.9, 7: 1.2, 12: 0.8}
WEEKDAY_FACTOR = {0: 1.25, 4: 0.8}
# Officer minutes of real work a day (the rest is meetings, breaks, other duties).
CAPACITY_MINUTES = 300
TARGET_LOAD = 0.8  # mean utilization the arrival rates are scaled to, so peaks form queues
TICK_EVERY = timedelta(hours=1)

Progress = Callable[[int, int, dict[str, int]], None]


class SimulatedClock:
    """The clock of a simulation: moved forward by the simulation, never back."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def move_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


@dataclass(frozen=True)
class Plan:
    start: date
    end: date  # exclusive
    seed: int = 1
    volume: float = 1.0  # scales every arrival rate
    redesign: str | None = REDESIGNED


@dataclass(frozen=True)
class Counts:
    started: int
    completed: int
    work_items: int
    breaches: int
    timers_fired: int
    redesigned_at: datetime | None


@dataclass
class _Officer:
    actor: Actor
    positions: tuple[str, ...]
    speed: float
    left: float = 0.0
    busy_until: datetime | None = None


@dataclass
class _Step:
    id: int
    instance_id: int
    activity: Activity
    position: str
    visible_at: datetime


class _Simulation:
    def __init__(self, ctx: Context, plan: Plan, progress: Progress | None):
        self.plan, self.progress, self.rng = plan, progress, random.Random(plan.seed)
        self.values = DemoValues(random.Random(plan.seed))
        self.calendar = _calendar_of_fresh_database(ctx)
        self.clock = SimulatedClock(datetime.combine(plan.start, time(0), self.calendar.zone))
        self.ctx = dataclasses.replace(ctx, clock=self.clock)
        self.events: list[tuple[datetime, int, str, object]] = []
        self.seq = count()
        self.queues: dict[str, list[_Step]] = defaultdict(list)
        self.known: set[int] = set()
        self.activities: dict[int, dict[str, Activity]] = {}
        self.done = {"started": 0, "steps": 0}
        self.redesigned_at: datetime | None = None
        self._load()

    def _load(self) -> None:
        with self.ctx.transaction() as session:
            self.position_codes = dict(session.execute(select(Position.id, Position.code)).all())
            actors = [Actor.of(u) for u in session.scalars(select(User).order_by(User.username))]
            versions = session.scalars(
                select(SopVersion).where(SopVersion.status == VersionStatus.PUBLISHED)
            ).all()
            self.sops = {v.sop.key: v.sop_metadata for v in versions}
        self.analyst = next((a for a in actors if a.role == Role.ANALYST), SYSTEM)
        self.officers: list[_Officer] = []
        self.holders: dict[str, list[_Officer]] = defaultdict(list)
        for actor in actors:
            codes = tuple(self.position_codes[p] for p in sorted(actor.position_ids))
            officer = _Officer(actor, codes, speed=self.rng.uniform(0.7, 1.4))
            if codes:
                self.officers.append(officer)
            for code in codes:
                self.holders[code].append(officer)
        self.rates = self._calibrated_rates()

    def _mean_work(self, activity: Activity) -> float:
        return min(max(_standard(activity) * 0.35, 3.0), 60.0)

    def _calibrated_rates(self) -> dict[str, float]:
        """Base rates, lowered where a position could not keep up with them on average."""
        rates = {key: RATES.get(key, DEFAULT_RATE) * self.plan.volume for key in self.sops}
        load: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for key, metadata in self.sops.items():
            for activity in metadata["activities"]:
                minutes = self._mean_work(Activity.from_dict(activity)) * 1.3  # lognormal mean
                load[activity["position_code"]][key] += minutes
        for code, per_sop in load.items():
            capacity = len(self.holders[code]) * CAPACITY_MINUTES * TARGET_LOAD
            demand = sum(rates[key] * minutes for key, minutes in per_sop.items())
            if capacity and demand > capacity:
                for key in per_sop:
                    rates[key] *= capacity / demand
        return rates

    # The event loop ------------------------------------------------------------------------

    def push(self, moment: datetime, kind: str, payload: object = None) -> None:
        heapq.heappush(self.events, (moment, next(self.seq), kind, payload))

    def run(self) -> Counts:
        days = [
            self.plan.start + timedelta(days=n)
            for n in range((self.plan.end - self.plan.start).days)
        ]
        days = [day for day in days if self.calendar.is_working_day(day)]
        for number, day in enumerate(days):
            opens, closes = (
                datetime.combine(day, t, self.calendar.zone)
                for t in self.calendar.hours[day.weekday()]
            )
            self.push(opens, "day", (number, day, closes))
        if self.plan.redesign in self.sops and len(days) >= 2:
            middle = days[len(days) // 2]
            opens = self.calendar.hours[middle.weekday()][0]
            self.push(datetime.combine(middle, opens, self.calendar.zone), "redesign")
            # The overlap analysis the evening before, as in a city that runs it nightly: the
            # drafts sent back at the paraf raise the bounce flag the redesign then resolves.
            evening = days[len(days) // 2 - 1]
            closes = self.calendar.hours[evening.weekday()][1]
            self.push(datetime.combine(evening, closes, self.calendar.zone), "overlaps")
        handlers = {
            "day": self._day,
            "arrive": self._arrive,
            "wake": self._wake,
            "finish": self._finish,
            "tick": self._tick,
            "redesign": self._redesign,
            "overlaps": lambda _: overlaps.analyze(self.ctx, self.analyst),
        }
        total = len(days)
        # The period ends at midnight before ``plan.end``: what is still open stays open.
        until = datetime.combine(self.plan.end, time(0), self.calendar.zone)
        while self.events and self.events[0][0] < until:
            moment, _, kind, payload = heapq.heappop(self.events)
            self.clock.move_to(moment)
            handlers[kind](payload)
            if kind == "day" and self.progress:
                self.progress(payload[0], total, self.done)
        if self.progress:
            self.progress(total, total, self.done)
        return self._counts()

    def _day(self, payload: tuple[int, date, datetime]) -> None:
        _, day, closes = payload
        opens = self.clock.now
        for key in sorted(self.rates):
            for _ in range(_poisson(self.rng, self.rates[key] * _season(day))):
                at = opens + (closes - opens - timedelta(minutes=30)) * self.rng.random()
                self.push(at, "arrive", key)
        tick = opens
        while tick <= closes:
            self.push(tick, "tick")
            tick += TICK_EVERY
        for officer in self.officers:
            officer.left = CAPACITY_MINUTES * self.rng.uniform(0.85, 1.1)
            self.push(opens + timedelta(minutes=self.rng.uniform(0, 20)), "wake", officer)

    def _arrive(self, key: str) -> None:
        first = self.sops[key]["activities"][0]["position_code"]
        starter = self.rng.choice(self.holders[first]).actor
        person = self.values.new_applicant(self.clock.now.date())
        instance = instances.start_instance(self.ctx, starter, key, {"pemohon": person.name})
        self.values.remember(instance.id, person)
        self.done["started"] += 1
        self._sync(WorkItem.instance_id == instance.id)

    def _tick(self, _: object) -> None:
        fired = timers.fire_due_timers(self.ctx)
        breaches.record_breaches(self.ctx)
        breaches.warn_at_risk(self.ctx)
        if fired:
            self._sync(WorkItem.ready_at >= self.clock.now)

    def _sync(self, condition: object) -> None:
        """Queue the open steps matching ``condition`` that are not queued yet."""
        with self.ctx.transaction() as session:
            rows = session.execute(
                select(
                    WorkItem.id,
                    WorkItem.instance_id,
                    WorkItem.activity_id,
                    WorkItem.position_id,
                    WorkItem.ready_at,
                    Instance.sop_version_id,
                )
                .join(Instance, Instance.id == WorkItem.instance_id)
                .where(condition, WorkItem.status == WorkItemStatus.OPEN)
                .order_by(WorkItem.id)
            ).all()
            for item_id, instance_id, activity_id, position_id, ready_at, version_id in rows:
                if item_id in self.known:
                    continue
                self.known.add(item_id)
                activity = self._activities(session, version_id)[activity_id]
                # Officers look at their inbox more often for steps with a short standard.
                mean_delay = min(max(_standard(activity) * 0.25, 2.0), 30.0)
                delay = timedelta(minutes=self.rng.expovariate(1 / mean_delay))
                visible = self.calendar.add_working_time(ready_at, delay)
                code = self.position_codes[position_id]
                self.queues[code].append(_Step(item_id, instance_id, activity, code, visible))
                for officer in self.holders[code]:
                    self.push(visible, "wake", officer)

    def _activities(self, session, version_id: int) -> dict[str, Activity]:
        if version_id not in self.activities:
            version = session.get(SopVersion, version_id)
            process = process_of(version, self.ctx.engine_options.allow_script_tasks)
            self.activities[version_id] = process.activities
        return self.activities[version_id]

    def _wake(self, officer: _Officer) -> None:
        now = self.clock.now
        if officer.busy_until and officer.busy_until > now:
            return
        if officer.left <= 0 or self.calendar.next_working_moment(now) != now:
            return  # tomorrow's "day" event wakes them again
        step = self._pick(officer, now)
        if step is None:
            return  # a new step for their position wakes them
        try:
            work_items.claim(self.ctx, officer.actor, step.id)
        except Conflict:  # withdrawn by a timer meanwhile
            self.push(now, "wake", officer)
            return
        work = self._mean_work(step.activity) * officer.speed * self.rng.lognormvariate(0, 0.7)
        work = min(work, 240.0)
        officer.left -= work
        officer.busy_until = self.calendar.add_working_time(now, timedelta(minutes=work))
        self.push(officer.busy_until, "wake", officer)
        finish = officer.busy_until
        if _standard(step.activity) >= 240:
            # Long steps wait on others (a survey, a signature): elapsed time beyond the work.
            lag = _standard(step.activity) * 0.5 * self.rng.lognormvariate(0, 0.9)
            finish = max(finish, self.calendar.add_working_time(now, timedelta(minutes=lag)))
        self.push(finish, "finish", (officer, step))

    def _pick(self, officer: _Officer, now: datetime) -> _Step | None:
        best = None
        for code in officer.positions:
            for step in self.queues[code]:
                if step.visible_at <= now and (best is None or step.visible_at < best.visible_at):
                    best = step
                    break
        if best is not None:
            self.queues[best.position].remove(best)
        return best

    def _finish(self, payload: tuple[_Officer, _Step]) -> None:
        officer, step = payload
        try:
            values = self.values.form(step.activity, step.instance_id, self.clock.now.date())
            work_items.complete(self.ctx, officer.actor, step.id, values)
        except Conflict:  # a timer withdrew the step while the officer worked on it
            return
        self.done["steps"] += 1
        self._sync(WorkItem.instance_id == step.instance_id)

    def _redesign(self, _: object) -> None:
        """Republish the SOP without the Sekretaris Kelurahan's paraf: the lurah checks it."""
        key = self.plan.redesign
        current = sops.get_version(self.ctx, self.analyst, key)
        xml = sops.get_version_bpmn(self.ctx, self.analyst, key, current.number)
        version = sops.upload_version(self.ctx, self.analyst, without_paraf(xml).encode("utf-8"))
        sops.publish_version(self.ctx, self.analyst, key, version.number)
        self.sops[key] = version.sop_metadata
        self.redesigned_at = self.clock.now

    def _counts(self) -> Counts:
        with self.ctx.transaction() as session:

            def number(query) -> int:
                return session.scalar(select(func.count()).select_from(query.subquery()))

            return Counts(
                started=number(select(Instance.id)),
                completed=number(
                    select(Instance.id).where(Instance.status == InstanceStatus.COMPLETED)
                ),
                work_items=number(select(WorkItem.id)),
                breaches=number(select(WorkItem.id).where(WorkItem.breached_at.is_not(None))),
                timers_fired=number(select(Event.id).where(Event.type == "timer_fired")),
                redesigned_at=self.redesigned_at,
            )


def _calendar_of_fresh_database(ctx: Context) -> WorkingCalendar:
    """The working calendar of the (first) organization, once sure there are no requests yet."""
    with ctx.transaction() as session:
        organization = first_organization(session)
        if organization is None:
            raise Invalid(SEED_FIRST)
        if session.scalar(select(func.count()).select_from(Instance)):
            raise Conflict(NOT_FRESH)
        return calendar_of(ctx, organization)


def simulate(ctx: Context, plan: Plan, progress: Progress | None = None) -> Counts:
    """Run ``plan`` on a database with the organization and the SOP library but no requests.

    :raises Conflict: the database already has requests.
    """
    return _Simulation(ctx, plan, progress).run()


def _standard(activity: Activity) -> int:
    """The activity's time standard in working minutes (30 when it has none)."""
    return activity.time_standard.total_minutes_estimate if activity.time_standard else 30


def _season(day: date) -> float:
    factor = MONTH_FACTOR.get(day.month, 1.0) * WEEKDAY_FACTOR.get(day.weekday(), 1.0)
    lebaran = IDUL_FITRI.get(day.year)
    if lebaran is not None:
        before = (lebaran - day).days
        if 0 < before <= 21:
            factor *= 1.5
        elif -7 <= before <= 0:
            factor *= 0.4
    return factor


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, n, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        n += 1
        product *= rng.random()
    return n


def _replace_once(xml: str, pattern: str, replacement: str) -> str:
    changed, n = re.subn(pattern, replacement, xml, count=1, flags=re.DOTALL)
    if n != 1:
        raise ValueError(f"The SOP to redesign no longer matches {pattern!r}.")
    return changed


def without_paraf(xml: str) -> str:
    """surat_keterangan_domisili with the step 'paraf_konsep' and its check removed."""
    for element in (
        r'<bpmn:userTask id="paraf_konsep".*?</bpmn:userTask>',
        r'<bpmn:exclusiveGateway id="gw_konsep_disetujui".*?</bpmn:exclusiveGateway>',
        r'<bpmn:sequenceFlow id="flow_ke_cek_konsep"[^>]*/>',
        r'<bpmn:sequenceFlow id="flow_konsep_diperbaiki".*?</bpmn:sequenceFlow>',
        r'<bpmn:sequenceFlow id="flow_konsep_disetujui"[^>]*/>',
        r"<bpmn:flowNodeRef>paraf_konsep</bpmn:flowNodeRef>",
        r"<bpmn:flowNodeRef>gw_konsep_disetujui</bpmn:flowNodeRef>",
        r"<bpmn:incoming>flow_konsep_diperbaiki</bpmn:incoming>",
        r'<bpmndi:BPMNShape id="paraf_konsep_di".*?</bpmndi:BPMNShape>',
        r'<bpmndi:BPMNShape id="gw_konsep_disetujui_di".*?</bpmndi:BPMNShape>',
        r'<bpmndi:BPMNEdge id="flow_ke_cek_konsep_di".*?</bpmndi:BPMNEdge>',
        r'<bpmndi:BPMNEdge id="flow_konsep_diperbaiki_di".*?</bpmndi:BPMNEdge>',
        r'<bpmndi:BPMNEdge id="flow_konsep_disetujui_di".*?</bpmndi:BPMNEdge>',
    ):
        xml = _replace_once(xml, r"\s*" + element, "")
    xml = _replace_once(
        xml,
        r'(<bpmn:sequenceFlow id="flow_ke_paraf"[^>]*)targetRef="paraf_konsep"',
        r'\1targetRef="tandatangan_lurah"',
    )
    xml = _replace_once(
        xml,
        r"<bpmn:incoming>flow_konsep_disetujui</bpmn:incoming>",
        "<bpmn:incoming>flow_ke_paraf</bpmn:incoming>",
    )
    return _replace_once(
        xml,
        r'(<bpmndi:BPMNEdge id="flow_ke_paraf_di"[^>]*>).*?(</bpmndi:BPMNEdge>)',
        r'\1<di:waypoint x="1215" y="160"/><di:waypoint x="1325" y="160"/>'
        r'<di:waypoint x="1325" y="640"/><di:waypoint x="1605" y="640"/>\2',
    )
