"""Spike alerts; analytics: customer activity events, business-time durations and range indexes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 16:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Analytics (issue 5): business-time durations on complaints and the indexes of the figures.
ANALYTICS_DURATIONS = (
    (
        "first_response_business_seconds",
        "Business time from receipt to the first answer, on the complaint's SLA calendar",
    ),
    (
        "resolution_business_seconds",
        "Business time from receipt to the (latest) resolution, on its SLA calendar",
    ),
)
ANALYTICS_RANGE_INDEXES = (
    ("complaints", "ix_complaints_first_response_due_at", "first_response_due_at"),
    ("complaints", "ix_complaints_first_response_at", "first_response_at"),
    ("complaints", "ix_complaints_resolved_at", "resolved_at"),
    ("surveys", "ix_surveys_answered_at", "answered_at"),
    ("surveys", "ix_surveys_sent_at", "sent_at"),
)
OPEN_BACKLOG = "status IN ('new', 'triaged', 'assigned', 'in_progress', 'pending_customer')"
DURATIONS_PENDING = (
    "(first_response_at IS NOT NULL AND first_response_business_seconds IS NULL) "
    "OR (resolved_at IS NOT NULL AND resolution_business_seconds IS NULL)"
)


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dimension", sa.String(32), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "count", sa.Integer(), nullable=False, comment="Most complaints seen in one window of the episode"
        ),
        sa.Column("baseline_mean", sa.Float(), nullable=False),
        sa.Column("baseline_stddev", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False, comment="The count had to exceed this"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
        sa.CheckConstraint(
            "dimension IN ('category', 'product_sku', 'app_version')", name=op.f("ck_alerts_dimension")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint(
            "dimension", "value", "window_start", name=op.f("uq_alerts_dimension_value_window_start")
        ),
    )
    op.create_index(
        "ix_alerts_unacknowledged_id", "alerts", ["id"], postgresql_where=sa.text("acknowledged_at IS NULL")
    )

    # --- analytics: customer activity, stored business-time durations, range indexes (issue 5) ---
    op.create_table(
        "customer_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False, comment="e.g. order_placed, login, active"),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("reported_by", sa.String(200), nullable=False, comment="The actor that reported it"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_events_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_events")),
        sa.UniqueConstraint(
            "customer_id", "external_id", name=op.f("uq_customer_events_customer_id_external_id")
        ),
    )
    op.create_index(
        "ix_customer_events_customer_id_occurred_at", "customer_events", ["customer_id", "occurred_at"]
    )
    op.create_table(
        "customer_activity",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_activity_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_activity")),
    )
    for column, comment in ANALYTICS_DURATIONS:
        op.add_column("complaints", sa.Column(column, sa.Integer(), nullable=True, comment=comment))
    # complaints is the big table: build its indexes without blocking intake.
    with op.get_context().autocommit_block():
        for table, name, column in ANALYTICS_RANGE_INDEXES:
            op.create_index(name, table, [column], postgresql_concurrently=True)
        op.create_index(
            "ix_complaints_open_status_received_at",
            "complaints",
            ["status", "received_at"],
            postgresql_include=["department"],
            postgresql_where=sa.text(OPEN_BACKLOG),
            postgresql_concurrently=True,
        )
        op.create_index(
            "ix_complaints_durations_pending",
            "complaints",
            ["id"],
            postgresql_where=sa.text(DURATIONS_PENDING),
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    # --- analytics (issue 5) ---
    op.drop_index("ix_complaints_durations_pending", table_name="complaints")
    op.drop_index("ix_complaints_open_status_received_at", table_name="complaints")
    for table, name, _ in ANALYTICS_RANGE_INDEXES:
        op.drop_index(name, table_name=table)
    for column, _ in ANALYTICS_DURATIONS:
        op.drop_column("complaints", column)
    op.drop_table("customer_activity")
    op.drop_index("ix_customer_events_customer_id_occurred_at", table_name="customer_events")
    op.drop_table("customer_events")
    # --- alerts ---
    op.drop_index("ix_alerts_unacknowledged_id", table_name="alerts")
    op.drop_table("alerts")
