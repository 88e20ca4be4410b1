"""Who may see what: officers their positions' work, managers their units and the units below."""

from sqlalchemy import ColumnElement, or_, select, true
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


def visible_requests(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The condition on Instance that says which requests ``actor`` may open.

    The one scope rule of requests: admins and analysts see all; anyone sees the requests
    they started and those with a step of a position they hold; managers also those with a
    step in their units and the units below. Lists, counts, searches and exports filter with
    it, and opening one request asks it of that row, so they cannot disagree.
    """
    if actor.has_role(Role.ADMIN, Role.ANALYST):
        return true()
    touching = select(WorkItem.instance_id)
    held = sorted(actor.position_ids)
    conditions = [Instance.id.in_(touching.where(WorkItem.position_id.in_(held)))]
    if actor.user_id is not None:  # "== None" would be IS NULL: requests nobody started
        conditions.append(Instance.started_by_id == actor.user_id)
    if actor.has_role(Role.MANAGER):
        units = sorted(managed_units(session, actor) or ())
        conditions.append(Instance.id.in_(touching.where(WorkItem.unit_id.in_(units))))
    return or_(*conditions)


def can_see_instance(session: Session, actor: Actor, instance: Instance) -> bool:
    """Whether ``actor`` may open ``instance``: :func:`visible_requests` asked of its row."""
    row = select(Instance.id).where(Instance.id == instance.id, visible_requests(session, actor))
    return session.scalar(row) is not None


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
