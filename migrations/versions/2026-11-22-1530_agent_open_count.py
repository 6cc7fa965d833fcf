"""Agents keep a count of their open complaints, so assignment need not count them each time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 15:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE agents SET open_count = counts.n
FROM (SELECT assignee_id, count(*) AS n FROM complaints
      WHERE assignee_id IS NOT NULL
        AND status IN ('new', 'triaged', 'assigned', 'in_progress', 'pending_customer')
      GROUP BY assignee_id) AS counts
WHERE agents.id = counts.assignee_id
"""


def upgrade() -> None:
    op.add_column(
        "agents",
        sa.Column(
            "open_count",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="Open complaints assigned; kept with each (re)assignment",
        ),
    )
    op.create_check_constraint(op.f("ck_agents_open_count"), "agents", "open_count >= 0")
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_constraint(op.f("ck_agents_open_count"), "agents", type_="check")
    op.drop_column("agents", "open_count")
