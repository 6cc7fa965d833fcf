"""Liveness, readiness and Prometheus metrics for orchestrators and monitoring; no API key needed."""

from __future__ import annotations

import asyncio
import secrets
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import text

from complaint_service.auth.dependencies import bearer
from complaint_service.core.problems import Unauthorized, problem_responses
from complaint_service.core.state import AppSettings
from complaint_service.ops.metrics import sample_queue_depth

router = APIRouter(tags=["ops"])
CHECK_TIMEOUT_SECONDS = 2.0
log = structlog.get_logger(__name__)
METRICS_EXAMPLE = """\
# HELP complaint_service_complaints_received_total New complaints committed by intake, by channel.
# TYPE complaint_service_complaints_received_total counter
complaint_service_complaints_received_total{channel="wechat"} 1289.0
# HELP complaint_service_queue_depth Jobs in the arq queue, due and deferred.
# TYPE complaint_service_queue_depth gauge
complaint_service_queue_depth 3.0
"""


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


@router.get(
    "/metrics",
    summary="Prometheus metrics of this API process",
    description="Prometheus text format: request latency by route template, complaints received by "
    "channel, the job queue's depth, database pool use, and (from the workers' own `/metrics` port) job, "
    "SLA, webhook and alert counters. Each process exposes its own figures: scrape every replica. It "
    "needs no credential unless `COMPLAINT_METRICS__BEARER_TOKEN` is set; without one, expose it on the "
    "internal network only.",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {"example": METRICS_EXAMPLE}}},
        **problem_responses(401),
    },
)
async def metrics(
    request: Request,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Response:
    expected = settings.metrics.bearer_token
    if expected is not None and (
        credentials is None
        or not secrets.compare_digest(credentials.credentials.encode(), expected.get_secret_value().encode())
    ):
        raise Unauthorized("Send the metrics bearer token as `Authorization: Bearer …`.")
    try:
        await asyncio.wait_for(
            sample_queue_depth(request.app.state.redis, settings.worker.queue_name), CHECK_TIMEOUT_SECONDS
        )
    except Exception as exc:  # Redis down: the other metrics still matter, the gauge keeps its last value
        log.warning("queue_depth_unavailable", error=repr(exc))
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
