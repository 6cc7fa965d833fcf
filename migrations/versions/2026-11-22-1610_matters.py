"""One ticket per matter: merges, links and repeat complaints.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 16:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "complaints",
        sa.Column(
            "merged_into_id",
            sa.Uuid(),
            sa.ForeignKey("complaints.id", name=op.f("fk_complaints_merged_into_id_complaints")),
            nullable=True,
            comment="Set: this complaint's messages live on that ticket now",
        ),
    )
    op.add_column(
        "complaints",
        sa.Column(
            "repeat_of_id",
            sa.Uuid(),
            sa.ForeignKey("complaints.id", name=op.f("fk_complaints_repeat_of_id_complaints")),
            nullable=True,
            comment="The resolved complaint this one repeats",
        ),
    )
    op.create_index(
        "ix_complaints_merged_into_id",
        "complaints",
        ["merged_into_id"],
        unique=False,
        postgresql_where=sa.text("merged_into_id IS NOT NULL"),
    )

    op.create_table(
        "complaint_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("related_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('related', 'duplicate', 'repeat_of', 'follow_up')", name=op.f("ck_complaint_links_kind")
        ),
        sa.CheckConstraint("complaint_id <> related_id", name=op.f("ck_complaint_links_not_self")),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_links_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_links_related_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_links")),
        sa.UniqueConstraint(
            "complaint_id", "related_id", "kind", name=op.f("uq_complaint_links_complaint_id_related_id_kind")
        ),
    )
    op.create_index("ix_complaint_links_related_id", "complaint_links", ["related_id"], unique=False)

    op.create_table(
        "complaint_merges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column(
            "message_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column(
            "prior_status",
            sa.String(length=32),
            nullable=False,
            comment="The source's status before the merge",
        ),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("unmerged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unmerged_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "reason IN ('order_id', 'similar_text', 'manual')", name=op.f("ck_complaint_merges_reason")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_merges_source_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_merges_target_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_merges")),
    )
    op.create_index("ix_complaint_merges_source_id", "complaint_merges", ["source_id"], unique=False)
    op.create_index("ix_complaint_merges_target_id", "complaint_merges", ["target_id"], unique=False)
    op.create_index(
        "uq_complaint_merges_live_source",
        "complaint_merges",
        ["source_id"],
        unique=True,
        postgresql_where=sa.text("unmerged_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("complaint_merges")
    op.drop_table("complaint_links")
    op.drop_index("ix_complaints_merged_into_id", table_name="complaints")
    op.drop_column("complaints", "repeat_of_id")
    op.drop_column("complaints", "merged_into_id")
