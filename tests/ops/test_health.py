"""Health and readiness need no key; readiness reports each dependency."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from complaint_service.app import create_app
from complaint_service.settings import Settings


class TestHealth:
    async def test_healthz_answers_without_a_key(self, api_client: httpx.AsyncClient) -> None:
        response = await api_client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert response.headers["x-request-id"]

    async def test_readyz_checks_postgres_and_redis(self, api_client: httpx.AsyncClient) -> None:
        response = await api_client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "postgres": "ok", "redis": "ok"}

    async def test_readyz_is_503_when_a_dependency_is_down(self, settings: Settings) -> None:
        broken = settings.model_copy(
            update={
                "database_url": "postgresql+asyncpg://postgres@127.0.0.1:1/none",
                "redis_url": "redis://127.0.0.1:1",
            }
        )
        app: FastAPI = create_app(broken)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["retry-after"]
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["postgres"].startswith("unavailable")
        assert body["redis"].startswith("unavailable")

    async def test_request_id_is_echoed(self, api_client: httpx.AsyncClient) -> None:
        response = await api_client.get("/healthz", headers={"X-Request-ID": "trace-42"})
        assert response.headers["x-request-id"] == "trace-42"
