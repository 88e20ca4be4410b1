"""Cost of one scheduler tick with N requests whose timer and first step are due.

Each request's boundary timer fires (opening an escalation step, queueing its reminder) and its
first step's breach is recorded (event and reminder), as after a weekend without a scheduler.
Prints the seconds of that tick (of those ticks, beyond 500 requests), per request, and of an
idle tick (nothing due), on a SQLite file and on PostgreSQL.

Usage: python bench/scheduler.py [--instances N] [--postgres URL]
"""

import argparse
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.databases import postgres_database
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import Role
from web.scheduler import run_tick
from web.usecases.context import SYSTEM, Context
from web.usecases.library import sops
from web.usecases.organization import administration
from web.usecases.runtime import instances

KEY = "bench_pengingat"
BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:sop="https://alur.dev/schema/sop/1" id="d" targetNamespace="https://alur.dev/b">
  <bpmn:process id="{KEY}" name="SOP pengingat" isExecutable="true">
    <bpmn:laneSet>
      <bpmn:lane id="lane_staf" name="Staf"><bpmn:extensionElements>
        <sop:performer position="BENCH-STAF"/></bpmn:extensionElements>
        <bpmn:flowNodeRef>terima</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="lane_kepala" name="Kepala"><bpmn:extensionElements>
        <sop:performer position="BENCH-KEPALA"/></bpmn:extensionElements>
        <bpmn:flowNodeRef>tegur</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="mulai"/>
    <bpmn:userTask id="terima" name="Menerima berkas"><bpmn:extensionElements>
      <sop:standard time="1 jam"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:userTask id="tegur" name="Menegur"><bpmn:extensionElements>
      <sop:standard time="1 hari"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:boundaryEvent id="batas" attachedToRef="terima" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:endEvent id="selesai"/><bpmn:endEvent id="akhir_tegur"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="terima"/>
    <bpmn:sequenceFlow id="f2" sourceRef="terima" targetRef="selesai"/>
    <bpmn:sequenceFlow id="f3" sourceRef="batas" targetRef="tegur"/>
    <bpmn:sequenceFlow id="f4" sourceRef="tegur" targetRef="akhir_tegur"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def bench(url: str, count: int) -> tuple[float, float, str]:
    """Seconds of the tick that handles ``count`` due requests, and of an idle tick."""
    migrate.upgrade(url)
    engine = make_engine(url)
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    ctx = Context(make_session_factory(engine), clock=lambda: ten_days_ago)
    administration.create_organization(ctx, SYSTEM, "BENCH", "Kota Bench", "Asia/Jakarta")
    administration.create_unit(ctx, SYSTEM, "BENCH-U", "Unit Bench")
    for code in ("BENCH-STAF", "BENCH-KEPALA"):
        administration.create_position(ctx, SYSTEM, code, code, "BENCH-U")
    administration.create_user(ctx, SYSTEM, "bench", "Bench", Role.ADMIN, ["BENCH-STAF"])
    token = administration.create_token(ctx, SYSTEM, "bench")
    actor = administration.authenticate_token(ctx, token)
    version = sops.upload_version(ctx, SYSTEM, BPMN)
    sops.publish_version(ctx, SYSTEM, KEY, version.number)
    for number in range(count):
        instances.start_instance(ctx, actor, KEY, {"nomor": number})

    now = Context(ctx.sessions)
    report = run_tick(now)
    while report.fired < count:  # a tick wakes at most timers.BATCH requests
        report = report + run_tick(now)
    assert report.fired == count and report.breached == count, report
    idle = min(run_tick(now).seconds for _ in range(5))
    engine.dispose()
    return report.seconds, idle, f"{report.fired} timers, {report.breached} breaches"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=200, help="due requests per tick")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server URL (a throw-away database is created on it)",
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows.append(("SQLite file", *bench(f"sqlite:///{folder}/bench.sqlite", args.instances)))
    try:
        url, drop = postgres_database(args.postgres)
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}")
    else:
        try:
            rows.append(("PostgreSQL", *bench(url, args.instances)))
        finally:
            drop()
    print(f"{'':12} {'tick s':>8} {'ms/request':>11} {'idle tick ms':>13}  handled")
    for label, seconds, idle, handled in rows:
        per = seconds / args.instances * 1000
        print(f"{label:12} {seconds:8.2f} {per:11.2f} {idle * 1000:13.2f}  {handled}")


if __name__ == "__main__":
    main()
