"""The SOP library as people read it: published SOPs to browse, and one SOP's document."""

from dataclasses import dataclass
from datetime import datetime

from storage.models import Role, Sop, SopVersion
from storage.repositories import sops as repo
from web.usecases.context import Actor, Context
from web.usecases.errors import NotFound
from web.usecases.library.sops import SOP_NOT_FOUND, VERSION_NOT_FOUND
from web.usecases.pagination import Page, PageRequest

MAX_PER_PAGE = 100
_EDITORS = (Role.ANALYST, Role.ADMIN)


@dataclass(frozen=True)
class LibraryEntry:
    """A published SOP as the library lists it."""

    key: str
    name: str
    number: str | None
    unit: str | None
    version: int
    published_at: datetime | None


def published_sops(
    ctx: Context,
    actor: Actor,
    request: PageRequest,
    search: str | None = None,
    unit: str | None = None,
) -> Page:
    """A page of published SOPs by name; ``search`` matches name, Nomor SOP or key."""
    request = request.clamped(MAX_PER_PAGE)
    with ctx.transaction() as session:
        rows, total = repo.published(
            session,
            (search or "").strip() or None,
            unit or None,
            (request.page - 1) * request.per_page,
            request.per_page,
        )
    items = [LibraryEntry(*row) for row in rows]
    return Page(items, total, request.page, request.per_page)


def library_units(ctx: Context, actor: Actor) -> list[str]:
    """The units owning published SOPs (to filter the library by)."""
    with ctx.transaction() as session:
        return repo.published_units(session)


def unpublished_sops(ctx: Context, actor: Actor) -> list[Sop]:
    """SOPs with drafts but no published version; empty for those who cannot publish."""
    if not actor.has_role(*_EDITORS):
        return []
    with ctx.transaction() as session:
        return repo.unpublished_sops(session)


@dataclass(frozen=True)
class SopDocument:
    """One version of an SOP, with the SOP and all its versions (to switch between them)."""

    sop: Sop
    version: SopVersion

    @property
    def metadata(self) -> dict:
        return self.version.sop_metadata


def sop_document(ctx: Context, actor: Actor, key: str, number: int | None = None) -> SopDocument:
    """A version of an SOP; without ``number`` the published one, else the latest.

    :raises NotFound: no such SOP or version.
    """
    with ctx.transaction() as session:
        sop = repo.sop_by_key(session, key)
        if sop is None or not sop.versions:
            raise NotFound(SOP_NOT_FOUND, key=key)
        if number is None:
            current = repo.published_version(session, key)
            number = current.number if current else sop.versions[-1].number
        version = repo.version(session, key, number)
        if version is None:
            raise NotFound(VERSION_NOT_FOUND, key=key, number=number)
        return SopDocument(sop, version)
