"""The organization as a tree: units nested under their parents, each with its positions and
the active people holding them."""

from dataclasses import dataclass, field

from storage.models import Role
from storage.repositories import organization as repo
from web.usecases.context import Actor, Context


@dataclass(frozen=True)
class Holder:
    username: str
    full_name: str


@dataclass(frozen=True)
class PositionNode:
    code: str
    name: str
    holders: tuple[Holder, ...]


@dataclass
class UnitNode:
    code: str
    name: str
    positions: list[PositionNode] = field(default_factory=list)
    children: list["UnitNode"] = field(default_factory=list)

    def walk(self, depth: int = 0):
        """This unit and the units below it, depth-first, as (depth, unit)."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


def organization_chart(ctx: Context, actor: Actor) -> list[UnitNode]:
    """The top-level units (each with its sub-units), by name (admins only)."""
    actor.require_role(Role.ADMIN, action="view the organization chart")
    with ctx.transaction() as session:
        units = repo.list_units(session)
        positions = repo.list_positions(session)
        users = [u for u in repo.list_users(session) if u.is_active]
    holders: dict[int, list[Holder]] = {}
    for user in sorted(users, key=lambda u: u.full_name):
        for position in user.positions:
            holders.setdefault(position.id, []).append(Holder(user.username, user.full_name))
    nodes = {unit.id: UnitNode(unit.code, unit.name) for unit in units}
    for position in positions:
        nodes[position.unit_id].positions.append(
            PositionNode(position.code, position.name, tuple(holders.get(position.id, ())))
        )
    roots = []
    for unit in sorted(units, key=lambda u: u.name):
        node = nodes[unit.id]
        (nodes[unit.parent_id].children if unit.parent_id in nodes else roots).append(node)
    return roots
