"""Create the intake schema: customers, identities, complaints, messages, events, API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 10:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Human references (C20261122-000123): the date in the configured zone plus a global sequence.
# A sequence never blocks concurrent intakes, unlike a per-day counter row would.
REFERENCE_FUNCTION = """
CREATE FUNCTION complaint_reference(prefix text, tz text) RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT prefix || to_char(now() AT TIME ZONE tz, 'YYYYMMDD') || '-'
         || lpad(n::text, greatest(6, length(n::text)), '0')
  FROM nextval('complaint_reference_seq') AS n
$$
"""


def upgrade() -> None:
    op.execute("CREATE SEQUENCE complaint_reference_seq")
    op.execute(REFERENCE_FUNCTION)
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_keys_token_hash")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("tier", sa.String(length=20), server_default="standard", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("tier IN ('standard', 'silver', 'gold', 'vip')", name=op.f("ck_customers_tier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=512), nullable=True),
        sa.Column("idempotency_key", sa.String(length=300), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column(
            "attachments",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "channel_data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("order_id", sa.String(length=128), nullable=True),
        sa.Column("product_sku", sa.String(length=128), nullable=True),
        sa.Column("app_version", sa.String(length=64), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("status", sa.String(length=32), server_default="new", nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("urgency", sa.String(length=2), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column(
            "tags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column(
            "flags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column("has_pii", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("first_response_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "category IS NULL OR category IN ('product_defect', 'payment_billing', 'delivery_logistics', 'service_attitude', 'account_security', 'privacy', 'product_quality', 'refund_return', 'suggestion', 'other')",
            name=op.f("ck_complaints_category"),
        ),
        sa.CheckConstraint(
            "channel IN ('email', 'web_form', 'app_feedback', 'live_chat', 'phone_transcript', 'sms', 'wechat', 'weibo', 'store_visit', 'api')",
            name=op.f("ck_complaints_channel"),
        ),
        sa.CheckConstraint(
            "status IN ('new', 'triaged', 'assigned', 'in_progress', 'pending_customer', 'resolved', 'closed')",
            name=op.f("ck_complaints_status"),
        ),
        sa.CheckConstraint(
            "urgency IS NULL OR urgency IN ('P1', 'P2', 'P3', 'P4')", name=op.f("ck_complaints_urgency")
        ),
        sa.CheckConstraint(
            "amount IS NULL OR currency IS NOT NULL", name=op.f("ck_complaints_amount_has_currency")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_complaints_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_complaints_channel_external_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_complaints_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_complaints_reference")),
    )
    op.create_index(
        "ix_complaints_assignee_status_id", "complaints", ["assignee_id", "status", "id"], unique=False
    )
    op.create_index("ix_complaints_category_id", "complaints", ["category", "id"], unique=False)
    op.create_index("ix_complaints_channel_id", "complaints", ["channel", "id"], unique=False)
    op.create_index("ix_complaints_customer_id_id", "complaints", ["customer_id", "id"], unique=False)
    op.create_index(
        "ix_complaints_department_status_id", "complaints", ["department", "status", "id"], unique=False
    )
    op.create_index("ix_complaints_received_at", "complaints", ["received_at"], unique=False)
    op.create_index("ix_complaints_status_id", "complaints", ["status", "id"], unique=False)
    op.create_index("ix_complaints_urgency_id", "complaints", ["urgency", "id"], unique=False)
    op.create_table(
        "customer_identities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('phone', 'email', 'wechat_openid', 'wechat_unionid', 'weibo_uid', 'app_user_id', 'external_id')",
            name=op.f("ck_customer_identities_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_identities_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_identities")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_customer_identities_kind_value")),
    )
    op.create_index(
        "ix_customer_identities_customer_id", "customer_identities", ["customer_id"], unique=False
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column(
            "data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_events_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_complaint_id_id", "events", ["complaint_id", "id"], unique=False)
    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("visibility", sa.String(length=16), server_default="public", nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=512), nullable=True),
        sa.Column("author", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "attachments",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "flags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "channel IN ('email', 'web_form', 'app_feedback', 'live_chat', 'phone_transcript', 'sms', 'wechat', 'weibo', 'store_visit', 'api')",
            name=op.f("ck_messages_channel"),
        ),
        sa.CheckConstraint("direction IN ('inbound', 'outbound')", name=op.f("ck_messages_direction")),
        sa.CheckConstraint("visibility IN ('public', 'internal')", name=op.f("ck_messages_visibility")),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_messages_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_messages_channel_external_id")),
    )
    op.create_index("ix_messages_complaint_id_id", "messages", ["complaint_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_messages_complaint_id_id", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_events_complaint_id_id", table_name="events")
    op.drop_table("events")
    op.drop_index("ix_customer_identities_customer_id", table_name="customer_identities")
    op.drop_table("customer_identities")
    op.drop_index("ix_complaints_urgency_id", table_name="complaints")
    op.drop_index("ix_complaints_status_id", table_name="complaints")
    op.drop_index("ix_complaints_received_at", table_name="complaints")
    op.drop_index("ix_complaints_department_status_id", table_name="complaints")
    op.drop_index("ix_complaints_customer_id_id", table_name="complaints")
    op.drop_index("ix_complaints_channel_id", table_name="complaints")
    op.drop_index("ix_complaints_category_id", table_name="complaints")
    op.drop_index("ix_complaints_assignee_status_id", table_name="complaints")
    op.drop_table("complaints")
    op.drop_table("customers")
    op.drop_table("api_keys")
    op.execute("DROP FUNCTION complaint_reference(text, text)")
    op.execute("DROP SEQUENCE complaint_reference_seq")
