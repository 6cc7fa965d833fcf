"""Liveness and readiness for orchestrators; no API key needed."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["ops"])
CHECK_TIMEOUT_SECONDS = 2.0


@router.get(
    "/healthz",
    summary="Liveness: the process answers",
    responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _check(coro: Any) -> str:
    try:
        await asyncio.wait_for(coro, CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means "not ready"; the name is enough for an operator
        return f"unavailable: {type(exc).__name__}"
    return "ok"


async def _ping_database(request: Request) -> None:
    async with request.app.state.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


@router.get(
    "/readyz",
    summary="Readiness: PostgreSQL and Redis reachable",
    responses={
        200: {
            "content": {"application/json": {"example": {"status": "ok", "postgres": "ok", "redis": "ok"}}}
        },
        503: {
            "description": "A dependency is down; take the instance out of rotation.",
            "content": {
                "application/json": {
                    "example": {
                        "status": "unavailable",
                        "postgres": "unavailable: ConnectionRefusedError",
                        "redis": "ok",
                    }
                }
            },
        },
    },
)
async def readyz(request: Request) -> JSONResponse:
    postgres, redis = await asyncio.gather(
        _check(_ping_database(request)), _check(request.app.state.redis.ping())
    )
    ready = postgres == redis == "ok"
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "postgres": postgres, "redis": redis},
        status_code=200 if ready else 503,
        headers=None if ready else {"Retry-After": "5"},
    )
