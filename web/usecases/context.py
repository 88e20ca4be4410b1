"""What every use case receives: the wiring (Context) and who is acting (Actor)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from engine.calendar import CalendarBook
from engine.clock import Clock, system_clock
from engine.definition import EngineOptions
from storage.db import make_read_session_factory, unit_of_work
from storage.models import Role, User
from web.usecases.errors import Forbidden, Phrase, message

ROLE_REQUIRED = message("role_required", "Only {allowed} may {action}; {user} is {role}.")


@dataclass(frozen=True)
class Context:
    """Injected parts: the session factory, the engine's options, the clock and the calendars."""

    sessions: sessionmaker[Session]
    engine_options: EngineOptions = field(default_factory=EngineOptions)
    clock: Clock = system_clock
    # Working calendars per organization (national days off plus the local holidays file).
    calendars: CalendarBook = field(default_factory=CalendarBook)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """The one transaction of a use case (see storage.db.unit_of_work)."""
        with unit_of_work(self.sessions) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads, for long streams (exports) that must not block writers.

        On SQLite it does not take the write lock; anything written in it fails.
        """
        with unit_of_work(make_read_session_factory(self.sessions.kw["bind"])) as session:
            yield session


@dataclass(frozen=True)
class Actor:
    """The person (or the system) on whose behalf a use case runs."""

    user_id: int | None
    username: str
    role: Role
    position_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user: User) -> "Actor":
        return cls(user.id, user.username, user.role, frozenset(p.id for p in user.positions))

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def require_role(self, *roles: Role, action: str) -> None:
        """:raises Forbidden: the actor holds none of ``roles``."""
        if self.role not in roles:
            raise Forbidden(
                ROLE_REQUIRED,
                allowed=[Phrase(r.value) for r in roles],
                action=Phrase(action),
                user=self.username,
                role=Phrase(self.role.value),
            )


# The CLI and the scheduler act as the system: trusted, unattributed in the audit log.
SYSTEM = Actor(user_id=None, username="system", role=Role.ADMIN)
