"""SOPs and their versions: the BPMN as uploaded, and what the engine made of it."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class Sop(Base):
    """An SOP AP; its key is the BPMN process id and stays the same across versions."""

    __tablename__ = "sop"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    # Starts every reference number of its requests (SKD-2026-00001); unique across SOPs.
    reference_prefix: Mapped[str] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime]

    versions: Mapped[list["SopVersion"]] = relationship(
        back_populates="sop", order_by="SopVersion.number"
    )


class SopVersion(Base):
    """One uploaded BPMN of an SOP. Instances keep the version they started on."""

    __tablename__ = "sop_version"
    __table_args__ = (UniqueConstraint("sop_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_id: Mapped[int] = mapped_column(ForeignKey("sop.id"), index=True)
    number: Mapped[int]
    status: Mapped[VersionStatus] = enum_column(VersionStatus, default=VersionStatus.DRAFT)
    name: Mapped[str] = mapped_column(String(300))
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    bpmn_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # The SOP AP fields read from the BPMN (identity, lanes, activities with mutu baku, forms).
    sop_metadata: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    # The parsed SpiffWorkflow spec, serialized once here and not in every instance state.
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    serializer_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The library file (`alur load-processes`) this version came from; None when a person
    # uploaded it (API, modeler), so loading the library never overwrites their newer version.
    source_file: Mapped[str | None] = mapped_column(String(255))

    sop: Mapped[Sop] = relationship(back_populates="versions", lazy="joined")
