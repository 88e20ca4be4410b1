"""Dashboard figures: SOP ids copied onto requests and steps, durations written when they end.

The SOP ids are filled here from the versions. The durations of requests and steps that ended
before this revision need the organization's working calendar, which is Python, so
``alur db upgrade`` fills them after migrating (web.usecases.runtime.durations.backfill).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 13:02:51.530879
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sop_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cycle_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cycle_office_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("standard_office_seconds", sa.Integer(), nullable=True))
        batch_op.create_index("ix_instance_ended", ["ended_at", "sop_id"], unique=False)
        batch_op.create_index("ix_instance_started", ["started_at", "sop_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_instance_sop_id_sop"), "sop", ["sop_id"], ["id"])

    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sop_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sop_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("standard_office_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("wait_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("wait_office_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("handle_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("handle_office_seconds", sa.Integer(), nullable=True))
        batch_op.create_index("ix_work_item_completed", ["completed_at", "sop_id"], unique=False)
        batch_op.create_index(
            "ix_work_item_completed_by", ["completed_by_id", "completed_at"], unique=False
        )
        batch_op.create_index("ix_work_item_sop_ready", ["sop_id", "ready_at"], unique=False)
        batch_op.create_index(
            "ix_work_item_unit_instance", ["unit_id", "instance_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_work_item_sop_version_id_sop_version"),
            "sop_version",
            ["sop_version_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_work_item_sop_id_sop"), "sop", ["sop_id"], ["id"]
        )

    op.execute(
        "UPDATE instance SET sop_id = "
        "(SELECT v.sop_id FROM sop_version v WHERE v.id = instance.sop_version_id)"
    )
    op.execute(
        "UPDATE work_item SET "
        "sop_id = (SELECT i.sop_id FROM instance i WHERE i.id = work_item.instance_id), "
        "sop_version_id = "
        "(SELECT i.sop_version_id FROM instance i WHERE i.id = work_item.instance_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_work_item_sop_id_sop"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_work_item_sop_version_id_sop_version"), type_="foreignkey"
        )
        batch_op.drop_index("ix_work_item_unit_instance")
        batch_op.drop_index("ix_work_item_sop_ready")
        batch_op.drop_index("ix_work_item_completed_by")
        batch_op.drop_index("ix_work_item_completed")
        batch_op.drop_column("handle_office_seconds")
        batch_op.drop_column("handle_seconds")
        batch_op.drop_column("wait_office_seconds")
        batch_op.drop_column("wait_seconds")
        batch_op.drop_column("standard_office_seconds")
        batch_op.drop_column("sop_version_id")
        batch_op.drop_column("sop_id")

    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_instance_sop_id_sop"), type_="foreignkey")
        batch_op.drop_index("ix_instance_started")
        batch_op.drop_index("ix_instance_ended")
        batch_op.drop_column("standard_office_seconds")
        batch_op.drop_column("cycle_office_seconds")
        batch_op.drop_column("cycle_seconds")
        batch_op.drop_column("sop_id")
