"""The names behind the codes an overlap flag's evidence keeps (SOP keys, position and unit
codes), so that pages show a person's words first and the codes beside them."""

from dataclasses import dataclass

from sqlalchemy import select

from storage.models import Position, Sop, Unit
from web.usecases.analysis.overlaps import VIEWERS
from web.usecases.context import Actor, Context


@dataclass(frozen=True)
class Names:
    """Code -> name; a code no longer in the organization or the library has no entry."""

    sops: dict[str, str]
    positions: dict[str, str]
    units: dict[str, str]


def evidence_names(ctx: Context, actor: Actor) -> Names:
    """The names of every SOP, position and unit, by key or code (who may view flags)."""
    actor.require_role(*VIEWERS, action="view overlap flags")
    with ctx.reading() as session:
        return Names(
            sops=dict(session.execute(select(Sop.key, Sop.name)).all()),
            positions=dict(session.execute(select(Position.code, Position.name)).all()),
            units=dict(session.execute(select(Unit.code, Unit.name)).all()),
        )
