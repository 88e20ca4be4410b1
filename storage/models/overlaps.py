"""Flags of overlapping or unclear responsibility (tumpang tindih) and what analysts did."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column
from storage.models.organization import User
from storage.models.sop import SopVersion


class FlagState(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"  # seen, with a note: accepted as it is, or work planned
    RESOLVED = "resolved"  # a newer SOP version removed it


class OverlapFlag(Base):
    """One flag, found by an analysis run; the same finding keeps its row (by ``key``)."""

    __tablename__ = "overlap_flag"
    __table_args__ = (Index("ix_overlap_flag_listing", "state", "severity_rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across runs: hash of the kind and the evidence ids (engine.overlaps.flag_key).
    key: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    origin: Mapped[str] = mapped_column(String(10))  # "library" (static) or "work" (dynamic)
    severity: Mapped[str] = mapped_column(String(10))
    severity_rank: Mapped[int]  # 0 high, 1 medium, 2 low: what lists sort by
    explanation_en: Mapped[str] = mapped_column(Text)
    explanation_id: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]]
    # The SOP keys of the evidence, space-separated and padded (" a b "), for "flags of SOP x".
    sop_keys: Mapped[str] = mapped_column(Text)
    state: Mapped[FlagState] = enum_column(FlagState, default=FlagState.OPEN)
    note: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # False when the latest analysis no longer finds it (and no new version explains why).
    current: Mapped[bool] = mapped_column(default=True)
    state_changed_at: Mapped[datetime | None]
    state_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_by_version_id: Mapped[int | None] = mapped_column(ForeignKey("sop_version.id"))

    state_changed_by: Mapped[User | None] = relationship(lazy="joined")
    resolved_by_version: Mapped[SopVersion | None] = relationship(lazy="joined")
