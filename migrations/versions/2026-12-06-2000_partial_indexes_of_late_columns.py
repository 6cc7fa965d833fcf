"""Partial indexes on complaint columns that are null until later in a complaint's life.

Category, urgency, department and sender are set by triage, the assignee by assignment, the first
response due time by the SLA clocks, the first answer and resolution later still. Their indexes serve
look-ups that compare the column with a value, which PostgreSQL proves implies `IS NOT NULL`; as
partial indexes, intake writes 14 index entries per complaint instead of 23, and every later update of
a complaint skips the ones still null. Built concurrently under a new name, then swapped in.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 20:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name: (columns, the column that is null until set)
INDEXES: dict[str, tuple[list[str], str]] = {
    "ix_complaints_category_id": (["category", "id"], "category"),
    "ix_complaints_urgency_id": (["urgency", "id"], "urgency"),
    "ix_complaints_urgency_status_id": (["urgency", "status", "id"], "urgency"),
    "ix_complaints_department_status_id": (["department", "status", "id"], "department"),
    "ix_complaints_assignee_status_id": (["assignee_id", "status", "id"], "assignee_id"),
    "ix_complaints_sender_key_id": (["sender_key", "id"], "sender_key"),
    "ix_complaints_first_response_due_at": (["first_response_due_at"], "first_response_due_at"),
    "ix_complaints_first_response_at": (["first_response_at"], "first_response_at"),
    "ix_complaints_resolved_at": (["resolved_at"], "resolved_at"),
}


def _swap(*, partial: bool) -> None:
    with op.get_context().autocommit_block():
        for name, (columns, nullable) in INDEXES.items():
            op.create_index(
                f"{name}_new",
                "complaints",
                columns,
                postgresql_concurrently=True,
                postgresql_where=f"{nullable} IS NOT NULL" if partial else None,
            )
            op.drop_index(name, table_name="complaints", postgresql_concurrently=True)
            op.execute(f"ALTER INDEX {name}_new RENAME TO {name}")


def upgrade() -> None:
    _swap(partial=True)


def downgrade() -> None:
    _swap(partial=False)
