"""Who may see what: officers their positions' work, managers their units and the units below."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Instance, Position, Role, Unit, WorkItem
from web.usecases.context import Actor
from web.usecases.errors import Forbidden, Phrase, message

OUT_OF_SCOPE = message(
    "instance_out_of_scope", "Request {reference} is outside your positions and units."
)
NOT_YOUR_POSITION = message(
    "work_item_not_your_position",
    "You do not hold the position of this step, so you may not {action} it.",
)


def managed_units(session: Session, actor: Actor) -> set[int] | None:
    """Units whose work ``actor`` may see: None means all (admin, analyst)."""
    if actor.has_role(Role.ADMIN, Role.ANALYST):
        return None
    own = set(session.scalars(select(Position.unit_id).where(Position.id.in_(actor.position_ids))))
    if not actor.has_role(Role.MANAGER):
        return own
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent_id, []).append(unit_id)
    scope, stack = set(), list(own)
    while stack:
        unit_id = stack.pop()
        if unit_id not in scope:
            scope.add(unit_id)
            stack.extend(children.get(unit_id, []))
    return scope


def can_see_instance(session: Session, actor: Actor, instance: Instance) -> bool:
    if actor.has_role(Role.ADMIN, Role.ANALYST) or instance.started_by_id == actor.user_id:
        return True
    items = session.execute(
        select(WorkItem.position_id, WorkItem.unit_id).where(WorkItem.instance_id == instance.id)
    ).all()
    if any(position in actor.position_ids for position, _ in items):
        return True
    units = managed_units(session, actor) or set()
    return actor.has_role(Role.MANAGER) and any(unit in units for _, unit in items)


def require_instance_visible(session: Session, actor: Actor, instance: Instance) -> None:
    """:raises Forbidden: the instance is outside the actor's positions and units."""
    if not can_see_instance(session, actor, instance):
        raise Forbidden(OUT_OF_SCOPE, reference=instance.reference)


def require_item_actor(session: Session, actor: Actor, item: WorkItem, action: str) -> None:
    """:raises Forbidden: the actor does not hold the position this step belongs to."""
    if item.position_id not in actor.position_ids:
        raise Forbidden(
            NOT_YOUR_POSITION,
            {"work_item": item.id, "position": item.position.code},
            action=Phrase(action),
        )
