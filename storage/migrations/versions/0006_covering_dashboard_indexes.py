"""Covering indexes for the dashboard's period scans (measured by bench/dashboard.py).

On 1M steps SQLite picked the status-only scheduler indexes and read every completed row;
these lead with the status and hold the columns the queries read. Overview, 90 days, SQLite:
1310 ms -> 504 ms.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 14:52:40.707923
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instance_ended"))
        batch_op.create_index(
            "ix_instance_done",
            [
                "status",
                "ended_at",
                "sop_id",
                "due_at",
                "cycle_seconds",
                "cycle_office_seconds",
                "standard_office_seconds",
            ],
            unique=False,
        )

    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_item_completed"))
        batch_op.drop_index(batch_op.f("ix_work_item_sop_ready"))
        batch_op.create_index(
            "ix_work_item_sop_ready",
            [
                "sop_id",
                "ready_at",
                "status",
                "activity_id",
                "position_id",
                "unit_id",
                "due_at",
                "breached_at",
                "wait_office_seconds",
                "handle_office_seconds",
                "standard_office_seconds",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_work_item_done",
            [
                "status",
                "completed_at",
                "sop_id",
                "due_at",
                "breached_at",
                "position_id",
                "completed_by_id",
                "unit_id",
                "handle_office_seconds",
            ],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.drop_index("ix_work_item_done")
        batch_op.drop_index("ix_work_item_sop_ready")
        batch_op.create_index(
            batch_op.f("ix_work_item_sop_ready"), ["sop_id", "ready_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_work_item_completed"), ["completed_at", "sop_id"], unique=False
        )

    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.drop_index("ix_instance_done")
        batch_op.create_index(batch_op.f("ix_instance_ended"), ["ended_at", "sop_id"], unique=False)
