"""A known log of requests for the dashboard tests, run through the same use cases as the app.

Two SOPs run over three weeks of August 2026 in Kota Uji (Asia/Jakarta; Monday 17 August,
Independence Day, is a day off):

- izin, "Izin Usaha": terima (staf) -> periksa (kepala) -> arsip (staf of Dinas Lain, another
  unit). Version 1 has standards 2 jam / 1 hari / 30 menit; version 2, published on
  Wednesday 12 August, 1 jam / 4 jam / 30 menit.
- surat, "Surat Keterangan": terima (staf, asks "lengkap?"), then setujui (kepala) directly,
  or lengkapi (staf, 1 hari) first when the file is incomplete.

Steps are claimed and completed at chosen local times: on time and late, across nights,
weekends and the holiday, some left open, one request cancelled, one started before August,
one started and ended exactly at midnight between two weeks.
The breach sweep runs once at the end (NOW), as the scheduler would have.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.calendar import WorkingCalendar
from storage.models import (
    Instance,
    Organization,
    Position,
    Sop,
    SopVersion,
    Unit,
    User,
    WorkItem,
    WorkItemStatus,
)
from tests.factories.bpmn import SopSpec, Step, build, flow, gateway
from tests.web.conftest import Org, publish
from web.usecases.context import Context
from web.usecases.organization.calendars import calendar_of
from web.usecases.runtime import breaches, instances, work_items

WIB = ZoneInfo("Asia/Jakarta")
LANES = {"staf": "UJI-STAF", "kepala": "UJI-KEPALA", "lain": "LAIN-STAF"}
LENGKAP = '<sop:field name="lengkap" type="boolean" required="true"/>'


def t(moment: str) -> datetime:
    """'08-03 08:00' -> that local moment of 2026 in WIB, as UTC."""
    local = datetime.strptime(f"2026-{moment}", "%Y-%m-%d %H:%M").replace(tzinfo=WIB)
    return local.astimezone(UTC)


def _named(data: bytes, name: str) -> bytes:
    return data.replace(b'name="SOP Uji"', f'name="{name}"'.encode())


def izin_sop(terima: str, periksa: str) -> bytes:
    steps = [
        Step("terima", time=terima),
        Step("periksa", lane="kepala", time=periksa),
        Step("arsip", lane="lain", time="30 menit"),
    ]
    return _named(build(SopSpec(key="izin", steps=steps, lanes=LANES)), "Izin Usaha")


def surat_sop() -> bytes:
    steps = [
        Step("terima", time="1 jam", fields=LENGKAP),
        Step("lengkapi", time="1 hari"),
        Step("setujui", lane="kepala", time="2 jam"),
    ]
    extra = (
        '<bpmn:startEvent id="mulai"/><bpmn:endEvent id="selesai"/>'
        + gateway("cek", default="f_kurang")
        + flow("mulai", "terima")
        + flow("terima", "cek")
        + flow("cek", "setujui", "lengkap == True", flow_id="f_lengkap")
        + flow("cek", "lengkapi", flow_id="f_kurang")
        + flow("lengkapi", "setujui")
        + flow("setujui", "selesai")
    )
    spec = SopSpec(key="surat", steps=steps, lanes=LANES, chain=False, extra=extra)
    return _named(build(spec), "Surat Keterangan")


PUBLISHED = "07-30 08:00"
IZIN_V2 = "08-12 06:00"
NOW = "08-26 12:00"
# The calendar's days off in August 2026 (checked against it by a test): Independence Day
# and Maulid Nabi.
DAYS_OFF = (date(2026, 8, 17), date(2026, 8, 25))
# Three whole weeks, Monday 3 to Sunday 23 August: the period most tests look at.
THREE_WEEKS = (date(2026, 8, 3), date(2026, 8, 23))

# label: the SOP, when and by whom the request started ("lengkap" or "kurang" is the answer
# of surat's terima), then its steps as "activity claimed | completed | officer", in the
# order they open; "-" for a claim skipped (completed straight away) or a step left open.
REQUESTS: dict[str, list[str]] = {
    "A1": [
        "izin 08-03 08:00 ani",
        "terima 08-03 08:30 | 08-03 09:30 | ani",
        "periksa 08-03 13:00 | 08-04 09:00 | citra",
        "arsip 08-04 10:00 | 08-04 15:00 | dedi",
    ],
    "A2": [
        "izin 08-04 15:00 budi",
        "terima 08-04 15:30 | 08-05 08:00 | budi",
        "periksa 08-05 10:00 | 08-06 14:00 | citra",
        "arsip 08-06 14:30 | 08-07 16:00 | dedi",
    ],
    "A3": [
        "izin 08-07 14:00 ani",
        "terima 08-07 15:00 | 08-10 08:30 | ani",  # Friday 15:00 -> Monday 08:30
        "periksa 08-10 09:00 | 08-10 11:00 | citra",
        "arsip 08-10 13:00 | 08-11 15:00 | dedi",
    ],
    "A4": [
        "izin 08-10 10:00 budi",
        "terima 08-10 10:15 | 08-10 11:00 | budi",
        "periksa 08-10 13:00 | 08-11 10:00 | citra",
        "arsip 08-11 15:30 | 08-12 15:00 | dedi",
    ],
    "A5": [
        "izin 08-11 09:00 ani",
        "terima 08-11 09:05 | 08-11 09:50 | ani",
        "periksa 08-11 14:00 | - | citra",
    ],
    "A6": [
        "izin 08-12 08:00 ani",
        "terima 08-12 08:10 | 08-12 08:40 | ani",
        "periksa 08-12 09:00 | 08-12 11:00 | citra",
        "arsip 08-12 13:00 | 08-13 10:00 | dedi",
    ],
    "A7": [
        "izin 08-13 09:00 budi",
        "terima 08-13 09:30 | 08-13 10:00 | budi",
        "periksa 08-13 10:30 | 08-13 12:00 | citra",
        "arsip 08-13 14:00 | 08-14 16:00 | dedi",
    ],
    "A8": [
        "izin 08-14 15:00 ani",
        "terima 08-14 15:30 | 08-18 08:00 | ani",  # over the weekend and the holiday
        "periksa 08-18 09:00 | 08-18 10:00 | citra",
        "arsip 08-18 10:30 | 08-18 11:30 | dedi",
    ],
    "A9": [
        "izin 08-19 10:00 budi",
        "terima - | 08-19 10:40 | budi",
        "periksa 08-20 08:00 | 08-20 09:00 | citra",
        "arsip - | - | dedi",
    ],
    "A10": [
        "izin 08-21 13:00 ani",
        "terima 08-21 13:30 | 08-21 14:00 | ani",
        "periksa 08-21 15:00 | 08-24 08:00 | citra",
        "arsip 08-24 08:10 | 08-24 08:25 | dedi",
    ],
    "A11": [
        "izin 08-24 09:00 ani",
        "terima 08-24 09:10 | - | ani",
    ],
    "A12": [
        "izin 08-13 11:00 budi",
        "terima 08-13 11:30 | 08-13 12:00 | budi",
    ],
    "B1": [
        "surat 08-03 10:00 budi lengkap",
        "terima 08-03 10:10 | 08-03 10:40 | budi",
        "setujui 08-03 11:00 | 08-03 14:00 | citra",
    ],
    "B2": [
        "surat 08-05 14:00 ani kurang",
        "terima 08-05 14:30 | 08-05 15:30 | ani",
        "lengkapi 08-06 08:00 | 08-06 15:00 | ani",
        "setujui 08-06 15:30 | 08-07 08:00 | citra",
    ],
    "B3": [
        "surat 08-06 16:30 budi lengkap",
        "terima 08-07 07:45 | 08-07 08:15 | budi",  # ready after office hours
        "setujui 08-07 09:00 | 08-07 10:00 | citra",
    ],
    "B4": [
        "surat 08-08 10:00 ani kurang",  # started on a Saturday
        "terima 08-10 07:40 | 08-10 08:00 | ani",
        "lengkapi 08-10 09:00 | 08-11 16:00 | budi",
        "setujui 08-12 08:00 | 08-12 09:00 | citra",
    ],
    "B5": [
        "surat 08-11 11:00 budi lengkap",
        "terima 08-11 11:05 | 08-11 11:30 | budi",
        "setujui 08-11 13:00 | 08-11 14:00 | citra",
    ],
    "B6": [
        "surat 08-13 08:00 ani kurang",
        "terima 08-13 08:30 | 08-13 09:00 | ani",
        "lengkapi 08-13 10:00 | 08-18 09:00 | ani",
        "setujui 08-18 10:00 | 08-18 11:00 | citra",
    ],
    "B7": [
        "surat 08-18 10:00 budi lengkap",
        "terima 08-18 10:30 | 08-18 11:00 | budi",
        "setujui - | - | citra",
    ],
    "B8": [
        "surat 08-19 09:00 ani kurang",
        "terima 08-19 09:10 | 08-19 09:40 | ani",
        "lengkapi 08-19 10:00 | - | budi",
    ],
    "B9": [
        "surat 08-21 08:00 budi lengkap",
        "terima 08-21 08:05 | 08-21 08:20 | budi",
        "setujui 08-21 09:00 | 08-21 10:00 | citra",
    ],
    "B10": [
        "surat 08-23 20:00 ani lengkap",  # a Sunday evening
        "terima 08-24 07:35 | 08-24 07:55 | ani",
        "setujui 08-24 08:30 | 08-24 09:00 | citra",
    ],
    "B11": [
        "surat 07-31 10:00 budi lengkap",  # started before August
        "terima 07-31 10:30 | 07-31 11:00 | budi",
        "setujui 08-03 08:00 | 08-03 09:00 | citra",
    ],
    "B12": [
        "surat 08-10 00:00 budi lengkap",  # on a week's first instant
        "terima 08-10 07:35 | 08-10 08:00 | budi",
        "setujui 08-16 22:00 | 08-17 00:00 | citra",  # on the next week's first instant
    ],
}
CANCELLED = {"A12": "08-14 10:00"}


@dataclass(frozen=True)
class Planned:
    """One request of REQUESTS, parsed."""

    sop: str
    started: str
    starter: str
    lengkap: bool | None
    steps: list[tuple[str, str | None, str | None, str]]  # activity, claimed, completed, who


def planned(label: str) -> Planned:
    head, *lines = REQUESTS[label]
    sop, day, hour, starter, *answer = head.split()
    steps = []
    for line in lines:
        activity, moments = line.split(" ", 1)
        claimed, completed, officer = (part.strip() for part in moments.split("|"))
        steps.append(
            (
                activity,
                None if claimed == "-" else claimed,
                None if completed == "-" else completed,
                officer,
            )
        )
    lengkap = answer[0] == "lengkap" if answer else None
    return Planned(sop, f"{day} {hour}", starter, lengkap, steps)


@dataclass(frozen=True)
class Log:
    """The stored rows after the log ran, and the ids the tests need."""

    ids: dict[str, int]  # request label -> instance id
    instances: list[Instance]
    items: list[WorkItem]
    parents: dict[int, int | None]  # unit id -> parent unit id
    units: dict[str, int]  # unit code -> id
    sops: dict[str, int]  # SOP key -> id
    sop_names: dict[int, str]
    versions: dict[tuple[str, int], int]  # (SOP key, number) -> version id
    positions: dict[int, Position]
    users: dict[str, User]
    holders: dict[int, int]  # position id -> active users holding it
    calendar: WorkingCalendar

    def label(self, instance_id: int) -> str:
        return next(label for label, found in self.ids.items() if found == instance_id)


def _open_item(ctx: Context, instance_id: int, activity: str) -> int:
    with ctx.transaction() as session:
        return session.scalars(
            select(WorkItem.id).where(
                WorkItem.instance_id == instance_id,
                WorkItem.activity_id == activity,
                WorkItem.status.in_((WorkItemStatus.OPEN, WorkItemStatus.CLAIMED)),
            )
        ).one()


def _actions() -> list[tuple[datetime, str, str, tuple]]:
    actions = [(t(IZIN_V2), "publish", "", ())]
    for label in REQUESTS:
        plan = planned(label)
        actions.append((t(plan.started), "start", label, ()))
        for step in plan.steps:
            if step[1]:
                actions.append((t(step[1]), "claim", label, step))
            if step[2]:
                actions.append((t(step[2]), "complete", label, step))
    actions += [(t(when), "cancel", label, ()) for label, when in CANCELLED.items()]
    return sorted(actions, key=lambda action: action[0])


def run_log(ctx: Context, org: Org, clock) -> Log:
    """Publish both SOPs, play every action in time order, sweep breaches at NOW."""
    clock.now = t(PUBLISHED)
    publish(ctx, izin_sop("2 jam", "1 hari"))
    publish(ctx, surat_sop())
    ids: dict[str, int] = {}
    for moment, action, label, step in _actions():
        clock.now = moment
        if action == "publish":
            publish(ctx, izin_sop("1 jam", "4 jam"))
            continue
        plan = planned(label)
        if action == "start":
            ids[label] = instances.start_instance(ctx, org.actor(plan.starter), plan.sop, {}).id
        elif action == "cancel":
            instances.cancel_instance(ctx, org.actor("citra"), ids[label], "Pemohon mundur")
        else:
            activity, officer = step[0], org.actor(step[3])
            item_id = _open_item(ctx, ids[label], activity)
            if action == "claim":
                work_items.claim(ctx, officer, item_id)
            else:
                asked = plan.sop == "surat" and activity == "terima"
                data = {"lengkap": plan.lengkap} if asked else {}
                work_items.complete(ctx, officer, item_id, data)
    clock.now = t(NOW)
    breaches.record_breaches(ctx)
    return load(ctx, ids)


def load(ctx: Context, ids: dict[str, int]) -> Log:
    with ctx.transaction() as session:
        users = {user.username: user for user in session.scalars(select(User))}
        for user in users.values():
            _ = [position.unit.name for position in user.positions]
        holders: dict[int, int] = {}
        for user in users.values():
            for position in user.positions if user.is_active else []:
                holders[position.id] = holders.get(position.id, 0) + 1
        units = list(session.scalars(select(Unit)))
        positions = list(session.scalars(select(Position)))
        sops = list(session.scalars(select(Sop)))
        for position in positions:
            _ = position.unit.name
        return Log(
            ids=ids,
            instances=list(session.scalars(select(Instance).order_by(Instance.id))),
            items=list(session.scalars(select(WorkItem).order_by(WorkItem.id))),
            parents={unit.id: unit.parent_id for unit in units},
            units={unit.code: unit.id for unit in units},
            sops={sop.key: sop.id for sop in sops},
            sop_names={sop.id: sop.name for sop in sops},
            versions={
                (version.sop.key, version.number): version.id
                for version in session.scalars(select(SopVersion))
            },
            positions={position.id: position for position in positions},
            users=users,
            holders=holders,
            calendar=calendar_of(ctx, session.scalars(select(Organization)).one()),
        )
