"""Cost of one step completion: Alur's use cases (SQLite, PostgreSQL) vs raw SpiffWorkflow.

Runs a 20-step SOP to the end many times, in one process, and prints milliseconds per step
completion side by side:

- raw SpiffWorkflow in memory: ``task.run()`` + ``do_engine_steps()``, nothing persisted;
- raw SpiffWorkflow persisted the plain way: deserialize -> complete -> serialize (with the
  embedded definition) at every step, what any engine that stores state must at least do;
- Alur's ``complete`` use case: lock, check, restore, validate the form, run, save the state,
  close and open work items with due times, audit — one transaction per step.

Usage: python bench/engine.py [--instances N] [--postgres URL]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from bench.databases import postgres_database
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import Role
from web.usecases.context import SYSTEM, Context
from web.usecases.library import sops
from web.usecases.organization import administration
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances, work_items

STEPS = 20
KEY = "bench_sop_20_langkah"


def sop_bpmn(steps: int = STEPS) -> bytes:
    """A 20-step SOP: two lanes taking turns, each step with a two-field form."""
    lanes = {"staf": "BENCH-STAF", "kepala": "BENCH-KEPALA"}
    ids = [f"langkah_{i:02d}" for i in range(1, steps + 1)]
    lane_of = {step: ("staf" if i % 2 == 0 else "kepala") for i, step in enumerate(ids)}
    xml = [
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:sop="https://alur.dev/schema/sop/1" id="d" targetNamespace="https://alur.dev/b">',
        f'<bpmn:process id="{KEY}" name="SOP 20 langkah" isExecutable="true"><bpmn:laneSet>',
    ]
    for lane, position in lanes.items():
        refs = "".join(
            f"<bpmn:flowNodeRef>{s}</bpmn:flowNodeRef>" for s in ids if lane_of[s] == lane
        )
        xml.append(
            f'<bpmn:lane id="lane_{lane}" name="{lane}"><bpmn:extensionElements>'
            f'<sop:performer position="{position}"/></bpmn:extensionElements>{refs}'
            "</bpmn:lane>"
        )
    xml.append("</bpmn:laneSet>")
    for step in ids:
        xml.append(
            f'<bpmn:userTask id="{step}" name="Kegiatan {step}"><bpmn:extensionElements>'
            '<sop:standard time="1 jam"><sop:output>Berkas</sop:output></sop:standard>'
            '<sop:form><sop:field name="catatan" type="text"/>'
            '<sop:field name="lengkap" type="boolean" required="true"/></sop:form>'
            "</bpmn:extensionElements></bpmn:userTask>"
        )
    nodes = ["mulai", *ids, "selesai"]
    xml.append('<bpmn:startEvent id="mulai"/><bpmn:endEvent id="selesai"/>')
    for a, b in itertools.pairwise(nodes):
        xml.append(f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>')
    xml.append("</bpmn:process></bpmn:definitions>")
    return "".join(xml).encode()


FORM = {"catatan": "sesuai", "lengkap": True}


def _raw_spec(data: bytes):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(data)
    return parser.get_spec(KEY)


def bench_raw_memory(data: bytes, runs: int) -> float:
    spec = _raw_spec(data)
    total, steps = 0.0, 0
    for _ in range(runs):
        wf = BpmnWorkflow(spec)
        wf.do_engine_steps()
        while not wf.is_completed():
            task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
            started = time.perf_counter()
            task.data.update(FORM)
            task.run()
            wf.do_engine_steps()
            total += time.perf_counter() - started
            steps += 1
    return total / steps * 1000


def bench_raw_persisted(data: bytes, runs: int) -> float:
    spec = _raw_spec(data)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    total, steps = 0.0, 0
    for _ in range(runs):
        wf = BpmnWorkflow(spec)
        wf.do_engine_steps()
        state = serializer.serialize_json(wf)
        completed = False
        while not completed:
            started = time.perf_counter()
            wf = serializer.deserialize_json(state)
            task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data.update(FORM)
            task.run()
            wf.do_engine_steps()
            state = serializer.serialize_json(wf)
            completed = wf.is_completed()
            total += time.perf_counter() - started
            steps += 1
    return total / steps * 1000


def _prepare(url: str, data: bytes) -> tuple[Context, dict]:
    migrate.upgrade(url)
    ctx = Context(make_session_factory(make_engine(url)))
    administration.create_organization(ctx, SYSTEM, "BENCH", "Kota Bench", "Asia/Jakarta")
    administration.create_unit(ctx, SYSTEM, "BENCH-U", "Unit Bench")
    actors = {}
    for code in ("BENCH-STAF", "BENCH-KEPALA"):
        administration.create_position(ctx, SYSTEM, code, code, "BENCH-U")
        user = administration.create_user(ctx, SYSTEM, code.lower(), code, Role.OFFICER, [code])
        token = administration.create_token(ctx, SYSTEM, user.username)
        actors[code] = administration.authenticate_token(ctx, token)
    version = sops.upload_version(ctx, SYSTEM, data)
    sops.publish_version(ctx, SYSTEM, KEY, version.number)
    return ctx, actors


def bench_alur(url: str, data: bytes, runs: int) -> tuple[float, float]:
    """Mean and p95 ms of the complete use case, and nothing else, per step."""
    ctx, actors = _prepare(url, data)
    durations = []
    for _ in range(runs):
        instances.start_instance(ctx, actors["BENCH-STAF"], KEY, {"pemohon": "Bench"})
        for step in range(STEPS):
            actor = actors["BENCH-STAF" if step % 2 == 0 else "BENCH-KEPALA"]
            item = work_items.inbox(ctx, actor, PageRequest(1, 1)).items[0]
            started = time.perf_counter()
            work_items.complete(ctx, actor, item.id, FORM)
            durations.append(time.perf_counter() - started)
    durations.sort()
    return statistics.mean(durations) * 1000, durations[int(len(durations) * 0.95)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=30, help="instances per measurement")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server URL (a throw-away database is created on it)",
    )
    args = parser.parse_args()
    data = sop_bpmn()
    runs = args.instances
    print(f"{STEPS}-step SOP, {runs} instances each ({runs * STEPS} completions per row)\n")
    rows = [("raw SpiffWorkflow, in memory", bench_raw_memory(data, runs), None)]
    rows.append(
        ("raw SpiffWorkflow, deserialize+run+serialize", bench_raw_persisted(data, runs), None)
    )
    with tempfile.TemporaryDirectory() as folder:
        mean, p95 = bench_alur(f"sqlite:///{folder}/bench.sqlite", data, runs)
        rows.append(("Alur complete use case, SQLite file", mean, p95))
    try:
        url, drop = postgres_database(args.postgres)
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}")
    else:
        try:
            mean, p95 = bench_alur(url, data, runs)
            rows.append(("Alur complete use case, PostgreSQL", mean, p95))
        finally:
            drop()
    raw = rows[0][1]
    print(f"{'':48} {'ms/step':>9} {'p95':>7} {'x raw':>7}")
    for label, mean, p95 in rows:
        p95_text = f"{p95:7.2f}" if p95 is not None else f"{'':7}"
        print(f"{label:48} {mean:9.3f} {p95_text} {mean / raw:7.1f}")


if __name__ == "__main__":
    main()
