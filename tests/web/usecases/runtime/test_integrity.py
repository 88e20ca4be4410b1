"""The database check an administrator runs after an incident, on databases broken on purpose."""

from sqlalchemy import delete, insert, select, update

from storage.models import Event, Instance, StepDoneDay, WorkItem
from tests.web.conftest import publish
from web.usecases.context import SYSTEM
from web.usecases.runtime import instances, integrity, work_items


def two_requests(ctx, org):
    """One request whose first step is completed, one whose first step is claimed."""
    key = publish(ctx)
    ani = org.actor("ani")
    done = instances.start_instance(ctx, ani, key, {})
    waiting = instances.start_instance(ctx, ani, key, {})
    first = instances.get_instance(ctx, SYSTEM, done.id).work_items[0]
    work_items.complete(ctx, ani, first.id, {})
    claimed = instances.get_instance(ctx, SYSTEM, waiting.id).work_items[0]
    work_items.claim(ctx, ani, claimed.id)
    return done, first, waiting, claimed


def change(ctx, *statements) -> None:
    with ctx.transaction() as session:
        for statement in statements:
            session.execute(statement)


def kinds(findings) -> set[tuple[str, int | None]]:
    return {(f.kind, f.work_item_id) for f in findings}


def test_a_consistent_database_has_no_findings_and_a_reopened_step_is_found(ctx, org):
    done, first, _, _ = two_requests(ctx, org)
    assert integrity.check(ctx) == []

    # What issue 11 saw: a completed step put back to open, its completion time kept.
    change(ctx, update(WorkItem).where(WorkItem.id == first.id).values(status="open"))

    found = integrity.check(ctx)
    assert kinds(found) == {
        ("open_step_completed_at", first.id),
        ("completion_events", first.id),
        ("step_without_ready_task", None),
        ("summaries_stale", None),  # they count the step as completed
    }
    about_steps = [f for f in found if f.kind != "summaries_stale"]
    assert all(f.instance_id == done.id and done.reference in f.message for f in about_steps)


def test_missing_and_repeated_history_steps_and_summaries_are_each_found(ctx, org):
    _, first, waiting, claimed = two_requests(ctx, org)
    with ctx.transaction() as session:
        completion = session.scalar(
            select(Event).where(Event.work_item_id == first.id, Event.type == "work_item_completed")
        )
        copy = {c.key: getattr(completion, c.key) for c in Event.__table__.columns if c.key != "id"}

    change(
        ctx,
        insert(Event).values(**copy),  # the completion recorded twice
        delete(StepDoneDay),  # the summaries lose a day
        # The claimed step withdrawn by hand: the engine still waits on it.
        update(WorkItem).where(WorkItem.id == claimed.id).values(status="cancelled"),
    )

    found = integrity.check(ctx)
    assert kinds(found) == {
        ("completion_events", first.id),
        ("ready_task_without_step", None),
        ("summaries_stale", None),
    }
    assert "2 completion events" in next(f.message for f in found if f.kind == "completion_events")
    assert next(f for f in found if f.kind == "ready_task_without_step").instance_id == waiting.id

    change(ctx, update(Instance).where(Instance.id == waiting.id).values(state="{"))
    unreadable = [f for f in integrity.check(ctx) if f.kind == "state_unreadable"]
    assert [f.instance_id for f in unreadable] == [waiting.id]
    # One unreadable request does not stop the check: the duplicate is still reported.
    assert ("completion_events", first.id) in kinds(integrity.check(ctx))
