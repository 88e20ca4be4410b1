"""Lookups of SOPs and their versions."""

from sqlalchemy import func, select
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
