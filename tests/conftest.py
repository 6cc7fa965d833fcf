"""Shared fixtures: a real PostgreSQL built by Alembic, real Redis, and the app over ASGI."""

from tests.fixtures.app import admin_headers, api_client, app, intake_headers, make_key, reader_headers  # noqa: F401
from tests.fixtures.complaints import triaged  # noqa: F401
from tests.fixtures.db import (  # noqa: F401
    clean_tables,
    database_url,
    engine,
    redis_url,
    seed_snapshot,
    sessionmaker,
    settings,
)
from tests.fixtures.http_server import http_receiver  # noqa: F401
from tests.fixtures.people import make_person  # noqa: F401
from tests.fixtures.worker import redis, worker_ctx  # noqa: F401
