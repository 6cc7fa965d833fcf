"""People sign in with roles; the complaint lifecycle keeps its resolution and audit trail.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = "role IN ('agent', 'team_lead', 'supervisor', 'manager')"
NEW_ROLES = "role IN ('agent', 'team_lead', 'supervisor', 'manager', 'admin')"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_agents_role"), "agents", type_="check")
    op.create_check_constraint(op.f("ck_agents_role"), "agents", NEW_ROLES)
    op.add_column(
        "agents",
        sa.Column(
            "scopes",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
            comment="Extra grants such as pii:read",
        ),
    )
    op.add_column(
        "agents",
        sa.Column(
            "password_hash", sa.String(200), nullable=True, comment="argon2id; null = no local sign-in"
        ),
    )
    op.add_column(
        "agents",
        sa.Column(
            "external_subject",
            sa.String(300),
            nullable=True,
            comment="`iss|sub` of the identity provider's tokens",
        ),
    )
    op.add_column(
        "agents",
        sa.Column(
            "disabled_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="Set: signing in and tokens are refused",
        ),
    )
    op.create_index("uq_agents_login_email", "agents", [sa.text("lower(email)")], unique=True)
    op.create_index("uq_agents_external_subject", "agents", ["external_subject"], unique=True)

    op.add_column("complaints", sa.Column("resolution_code", sa.String(32), nullable=True))
    op.add_column("complaints", sa.Column("resolution_summary", sa.Text(), nullable=True))
    op.add_column(
        "complaints", sa.Column("reopen_count", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.add_column(
        "complaints", sa.Column("last_customer_message_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_complaints_resolved_quiet",
        "complaints",
        ["resolved_at"],
        postgresql_where=sa.text("status = 'resolved'"),
    )

    op.create_table(
        "pii_access_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "resource", sa.String(64), nullable=False, comment="What was read, e.g. complaint, messages"
        ),
        sa.Column("complaint_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kinds",
            postgresql.ARRAY(sa.Text()),
            nullable=False,
            comment="PII kinds revealed: phone, id_card, …",
        ),
        sa.Column("route", sa.String(200), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("accessed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pii_access_log")),
    )
    op.create_index("ix_pii_access_log_actor_id", "pii_access_log", ["actor", "id"])
    op.create_index("ix_pii_access_log_complaint_id_id", "pii_access_log", ["complaint_id", "id"])


def downgrade() -> None:
    op.drop_table("pii_access_log")
    op.drop_index("ix_complaints_resolved_quiet", table_name="complaints")
    for column in ("last_customer_message_at", "reopen_count", "resolution_summary", "resolution_code"):
        op.drop_column("complaints", column)
    op.drop_index("uq_agents_external_subject", table_name="agents")
    op.drop_index("uq_agents_login_email", table_name="agents")
    for column in ("disabled_at", "external_subject", "password_hash", "scopes"):
        op.drop_column("agents", column)
    op.execute("UPDATE agents SET role = 'manager' WHERE role = 'admin'")
    op.drop_constraint(op.f("ck_agents_role"), "agents", type_="check")
    op.create_check_constraint(op.f("ck_agents_role"), "agents", OLD_ROLES)
