"""The demo simulation: what a manager opening the dashboard on its data would notice."""

import re
from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.definition import load_sop
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Event, FlagState, Instance, InstanceStatus, Sop, SopVersion, WorkItem
from web.usecases.analysis import overlaps
from web.usecases.analysis.demo_values import REGION
from web.usecases.analysis.simulation import REDESIGNED, Counts, Plan, simulate, without_paraf
from web.usecases.context import SYSTEM, Context
from web.usecases.dashboard.versions import compare_versions
from web.usecases.dashboard.views import Filters
from web.usecases.demo import seed_organization
from web.usecases.errors import Conflict
from web.usecases.library import sops
from web.usecases.pagination import PageRequest

# Form fields recording something done at their step: along a request they never go back.
ACTS = {"tanggal_tanda_tangan", "tanggal_penyerahan", "tanggal_pembayaran", "tanggal_penutupan"}
PROCESSES = Path(__file__).resolve().parents[4] / "processes"
# Two weeks from the FakeClock's Monday: ten working days, at a fifth of the demo's volume.
PLAN = Plan(start=date(2026, 11, 24), end=date(2026, 12, 8), seed=7, volume=0.2)


def _library(ctx: Context) -> None:
    seed_organization(ctx, PROCESSES / "demo_organization.json", "sandi-demo-uji")
    sops.load_processes(ctx, PROCESSES)


def test_a_simulated_fortnight_looks_like_real_work(ctx, clock):
    _library(ctx)
    seen = []
    counts = simulate(ctx, PLAN, lambda done, total, _: seen.append((done, total)))

    assert seen[0] == (0, 10) and seen[-1] == (10, 10)
    _every_sop_has_requests_and_most_are_done(ctx, counts)
    _some_steps_breach_once_and_some_timers_escalate(ctx, counts)
    _the_redesigned_sop_runs_version_2_from_the_redesign_on(ctx, counts)
    _the_audit_log_never_goes_back_in_time(ctx)
    _the_forms_read_like_real_requests(ctx)
    with pytest.raises(Conflict):  # a second run would mix two histories
        simulate(ctx, PLAN)
    _loading_the_library_afterwards_keeps_the_redesign_in_force(ctx)
    clock.now = datetime.combine(PLAN.end, time(1), UTC)  # `alur overlaps` after the demo
    _the_redesign_resolved_the_bounce_flag_of_the_paraf(ctx)


def _every_sop_has_requests_and_most_are_done(ctx: Context, counts: Counts) -> None:
    with ctx.transaction() as session:
        per_sop = Counter(
            session.scalars(
                select(Sop.key)
                .join(SopVersion, SopVersion.sop_id == Sop.id)
                .join(Instance, Instance.sop_version_id == SopVersion.id)
            )
        )
        completed = session.scalars(
            select(Instance.id).where(Instance.status == InstanceStatus.COMPLETED)
        ).all()
    assert set(per_sop) == {p.stem for p in PROCESSES.glob("*.bpmn")}
    assert counts.started == sum(per_sop.values()) > 50
    assert counts.completed == len(completed) > 0.7 * counts.started
    assert counts.work_items > 3 * counts.started


def _some_steps_breach_once_and_some_timers_escalate(ctx: Context, counts: Counts) -> None:
    with ctx.transaction() as session:
        breached = session.scalars(
            select(WorkItem.id).where(WorkItem.breached_at.is_not(None))
        ).all()
        breach_events = session.scalars(
            select(Event.work_item_id).where(Event.type == "work_item_breached")
        ).all()
        fired = session.scalars(select(Event.id).where(Event.type == "timer_fired")).all()
    assert sorted(breach_events) == sorted(breached)
    assert 0 < counts.breaches == len(breach_events) < 0.6 * counts.work_items
    assert counts.timers_fired == len(fired) > 0


def _the_redesigned_sop_runs_version_2_from_the_redesign_on(ctx: Context, counts: Counts) -> None:
    with ctx.transaction() as session:
        rows = session.execute(
            select(SopVersion.number, Instance.started_at)
            .join(Instance, Instance.sop_version_id == SopVersion.id)
            .join(Sop, Sop.id == SopVersion.sop_id)
            .where(Sop.key == "surat_keterangan_domisili")
        ).all()
        steps_v2 = set(
            session.scalars(
                select(WorkItem.activity_id)
                .join(Instance, Instance.id == WorkItem.instance_id)
                .join(SopVersion, SopVersion.id == Instance.sop_version_id)
                .where(SopVersion.number == 2)
            )
        )
    redesigned = counts.redesigned_at
    assert redesigned is not None and PLAN.start < redesigned.date() < PLAN.end
    assert {n for n, _ in rows} == {1, 2}
    assert all(started < redesigned for n, started in rows if n == 1)
    assert all(started >= redesigned for n, started in rows if n == 2)
    assert "paraf_konsep" not in steps_v2 and "tandatangan_lurah" in steps_v2


