"""Surveys, the knowledge base and compensation; customers get a version for If-Match.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 16:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    "'product_defect', 'payment_billing', 'delivery_logistics', 'service_attitude', 'account_security', "
    "'privacy', 'product_quality', 'refund_return', 'suggestion', 'other'"
)


def upgrade() -> None:
    op.add_column(
        "customers", sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
    )

    op.create_table(
        "surveys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column(
            "token_hash",
            sa.String(64),
            nullable=False,
            comment="SHA-256 of the link's token; never the token",
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column(
            "agent_id", sa.Uuid(), nullable=True, comment="The assignee when the complaint was resolved"
        ),
        sa.Column("department", sa.String(64), nullable=True),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True, comment="The outbound message carrying the link"),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'answered', 'superseded')", name=op.f("ck_surveys_status")),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name=op.f("ck_surveys_score")),
        sa.CheckConstraint(
            "(status = 'answered') = (score IS NOT NULL)", name=op.f("ck_surveys_answered_has_score")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_surveys_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_surveys_token_hash")),
    )
    op.create_index("ix_surveys_complaint_id_id", "surveys", ["complaint_id", "id"])
    op.create_index("ix_surveys_department_id", "surveys", ["department", "id"])
    op.create_index("ix_surveys_agent_id_id", "surveys", ["agent_id", "id"])

    op.create_table(
        "solutions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column(
            "tags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column("usage_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("author", sa.String(200), nullable=False, comment="Actor that created it, e.g. user:<id>"),
        sa.Column(
            "author_id", sa.Uuid(), nullable=True, comment="The person who wrote it; null for API keys"
        ),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column(
            "terms",
            postgresql.ARRAY(sa.Text()),
            nullable=False,
            comment="Character 2- and 3-grams of the normalised title, tags and body",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            f"category IS NULL OR category IN ({CATEGORIES})", name=op.f("ck_solutions_category")
        ),
        sa.CheckConstraint("usage_count >= 0", name=op.f("ck_solutions_usage_count")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_solutions")),
    )
    op.create_index("ix_solutions_terms", "solutions", ["terms"], postgresql_using="gin")
    op.create_index("ix_solutions_category_id", "solutions", ["category", "id"])

    op.create_table(
        "compensations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column(
            "needs_approval", sa.Boolean(), nullable=False, comment="Above the threshold when proposed"
        ),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True, comment="Who approved or rejected it"),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("granted_by", sa.String(200), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "grant_reference",
            sa.String(200),
            nullable=True,
            comment="Coupon code, refund transaction or shipment id",
        ),
        sa.Column("cancelled_by", sa.String(200), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('coupon', 'refund', 'points', 'gift')", name=op.f("ck_compensations_kind")
        ),
        sa.CheckConstraint(
            "status IN ('offered', 'pending_approval', 'approved', 'rejected', 'granted', 'cancelled')",
            name=op.f("ck_compensations_status"),
        ),
        sa.CheckConstraint(
            "(kind = 'points' AND points > 0 AND amount IS NULL AND currency IS NULL) OR "
            "(kind <> 'points' AND points IS NULL AND amount > 0 AND currency IS NOT NULL)",
            name=op.f("ck_compensations_value"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_compensations_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensations")),
    )
    op.create_index("ix_compensations_complaint_id_id", "compensations", ["complaint_id", "id"])
    op.create_index("ix_compensations_status_id", "compensations", ["status", "id"])


def downgrade() -> None:
    op.drop_table("compensations")
    op.drop_table("solutions")
    op.drop_table("surveys")
    op.drop_column("customers", "version")
