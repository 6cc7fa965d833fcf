"""Drop ix_sla_actions_clock_id: the unique (clock_id, kind, label) index already leads with clock_id.

Every triaged complaint writes 18 action rows; each paid an entry in both indexes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 19:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_sla_actions_clock_id", table_name="sla_actions")


def downgrade() -> None:
    op.create_index("ix_sla_actions_clock_id", "sla_actions", ["clock_id"], unique=False)
