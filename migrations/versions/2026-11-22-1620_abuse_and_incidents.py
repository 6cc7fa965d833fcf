"""Abuse review queue, sender blocks and mass incidents.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 16:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    "'product_defect', 'payment_billing', 'delivery_logistics', 'service_attitude', 'account_security', "
    "'privacy', 'product_quality', 'refund_return', 'suggestion', 'other'"
)


def _timestamp(name: str, *, nullable: bool = True, now: bool = False) -> sa.Column[object]:
    default = sa.text("now()") if now else None
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def upgrade() -> None:
    op.add_column("complaints", sa.Column("sender_key", sa.String(300), nullable=True))
    op.create_index("ix_complaints_sender_key_id", "complaints", ["sender_key", "id"])

    op.create_table(
        "abuse_blocks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sender_key", sa.String(300), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "complaint_id",
            sa.Uuid(),
            nullable=True,
            comment="The reviewed complaint whose confirmation imposed the block",
        ),
        sa.Column("created_by", sa.String(200), nullable=False),
        _timestamp("created_at", nullable=False, now=True),
        _timestamp("expires_at", nullable=False),
        _timestamp("lifted_at"),
        sa.Column("lifted_by", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_abuse_blocks_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_abuse_blocks_complaint_id_complaints")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_abuse_blocks")),
    )
    op.create_index(
        "ix_abuse_blocks_live_sender_key",
        "abuse_blocks",
        ["sender_key"],
        postgresql_where=sa.text("lifted_at IS NULL"),
    )

    op.create_table(
        "abuse_reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("sender_key", sa.String(300), nullable=True),
        sa.Column("reasons", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), server_default="pending", nullable=False),
        sa.Column("block_id", sa.Uuid(), nullable=True),
        _timestamp("created_at", nullable=False, now=True),
        _timestamp("decided_at"),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'released')", name=op.f("ck_abuse_reviews_status")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_abuse_reviews_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["block_id"], ["abuse_blocks.id"], name=op.f("fk_abuse_reviews_block_id_abuse_blocks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_abuse_reviews")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_abuse_reviews_complaint_id")),
    )
    op.create_index("ix_abuse_reviews_status_id", "abuse_reviews", ["status", "id"])
    op.create_index(
        "ix_abuse_reviews_pending_sender_key",
        "abuse_reviews",
        ["sender_key"],
        postgresql_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "incidents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("app_version", sa.String(64), nullable=True),
        sa.Column("product_sku", sa.String(128), nullable=True),
        sa.Column("status", sa.String(16), server_default="open", nullable=False),
        sa.Column(
            "automatic", sa.Boolean(), nullable=False, comment="Opened by detection rather than by a person"
        ),
        sa.Column("opened_by", sa.String(200), nullable=False),
        _timestamp("created_at", nullable=False, now=True),
        _timestamp("updated_at", nullable=False, now=True),
        _timestamp("resolved_at"),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.Column("resolution_code", sa.String(32), nullable=True),
        sa.Column("resolution_summary", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_incidents_status")),
        sa.CheckConstraint(f"category IN ({CATEGORIES})", name=op.f("ck_incidents_category")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index("ix_incidents_status_id", "incidents", ["status", "id"])
    op.create_index(
        "ix_incidents_open_category", "incidents", ["category"], postgresql_where=sa.text("status = 'open'")
    )

    op.create_table(
        "incident_complaints",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("linked_by", sa.String(200), nullable=False),
        _timestamp("linked_at", nullable=False, now=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_incident_complaints_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_complaints_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_incident_complaints")),
    )
    op.create_index(
        "ix_incident_complaints_incident_id", "incident_complaints", ["incident_id", "complaint_id"]
    )

    op.create_table(
        "incident_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column(
            "data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("request_id", sa.String(64), nullable=True),
        _timestamp("occurred_at", nullable=False, now=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_events_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
    )
    op.create_index("ix_incident_events_incident_id_id", "incident_events", ["incident_id", "id"])

    op.create_table(
        "incident_updates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        _timestamp("created_at", nullable=False, now=True),
        _timestamp("completed_at"),
        sa.CheckConstraint("kind IN ('update', 'resolution')", name=op.f("ck_incident_updates_kind")),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_updates_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_updates")),
    )
    op.create_index("ix_incident_updates_incident_id_id", "incident_updates", ["incident_id", "id"])
    op.create_index(
        "ix_incident_updates_unsent",
        "incident_updates",
        ["created_at"],
        postgresql_where=sa.text("completed_at IS NULL"),
    )

    op.create_table(
        "incident_notices",
        sa.Column("update_id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column(
            "message_id", sa.Uuid(), nullable=True, comment="Null when the channel had nothing to send"
        ),
        _timestamp("sent_at", nullable=False, now=True),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["incident_updates.id"],
            name=op.f("fk_incident_notices_update_id_incident_updates"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_incident_notices_complaint_id_complaints")
        ),
        sa.PrimaryKeyConstraint("update_id", "complaint_id", name=op.f("pk_incident_notices")),
    )


def downgrade() -> None:
    op.drop_table("incident_notices")
    op.drop_table("incident_updates")
    op.drop_table("incident_events")
    op.drop_table("incident_complaints")
    op.drop_table("incidents")
    op.drop_table("abuse_reviews")
    op.drop_table("abuse_blocks")
    op.drop_index("ix_complaints_sender_key_id", table_name="complaints")
    op.drop_column("complaints", "sender_key")
