"""Collaboration requests between departments, on their own SLA clock.

A request's deadline is an `sla_clocks` row of the new kind `collaboration`, so the SLA timers (claim,
deferred jobs, reconciler) fire its warnings and breach.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 16:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMPLAINT_CLOCK_KINDS = "'first_response', 'next_response', 'periodic_update', 'resolution'"


def _timestamp(
    name: str, *, nullable: bool = True, now: bool = False, comment: str | None = None
) -> sa.Column[object]:
    default = sa.text("now()") if now else None
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=default, nullable=nullable, comment=comment
    )


def upgrade() -> None:
    op.drop_constraint(op.f("ck_sla_clocks_kind"), "sla_clocks", type_="check")
    op.create_check_constraint(
        op.f("ck_sla_clocks_kind"), "sla_clocks", f"kind IN ({COMPLAINT_CLOCK_KINDS}, 'collaboration')"
    )
    op.create_table(
        "collaboration_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("clock_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_department",
            sa.String(64),
            nullable=True,
            comment="The complaint's department when asked; null for an unrouted complaint",
        ),
        sa.Column("to_department", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column(
            "requested_by", sa.String(200), nullable=False, comment="Actor: user:<id> or api_key:<name>"
        ),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        _timestamp("due_at", nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True, comment="Why it was declined or cancelled"),
        _timestamp("closed_at", comment="Answered, declined or cancelled at"),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.Column("closed_by_id", sa.Uuid(), nullable=True),
        _timestamp("created_at", nullable=False, now=True),
        _timestamp("updated_at", nullable=False, now=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'declined', 'cancelled')",
            name=op.f("ck_collaboration_requests_status"),
        ),
        sa.CheckConstraint(
            "status <> 'answered' OR answer IS NOT NULL",
            name=op.f("ck_collaboration_requests_answered_has_answer"),
        ),
        sa.CheckConstraint(
            "status <> 'declined' OR reason IS NOT NULL",
            name=op.f("ck_collaboration_requests_declined_has_reason"),
        ),
        sa.CheckConstraint(
            "(status = 'open') = (closed_at IS NULL)", name=op.f("ck_collaboration_requests_closed_at")
        ),
        sa.CheckConstraint(
            "from_department IS DISTINCT FROM to_department",
            name=op.f("ck_collaboration_requests_other_department"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_collaboration_requests_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clock_id"], ["sla_clocks.id"], name=op.f("fk_collaboration_requests_clock_id_sla_clocks")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["agents.id"],
            name=op.f("fk_collaboration_requests_requested_by_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["agents.id"],
            name=op.f("fk_collaboration_requests_closed_by_id_agents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collaboration_requests")),
        sa.UniqueConstraint("clock_id", name=op.f("uq_collaboration_requests_clock_id")),
    )
    op.create_index(
        "ix_collaboration_requests_to_department_status_id",
        "collaboration_requests",
        ["to_department", "status", "id"],
    )
    op.create_index(
        "ix_collaboration_requests_complaint_id_id", "collaboration_requests", ["complaint_id", "id"]
    )


def downgrade() -> None:
    op.drop_table("collaboration_requests")
    op.execute("DELETE FROM sla_clocks WHERE kind = 'collaboration'")  # their actions cascade
    op.drop_constraint(op.f("ck_sla_clocks_kind"), "sla_clocks", type_="check")
    op.create_check_constraint(op.f("ck_sla_clocks_kind"), "sla_clocks", f"kind IN ({COMPLAINT_CLOCK_KINDS})")
