"""Lookups of SOPs and their versions."""

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, selectinload, undefer

from storage.models import Sop, SopVersion, VersionStatus


def sop_by_key(session: Session, key: str) -> Sop | None:
    return session.scalar(select(Sop).where(Sop.key == key))


def version(session: Session, key: str, number: int) -> SopVersion | None:
    return session.scalar(
        select(SopVersion)
        .join(Sop)
        .where(Sop.key == key, SopVersion.number == number)
        .options(undefer(SopVersion.sop_metadata))
    )


def latest_version(session: Session, sop_id: int) -> SopVersion | None:
    return session.scalar(
        select(SopVersion).where(SopVersion.sop_id == sop_id).order_by(SopVersion.number.desc())
    )


def version_by_sha256(session: Session, sop_id: int, sha256: str) -> SopVersion | None:
    """The newest version of the SOP whose BPMN is exactly the file with this digest."""
    return session.scalar(
        select(SopVersion)
        .where(SopVersion.sop_id == sop_id, SopVersion.bpmn_sha256 == sha256)
        .order_by(SopVersion.number.desc())
    )


def published_version(session: Session, key: str) -> SopVersion | None:
    return session.scalar(
        select(SopVersion)
        .join(Sop)
        .where(Sop.key == key, SopVersion.status == VersionStatus.PUBLISHED)
        .options(undefer(SopVersion.sop_metadata))
    )


def reference_prefix_taken(session: Session, prefix: str) -> bool:
    return session.scalar(select(func.count()).where(Sop.reference_prefix == prefix)) > 0


def list_sops(session: Session) -> list[Sop]:
    return list(session.scalars(select(Sop).order_by(Sop.key).options(selectinload(Sop.versions))))


def _identity(field: str):
    """An SOP AP identity field of a version, as text, straight from the stored JSON."""
    return SopVersion.sop_metadata[("identity", field)].as_string()


def published(
    session: Session, search: str | None, unit: str | None, offset: int, limit: int
) -> tuple[list[Row], int]:
    """One page of published SOPs by name, and how many match in all.

    Rows have key, name, number, unit (the last two from the SOP AP identity), version and
    published_at; ``search`` matches name, number or key, ``unit`` the owning unit exactly.
    """
    number, owner = _identity("number"), _identity("unit")
    query = (
        select(
            Sop.key,
            SopVersion.name,
            number.label("number"),
            owner.label("unit"),
            SopVersion.number.label("version"),
            SopVersion.published_at,
        )
        .join(SopVersion, SopVersion.sop_id == Sop.id)
        .where(SopVersion.status == VersionStatus.PUBLISHED)
        .order_by(SopVersion.name, Sop.key)
    )
    if search:
        query = query.where(
            SopVersion.name.icontains(search, autoescape=True)
            | number.icontains(search, autoescape=True)
            | Sop.key.icontains(search, autoescape=True)
        )
    if unit:
        query = query.where(owner == unit)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return list(session.execute(query.offset(offset).limit(limit))), int(total or 0)


def published_units(session: Session) -> list[str]:
    """The owning units named by published SOPs, for filtering the library."""
    owner = _identity("unit")
    rows = session.scalars(
        select(owner)
        .where(SopVersion.status == VersionStatus.PUBLISHED, owner.is_not(None))
        .distinct()
        .order_by(owner)
    )
    return list(rows)


def unpublished_sops(session: Session) -> list[Sop]:
    """SOPs that have versions but none published (drafts held back or not yet released)."""
    released = select(SopVersion.sop_id).where(SopVersion.status == VersionStatus.PUBLISHED)
    return list(
        session.scalars(
            select(Sop)
            .where(Sop.id.not_in(released))
            .order_by(Sop.name)
            .options(selectinload(Sop.versions))
        )
    )


def lanes_of_current_versions(session: Session) -> list[Row]:
    """Lanes of the versions that matter: published ones, and drafts newer than them.

    Rows have key, name, number, status and lanes, by SOP key and version number.
    """
    current = (
        select(SopVersion.sop_id, SopVersion.number.label("number"))
        .where(SopVersion.status == VersionStatus.PUBLISHED)
        .subquery()
    )
    rows = session.execute(
        select(
            Sop.key,
            SopVersion.name,
            SopVersion.number,
            SopVersion.status,
            SopVersion.sop_metadata["lanes"],
        )
        .join(SopVersion, SopVersion.sop_id == Sop.id)
        .outerjoin(current, current.c.sop_id == Sop.id)
        .where(
            (SopVersion.status == VersionStatus.PUBLISHED)
            | (
                (SopVersion.status == VersionStatus.DRAFT)
                & (current.c.number.is_(None) | (SopVersion.number > current.c.number))
            )
        )
        .order_by(Sop.key, SopVersion.number)
    )
    return list(rows)
