"""Where an SOP version came from: the library file it was loaded from, or a person.

`alur load-processes` publishes a file only when the SOP's newest version came from that same
file. Versions stored before this revision without an uploader (created_by_id NULL) could only
have come from the library, whose files are named after their SOP's key.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 16:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sop_version") as batch:
        batch.add_column(sa.Column("source_file", sa.String(length=255), nullable=True))
    op.execute(
        "UPDATE sop_version SET source_file = "
        "(SELECT sop.key FROM sop WHERE sop.id = sop_version.sop_id) || '.bpmn' "
        "WHERE created_by_id IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("sop_version") as batch:
        batch.drop_column("source_file")
