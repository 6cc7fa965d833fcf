"""Workers: departments, agents, triage and routing rules, SLA policies/clocks/actions, webhooks.

Seeds the default departments, routing rules and SLA policy of DOMAIN.md as data (a snapshot,
so later code changes never rewrite history).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 14:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from complaint_service.core.ids import uuid7

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


BUSINESS_HOURS = {
    "timezone": "Asia/Shanghai",
    "hours": {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "use_cn_holidays": True,
    "closed_dates": [],
    "open_dates": [],
    "around_the_clock": False,
}
DEPARTMENTS = {
    "tech": "Technology",
    "finance": "Finance",
    "logistics": "Logistics",
    "customer_service": "Customer service",
    "security": "Security",
    "legal_compliance": "Legal & compliance",
    "quality": "Quality",
    "product": "Product",
}
ROUTES = [
    ("Legal, regulator or media threats", {"flags": ["legal_threat"]}, "legal_compliance"),
    ("Hacked accounts and fraud", {"categories": ["account_security"]}, "security"),
    ("Personal data and harassment", {"categories": ["privacy"]}, "legal_compliance"),
    ("Payments and billing", {"categories": ["payment_billing"]}, "finance"),
    ("Refunds and returns", {"categories": ["refund_return"]}, "finance"),
    ("Delivery", {"categories": ["delivery_logistics"]}, "logistics"),
    ("App and feature defects", {"categories": ["product_defect"]}, "tech"),
    ("Goods quality", {"categories": ["product_quality"]}, "quality"),
    ("Suggestions", {"categories": ["suggestion"]}, "product"),
    ("Everything else", {}, "customer_service"),
]


def _targets(first: int, resolution: int, *, update: int, around_the_clock: bool) -> dict[str, object]:
    return {
        "first_response": first,
        "next_response": first,
        "periodic_update": update,
        "resolution": resolution,
        "around_the_clock": around_the_clock,
    }


POLICIES = [
    (
        "Service complaints resolve within 48 h",
        100,
        {"categories": ["service_attitude"]},
        {u: {"resolution": 2880} for u in ("P2", "P3", "P4")},
        None,
        None,
        None,
    ),
    (
        "WeChat private-domain community: first answer within 30 minutes",
        110,
        {"channels": ["wechat"]},
        {u: {"first_response": 30} for u in ("P1", "P2", "P3", "P4")},
        None,
        None,
        None,
    ),
    (
        "Default targets (DOMAIN.md)",
        1000,
        {},
        {
            "P1": _targets(120, 1440, update=240, around_the_clock=True),
            "P2": _targets(720, 4320, update=1440, around_the_clock=False),
            "P3": _targets(1440, 4320, update=2880, around_the_clock=False),
            "P4": _targets(2880, 10080, update=4320, around_the_clock=False),
        },
        BUSINESS_HOURS,
        [{"label": "75%", "share": 0.75}, {"label": "90%", "share": 0.9}],
        [
            {"label": "team_lead", "after_minutes": 0, "action": "notify", "target": "team_lead"},
            {
                "label": "supervisor",
                "after_minutes": 120,
                "action": "reassign",
                "target": "supervisor",
                "raise_urgency": True,
            },
            {"label": "manager", "after_minutes": 480, "action": "notify", "target": "manager"},
        ],
    ),
]


def seed() -> None:
    departments = sa.table(
        "departments",
        sa.column("id", sa.Uuid),
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("strategy", sa.String),
        sa.column("calendar", postgresql.JSONB),
    )
    op.bulk_insert(
        departments,
        [
            {"id": uuid7(), "key": key, "name": name, "strategy": "least_loaded", "calendar": BUSINESS_HOURS}
            for key, name in DEPARTMENTS.items()
        ],
    )
    rules = sa.table(
        "routing_rules",
        sa.column("id", sa.Uuid),
        sa.column("position", sa.Integer),
        sa.column("name", sa.String),
        sa.column("conditions", postgresql.JSONB),
        sa.column("department", sa.String),
    )
    op.bulk_insert(
        rules,
        [
            {"id": uuid7(), "position": (i + 1) * 10, "name": name, "conditions": cond, "department": dept}
            for i, (name, cond, dept) in enumerate(ROUTES)
        ],
    )
    policies = sa.table(
        "sla_policies",
        sa.column("id", sa.Uuid),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("conditions", postgresql.JSONB),
        sa.column("targets", postgresql.JSONB),
        sa.column("calendar", postgresql.JSONB),
        sa.column("warnings", postgresql.JSONB),
        sa.column("escalation", postgresql.JSONB),
    )
    op.bulk_insert(
        policies,
        [
            {
                "id": uuid7(),
                "name": n,
                "position": p,
                "conditions": c,
                "targets": t,
                "calendar": cal,
                "warnings": w,
                "escalation": e,
            }
            for n, p, c, t, cal, w, e in POLICIES
        ],
    )


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("departments", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "skills", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column(
            "languages", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column(
            "schedule",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="Business calendar spec of the agent's shifts; null = the department's hours",
        ),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("last_assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "role IN ('agent', 'team_lead', 'supervisor', 'manager')", name=op.f("ck_agents_role")
        ),
        sa.CheckConstraint("status IN ('active', 'away')", name=op.f("ck_agents_status")),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_agents_capacity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
    )
    op.create_index("ix_agents_departments", "agents", ["departments"], unique=False, postgresql_using="gin")
    op.create_table(
        "departments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("strategy", sa.String(length=20), nullable=False),
        sa.Column(
            "calendar",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="Business calendar spec: working hours",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "strategy IN ('round_robin', 'least_loaded')", name=op.f("ck_departments_strategy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("key", name=op.f("uq_departments_key")),
    )
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("conditions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column(
            "required_skills",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "conditions",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "targets",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("calendar", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("warnings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("escalation", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
    )
    op.create_table(
        "triage_rule_sets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("min_confidence", sa.Double(), server_default=sa.text("0.4"), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_rule_sets")),
        sa.UniqueConstraint("version", name=op.f("uq_triage_rule_sets_version")),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column(
            "channels",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
            comment="Customer messages of these channels come here",
        ),
        sa.Column(
            "event_types",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
            comment="Subscribed event types; '*' for all",
        ),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    op.create_table(
        "sla_clocks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("target_seconds", sa.BigInteger(), nullable=False),
        sa.Column("calendar", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("policy_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remaining_seconds", sa.BigInteger(), nullable=True),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('first_response', 'next_response', 'periodic_update', 'resolution')",
            name=op.f("ck_sla_clocks_kind"),
        ),
        sa.CheckConstraint(
            "state IN ('running', 'paused', 'met', 'cancelled')", name=op.f("ck_sla_clocks_state")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_sla_clocks_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_clocks")),
        sa.UniqueConstraint("complaint_id", "kind", "seq", name=op.f("uq_sla_clocks_complaint_id_kind_seq")),
    )
    op.create_index("ix_sla_clocks_complaint_id_state", "sla_clocks", ["complaint_id", "state"], unique=False)
    op.create_table(
        "sla_actions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clock_id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("spec", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('warning', 'breach', 'escalation')", name=op.f("ck_sla_actions_kind")),
        sa.ForeignKeyConstraint(
            ["clock_id"],
            ["sla_clocks.id"],
            name=op.f("fk_sla_actions_clock_id_sla_clocks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_sla_actions_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_actions")),
        sa.UniqueConstraint("clock_id", "kind", "label", name=op.f("uq_sla_actions_clock_id_kind_label")),
    )
    op.create_index("ix_sla_actions_clock_id", "sla_actions", ["clock_id"], unique=False)
    op.create_index(
        "ix_sla_actions_pending_due_at",
        "sla_actions",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL AND due_at IS NOT NULL"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'dead')", name=op.f("ck_webhook_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_webhook_deliveries_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_webhook_deliveries_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(
        "ix_webhook_deliveries_pending_next_attempt_at",
        "webhook_deliveries",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_webhook_deliveries_status_id", "webhook_deliveries", ["status", "id"], unique=False)
    op.add_column("complaints", sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("complaints", sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "complaints",
        sa.Column(
            "required_skills",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
    )
    op.add_column(
        "complaints", sa.Column("escalation_level", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.create_index(
        "ix_complaints_queued_department",
        "complaints",
        ["department", "id"],
        unique=False,
        postgresql_where=sa.text("assignee_id IS NULL AND status = 'triaged'"),
    )
    op.create_index(
        "ix_complaints_untriaged_created_at",
        "complaints",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("triaged_at IS NULL"),
    )
    seed()


def downgrade() -> None:
    op.drop_index(
        "ix_complaints_untriaged_created_at",
        table_name="complaints",
        postgresql_where=sa.text("triaged_at IS NULL"),
    )
    op.drop_index(
        "ix_complaints_queued_department",
        table_name="complaints",
        postgresql_where=sa.text("assignee_id IS NULL AND status = 'triaged'"),
    )
    op.drop_column("complaints", "escalation_level")
    op.drop_column("complaints", "required_skills")
    op.drop_column("complaints", "assigned_at")
    op.drop_column("complaints", "triaged_at")
    op.drop_index("ix_webhook_deliveries_status_id", table_name="webhook_deliveries")
    op.drop_index(
        "ix_webhook_deliveries_pending_next_attempt_at",
        table_name="webhook_deliveries",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_table("webhook_deliveries")
    op.drop_index(
        "ix_sla_actions_pending_due_at",
        table_name="sla_actions",
        postgresql_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL AND due_at IS NOT NULL"),
    )
    op.drop_index("ix_sla_actions_clock_id", table_name="sla_actions")
    op.drop_table("sla_actions")
    op.drop_index("ix_sla_clocks_complaint_id_state", table_name="sla_clocks")
    op.drop_table("sla_clocks")
    op.drop_table("webhook_endpoints")
    op.drop_table("triage_rule_sets")
    op.drop_table("sla_policies")
    op.drop_table("routing_rules")
    op.drop_table("departments")
    op.drop_index("ix_agents_departments", table_name="agents", postgresql_using="gin")
    op.drop_table("agents")
