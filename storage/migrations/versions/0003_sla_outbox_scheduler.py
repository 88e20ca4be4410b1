"""SLA states, breaches recorded once, reminders in an outbox, the scheduler's job store.

Work items get at_risk_at / warned_at / breached_at, instances their own due_at / at_risk_at,
organizations their working hours; the outbox table queues reminders; apscheduler_jobs is
APScheduler 3's SQLAlchemyJobStore table, exactly as APScheduler declares it.

Steps opened before this revision have no at_risk_at: they are never "at risk", only on time
or breached (Alur had no production data then).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 11:11:07.986504
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_apscheduler_jobs_next_run_time"), ["next_run_time"], unique=False
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "work_item_at_risk",
                "work_item_breached",
                "escalation",
                name="reminderkind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("position_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("work_item_id", sa.Integer(), nullable=True),
        sa.Column(
            "payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instance.id"], name=op.f("fk_outbox_instance_id_instance")
        ),
        sa.ForeignKeyConstraint(
            ["position_id"], ["position.id"], name=op.f("fk_outbox_position_id_position")
        ),
        sa.ForeignKeyConstraint(
            ["work_item_id"], ["work_item.id"], name=op.f("fk_outbox_work_item_id_work_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index("ix_outbox_pending", ["sent_at", "next_attempt_at"], unique=False)

    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("at_risk_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_instance_overdue", ["status", "due_at"], unique=False)

    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "working_hours",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=True,
            )
        )

    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("at_risk_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_work_item_breach_scan", ["status", "breached_at", "due_at"], unique=False
        )
        batch_op.create_index(
            "ix_work_item_warning_scan", ["status", "warned_at", "at_risk_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.drop_index("ix_work_item_warning_scan")
        batch_op.drop_index("ix_work_item_breach_scan")
        batch_op.drop_column("breached_at")
        batch_op.drop_column("warned_at")
        batch_op.drop_column("at_risk_at")

    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("working_hours")

    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.drop_index("ix_instance_overdue")
        batch_op.drop_column("at_risk_at")
        batch_op.drop_column("due_at")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")
        batch_op.drop_index(batch_op.f("ix_outbox_instance_id"))
    op.drop_table("outbox")

    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apscheduler_jobs_next_run_time"))
    op.drop_table("apscheduler_jobs")
