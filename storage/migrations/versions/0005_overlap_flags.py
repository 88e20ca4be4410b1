"""Overlap flags (tumpang tindih): what the analysis found and what analysts decided.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 13:35:09.902269
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "overlap_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("severity_rank", sa.Integer(), nullable=False),
        sa.Column("explanation_en", sa.Text(), nullable=False),
        sa.Column("explanation_id", sa.Text(), nullable=False),
        sa.Column(
            "evidence",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("sop_keys", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "acknowledged",
                "resolved",
                name="flagstate",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state_changed_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["resolved_by_version_id"],
            ["sop_version.id"],
            name=op.f("fk_overlap_flag_resolved_by_version_id_sop_version"),
        ),
        sa.ForeignKeyConstraint(
            ["state_changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_overlap_flag_state_changed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overlap_flag")),
        sa.UniqueConstraint("key", name=op.f("uq_overlap_flag_key")),
    )
    with op.batch_alter_table("overlap_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_overlap_flag_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_overlap_flag_listing", ["state", "severity_rank"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("overlap_flag", schema=None) as batch_op:
        batch_op.drop_index("ix_overlap_flag_listing")
        batch_op.drop_index(batch_op.f("ix_overlap_flag_kind"))

    op.drop_table("overlap_flag")
