"""Checking a whole database for steps and requests that contradict each other.

What the verbs on steps guarantee (see web.usecases.runtime.holding) can be verified after
the fact: an administrator runs ``alur db check`` after an incident (a crash, a restore, rows
edited by hand) and the race tests run it after every race.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.repositories import integrity as repo
from web.usecases.context import Context
from web.usecases.dashboard import summaries
from web.usecases.runtime.progress import put_back, restore

BATCH = 200


@dataclass(frozen=True)
class Finding:
    """One contradiction: ``kind`` is stable (for scripts), ``message`` says it for people."""

    kind: str
    message: str
    instance_id: int | None = None
    work_item_id: int | None = None


def check(ctx: Context, progress: Callable[[int], None] | None = None) -> list[Finding]:
    """Every contradiction found between steps, requests, their history and the summaries.

    ``progress`` is called with the number of running requests compared with their engine
    state so far. Nothing is written: the findings say what to repair.
    """
    with ctx.reading() as session:
        repo.take_snapshot(session)
        found = _step_findings(session)
        found += _engine_findings(session, ctx, progress)
        refs = repo.references(session, [f.instance_id for f in found if f.instance_id])
    found = [_named(finding, refs) for finding in found]
    if summaries.stale(ctx)[0]:
        found.append(
            Finding(
                "summaries_stale",
                "The dashboard's per-day summaries do not add up to the completed steps and "
                "requests; run `alur db summaries`.",
            )
        )
    return found


def _named(finding: Finding, refs: dict[int, str]) -> Finding:
    """The finding with its request's reference number in front, for the reader."""
    if finding.instance_id is None:
        return finding
    reference = refs.get(finding.instance_id, f"#{finding.instance_id}")
    return Finding(
        finding.kind,
        f"{reference}: {finding.message}",
        finding.instance_id,
        finding.work_item_id,
    )


def _step_findings(session: Session) -> list[Finding]:
    found = [
        Finding(
            "open_step_completed_at",
            f"step {item_id} is {status.value} but has a completion time.",
            instance_id,
            item_id,
        )
        for item_id, instance_id, status in repo.open_items_with_completion_time(session)
    ]
    found += [
        Finding(
            "completion_events",
            f"step {item_id} is {status.value} and has {count} completion events"
            + (" (expected exactly one)." if status == "completed" else " (expected none)."),
            instance_id,
            item_id,
        )
        for item_id, instance_id, status, count in repo.completion_events_off(session)
    ]
    found += [
        Finding(
            "open_step_of_ended_request",
            f"step {item_id} is still open but the request is {status.value}.",
            instance_id,
            item_id,
        )
        for item_id, instance_id, status in repo.open_items_of_ended_instances(session)
    ]
    return found


def _engine_findings(
    session: Session, ctx: Context, progress: Callable[[int], None] | None
) -> list[Finding]:
    """Running requests whose open steps are not exactly the engine's READY human tasks."""
    found = []
    seen = 0
    for instances in repo.running_instances(session, BATCH):
        open_tasks = repo.open_task_ids(session, [instance.id for instance in instances])
        for instance in instances:
            try:
                execution = restore(ctx, instance)
            # After an incident a state may be anything (cut JSON, edited by hand): one that
            # cannot be read is a finding, and must not stop the check of the others.
            except Exception as exc:
                message = f"its engine state cannot be read: {type(exc).__name__}: {exc}"
                found.append(Finding("state_unreadable", message, instance.id))
                continue
            ready = [step.task_id for step in execution.ready_steps()]
            put_back(instance, execution)
            found += _mismatch(instance.id, Counter(open_tasks[instance.id]), Counter(ready))
        seen += len(instances)
        if progress:
            progress(seen)
    return found


# Both ways a request's open steps can differ from its engine's READY human tasks.
_MISMATCHES = (
    ("ready_task_without_step", "the engine waits on tasks no open step stands for"),
    (
        "step_without_ready_task",
        "open steps stand for tasks the engine does not wait on (or twice)",
    ),
)


def _mismatch(instance_id: int, open_steps: Counter, ready: Counter) -> list[Finding]:
    extra = (ready - open_steps, open_steps - ready)
    return [
        Finding(kind, f"{what}: {', '.join(sorted(tasks))}", instance_id)
        for (kind, what), tasks in zip(_MISMATCHES, extra, strict=True)
        if tasks
    ]