def _the_audit_log_never_goes_back_in_time(ctx: Context) -> None:
    with ctx.transaction() as session:
        moments = session.scalars(select(Event.occurred_at).order_by(Event.id)).all()
    assert moments == sorted(moments)


def _the_forms_read_like_real_requests(ctx: Context) -> None:
    """Identity numbers in their real layout, the same applicant at every step of a request,
    and the dates of what happened (signed, handed over, paid) in the order it happened."""
    with ctx.transaction() as session:
        rows = session.execute(
            select(WorkItem.instance_id, WorkItem.form_data, Instance.started_at)
            .join(Instance, Instance.id == WorkItem.instance_id)
            .where(WorkItem.form_data.is_not(None))
            .order_by(WorkItem.instance_id, WorkItem.completed_at, WorkItem.id)
        ).all()
    per_request: dict[int, list[dict]] = {}
    started: dict[int, date] = {}
    for instance_id, values, started_at in rows:
        per_request.setdefault(instance_id, []).append(values)
        started[instance_id] = started_at.date()
    niks = [
        v[f] for steps in per_request.values() for v in steps for f in ("nik", "nik_anak") if f in v
    ]
    assert niks and all(re.fullmatch(REGION + r"[0-7]\d[01]\d{7}", n) for n in niks), niks[:5]
    nips = [v["nip"] for steps in per_request.values() for v in steps if "nip" in v]
    assert nips and all(re.fullmatch(r"(19|20)\d{16}", n) for n in nips), nips[:5]
    for instance_id, steps in per_request.items():
        assert len({v["nik"] for v in steps if "nik" in v}) <= 1, steps
        acts = [
            date.fromisoformat(value)
            for values in steps
            for name, value in values.items()
            if name in ACTS
        ]
        assert acts == sorted(acts) and all(d >= started[instance_id] for d in acts), steps
        for values in steps:
            if "tanggal_penyerahan" in values and "tanggal_tanda_tangan" in values:
                assert values["tanggal_penyerahan"] >= values["tanggal_tanda_tangan"]
    signed_then_delivered = [
        (s["tanggal_tanda_tangan"], d["tanggal_penyerahan"])
        for steps in per_request.values()
        for s in steps
        for d in steps
        if "tanggal_tanda_tangan" in s and "tanggal_penyerahan" in d
    ]
    assert signed_then_delivered and all(a <= b for a, b in signed_then_delivered)


def _loading_the_library_afterwards_keeps_the_redesign_in_force(ctx: Context) -> None:
    """What `make run` does next: the library file of the redesigned SOP is the old v1."""
    results = {r.key: r for r in sops.load_processes(ctx, PROCESSES)}

    assert (results[REDESIGNED].outcome, results[REDESIGNED].version) == ("kept", 2)
    assert sops.get_version(ctx, SYSTEM, REDESIGNED).number == 2
    with ctx.transaction() as session:
        sop_id = session.scalar(select(Sop.id).where(Sop.key == REDESIGNED))
    comparison = compare_versions(
        ctx, SYSTEM, sop_id, Filters(PLAN.start, PLAN.end, None, None, None)
    )
    assert (comparison.before_version[1], comparison.after_version[1]) == (1, 2)


def test_the_same_seed_gives_the_same_data_on_a_fresh_database(ctx, tmp_path):
    plan = Plan(start=PLAN.start, end=date(2026, 11, 27), seed=3, volume=0.2)
    _library(ctx)
    counts = simulate(ctx, plan)
    url = f"sqlite:///{tmp_path / 'again.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        again = Context(sessions=make_session_factory(engine), clock=ctx.clock)
        _library(again)
        assert simulate(again, plan) == counts
    finally:
        engine.dispose()


def test_the_redesign_is_a_valid_sop_without_the_paraf():
    xml = (PROCESSES / "surat_keterangan_domisili.bpmn").read_text(encoding="utf-8")
    definition = load_sop(without_paraf(xml).encode("utf-8"))
    assert "paraf_konsep" not in {a.id for a in definition.metadata.activities}


def _the_redesign_resolved_the_bounce_flag_of_the_paraf(ctx: Context) -> None:
    """The simulation analysed the overlaps just before the redesign, as a city running
    `alur overlaps` nightly would: the drafts the sekretaris sent back raised a bounce flag,
    and version 2, without the paraf, resolved it once its own work was analysed."""
    overlaps.analyze(ctx, SYSTEM)
    [flag] = overlaps.list_flags(
        ctx, SYSTEM, PageRequest(1, 10), kind="bouncing", sop_key=REDESIGNED
    ).items
    assert flag.state == FlagState.RESOLVED, flag.explanation_en
    assert flag.resolved_by_version.number == 2
    assert flag.first_seen_at < flag.resolved_by_version.published_at
