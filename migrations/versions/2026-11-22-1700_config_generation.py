"""A generation counter that every write to triage configuration moves, for per-process caches.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 17:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Read by every triage job (core/config_cache.py); edited by admins a few times a day.
CONFIG_TABLES = ("triage_rule_sets", "routing_rules", "sla_policies", "departments", "webhook_endpoints")


def upgrade() -> None:
    op.execute("CREATE TABLE config_generation (value bigint NOT NULL)")
    op.execute("INSERT INTO config_generation (value) VALUES (1)")
    # Statement-level, in the writing transaction: the new generation commits with the change.
    op.execute(
        """
        CREATE FUNCTION bump_config_generation() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE config_generation SET value = value + 1;
          RETURN NULL;
        END $$
        """
    )
    for table in CONFIG_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_config_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_config_generation()"
        )


def downgrade() -> None:
    for table in CONFIG_TABLES:
        op.execute(f"DROP TRIGGER {table}_config_generation ON {table}")
    op.execute("DROP FUNCTION bump_config_generation()")
    op.execute("DROP TABLE config_generation")
