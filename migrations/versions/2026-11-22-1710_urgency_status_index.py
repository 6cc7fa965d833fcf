"""List index for urgency and status together (keyset order by id).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 17:10:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `urgency=P1&status=in_progress`, 100 pages deep at 1,000,000 complaints: p99 180 ms on
    # ix_complaints_urgency_id, which reads every P1 to find the ones in progress.
    op.create_index("ix_complaints_urgency_status_id", "complaints", ["urgency", "status", "id"])


def downgrade() -> None:
    op.drop_index("ix_complaints_urgency_status_id", table_name="complaints")
