"""Per-day summaries of completed steps and requests, read by the dashboard.

Filled by `alur db upgrade` (web.usecases.dashboard.summaries.ensure), kept current as steps and
requests complete.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 16:05:03.960260
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
        "request_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sop_version_id", sa.Integer(), nullable=False),
        sa.Column("units", sa.Text(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("measured", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("histogram", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["sop_id"], ["sop.id"], name=op.f("fk_request_day_sop_id_sop")),
        sa.ForeignKeyConstraint(
            ["sop_version_id"],
            ["sop_version.id"],
            name=op.f("fk_request_day_sop_version_id_sop_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_day")),
        sa.UniqueConstraint("sop_id", "day", "sop_version_id", "units", name="uq_request_day_key"),
    )
    with op.batch_alter_table("request_day", schema=None) as batch_op:
        batch_op.create_index("ix_request_day_day", ["day"], unique=False)

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
    op.create_table(
        "step_done_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sop_version_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("measured", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sop_id"], ["sop.id"], name=op.f("fk_step_done_day_sop_id_sop")),
        sa.ForeignKeyConstraint(
            ["sop_version_id"],
            ["sop_version.id"],
            name=op.f("fk_step_done_day_sop_version_id_sop_version"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_step_done_day_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_done_day")),
        sa.UniqueConstraint(
            "sop_id", "day", "sop_version_id", "unit_id", name="uq_step_done_day_key"
        ),
    )


def downgrade() -> None:
    op.drop_table("step_done_day")
    op.drop_table("step_day")
    with op.batch_alter_table("request_day", schema=None) as batch_op:
        batch_op.drop_index("ix_request_day_day")

    op.drop_table("request_day")
