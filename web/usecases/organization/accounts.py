"""Changing who holds which positions, and ending (or restoring) someone's access.

Steps a person had claimed but may no longer work on go back to their position's shared
inbox in the same transaction, so no request waits on someone who cannot act.
"""

from collections.abc import Iterable

from sqlalchemy.orm import Session

from storage.models import Role, User, WorkItemStatus
from storage.repositories import organization as repo
from storage.repositories import runtime as runtime_repo
from web.usecases.context import Actor, Context
from web.usecases.errors import Conflict, NotFound, message
from web.usecases.runtime.holding import return_to_inbox
from web.usecases.runtime.progress import record

USER_NOT_FOUND = message("user_not_found", "User {username} does not exist.")
POSITIONS_UNKNOWN = message("positions_unknown", "Unknown positions: {codes}.")
SELF_DEACTIVATION = message("user_self_deactivation", "You cannot deactivate your own account.")


def _user(session: Session, username: str) -> User:
    user = repo.user_by_username(session, username)
    if user is None:
        raise NotFound(USER_NOT_FOUND, username=username)
    return user


def _release_claims(
    session: Session,
    ctx: Context,
    actor: Actor,
    user: User,
    reason: str,
    position_ids: Iterable[int] | None = None,
) -> int:
    """Give ``user``'s claimed steps back to their positions; returns how many."""
    released = 0
    wanted = None if position_ids is None else sorted(position_ids)
    # Request by request in id order, so two releases cannot lock requests in opposite orders.
    claimed = runtime_repo.claimed_items(session, user.id, wanted)
    for found in sorted(claimed, key=lambda item: (item.instance_id, item.id)):
        # Locked and re-read: it may have been completed or given back meanwhile.
        item = runtime_repo.lock_work_item(session, found.id)
        if (
            item is not None
            and item.status == WorkItemStatus.CLAIMED
            and item.claimed_by_id == user.id
        ):
            return_to_inbox(session, ctx, actor, item, claimed_by=user.username, reason=reason)
            released += 1
    return released


def get_user(ctx: Context, actor: Actor, username: str) -> User:
    """A user with the positions they hold (admins only)."""
    actor.require_role(Role.ADMIN, action="view users")
    with ctx.transaction() as session:
        return _user(session, username)


def set_user_positions(
    ctx: Context, actor: Actor, username: str, position_codes: Iterable[str]
) -> User:
    """Make ``username`` hold exactly ``position_codes``.

    Steps they had claimed in a position they no longer hold return to that position's inbox.

    :raises NotFound: the user or one of the positions does not exist.
    """
    actor.require_role(Role.ADMIN, action="change who holds positions")
    codes = sorted(set(position_codes))
    with ctx.transaction() as session:
        user = _user(session, username)
        positions = repo.positions_by_codes(session, codes)
        missing = sorted(set(codes) - set(positions))
        if missing:
            raise NotFound(POSITIONS_UNKNOWN, {"positions": missing}, codes=missing)
        before = {p.code: p.id for p in user.positions}
        if set(before) == set(codes):
            return user
        user.positions = [positions[code] for code in codes]
        dropped = [before[code] for code in set(before) - set(codes)]
        released = _release_claims(session, ctx, actor, user, "position_removed", dropped)
        record(
            session,
            ctx,
            actor,
            "user_positions_changed",
            username=username,
            before=sorted(before),
            after=codes,
            released=released,
        )
        return user


def deactivate_user(ctx: Context, actor: Actor, username: str) -> User:
    """End a user's access: no more logins or tokens; their claimed steps are released.

    :raises Conflict: admins cannot deactivate themselves (nobody might be left to undo it).
    """
    actor.require_role(Role.ADMIN, action="deactivate users")
    with ctx.transaction() as session:
        user = _user(session, username)
        if user.id == actor.user_id:
            raise Conflict(SELF_DEACTIVATION, {"user": username})
        if not user.is_active:
            return user
        user.is_active = False
        released = _release_claims(session, ctx, actor, user, "user_deactivated")
        record(session, ctx, actor, "user_deactivated", username=username, released=released)
        return user


def reactivate_user(ctx: Context, actor: Actor, username: str) -> User:
    """Restore the access of a deactivated user, with the positions they still hold."""
    actor.require_role(Role.ADMIN, action="reactivate users")
    with ctx.transaction() as session:
        user = _user(session, username)
        if user.is_active:
            return user
        user.is_active = True
        user.failed_logins, user.locked_until = 0, None
        record(session, ctx, actor, "user_reactivated", username=username)
        return user
