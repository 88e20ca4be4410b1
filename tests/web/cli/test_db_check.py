"""`alur db check` after an incident: exit 0 when sound, 1 and a list of problems when not."""

from sqlalchemy import update

from storage.models import WorkItem
from tests.web.conftest import publish
from web.usecases.context import SYSTEM
from web.usecases.runtime import instances, work_items


def test_db_check_passes_then_lists_a_step_reopened_by_hand(alur, ctx, org):
    instance = instances.start_instance(ctx, org.actor("ani"), publish(ctx), {})
    first = instances.get_instance(ctx, SYSTEM, instance.id).work_items[0]
    work_items.complete(ctx, org.actor("ani"), first.id, {})

    sound = alur("db", "check")
    assert sound.exit_code == 0
    assert "No problems found" in sound.output

    with ctx.transaction() as session:
        session.execute(update(WorkItem).where(WorkItem.id == first.id).values(status="open"))
    broken = alur("db", "check")
    assert broken.exit_code == 1
    assert f"open_step_completed_at: {instance.reference}: step {first.id} is open" in broken.output
    assert "4 problem(s) found." in broken.output
