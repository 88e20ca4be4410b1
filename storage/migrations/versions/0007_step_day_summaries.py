"""Per-day summaries of completed steps, read by the one-SOP dashboard page.

Filled by `alur db upgrade` (web.usecases.step_days.ensure), kept current as steps complete.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 15:55:08.124552
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "step_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sop_version_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("activity_name", sa.String(length=300), nullable=False),
        sa.Column("lane", sa.String(length=200), nullable=True),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("measured", sa.Integer(), nullable=False),
        sa.Column("breached", sa.Integer(), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.Column("histogram", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["position_id"], ["position.id"], name=op.f("fk_step_day_position_id_position")
        ),
        sa.ForeignKeyConstraint(["sop_id"], ["sop.id"], name=op.f("fk_step_day_sop_id_sop")),
        sa.ForeignKeyConstraint(
            ["sop_version_id"],
            ["sop_version.id"],
            name=op.f("fk_step_day_sop_version_id_sop_version"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_step_day_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_day")),
        sa.UniqueConstraint(
            "sop_id",
            "day",
            "sop_version_id",
            "activity_id",
            "unit_id",
            "position_id",
            name="uq_step_day_key",
        ),
    )


def downgrade() -> None:
    op.drop_table("step_day")
