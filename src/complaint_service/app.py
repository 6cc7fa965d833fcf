"""The FastAPI application: lifespan resources, middleware, routers and problem handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from arq.connections import ArqRedis
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from complaint_service import __version__
from complaint_service.abuse.router import router as abuse_router
from complaint_service.alerts.router import router as alerts_router
from complaint_service.analytics.activity_router import router as customer_events_router
from complaint_service.analytics.router import router as analytics_router
from complaint_service.audit.router import router as audit_router
from complaint_service.auth.jwks import JwksCache
from complaint_service.auth.router import router as auth_router
from complaint_service.auth.tokens import signing_key
from complaint_service.collaboration.router import router as collaboration_router
from complaint_service.compensation.router import router as compensation_router
from complaint_service.complaints.handling_router import router as handling_router
from complaint_service.complaints.router import router as complaints_router
from complaint_service.core.clock import utcnow
from complaint_service.core.db import create_engine, create_sessionmaker
from complaint_service.core.middleware import BodyLimitMiddleware, RequestIdMiddleware
from complaint_service.core.problems import (
    FieldError,
    Problem,
    install_problem_handlers,
    problem_responses,
)
from complaint_service.customers.router import router as customers_router
from complaint_service.dashboard.router import ASSETS_PATH, assets
from complaint_service.dashboard.router import router as dashboard_router
from complaint_service.exports.router import router as exports_router
from complaint_service.incidents.router import router as incidents_router
from complaint_service.intake.router import router as intake_router
from complaint_service.intake.wechat_router import router as wechat_router
from complaint_service.knowledge.router import router as knowledge_router
from complaint_service.logging import configure_logging
from complaint_service.matters.router import router as matters_router
from complaint_service.ops.http_metrics import RequestMetricsMiddleware
from complaint_service.ops.metrics import POOLS
from complaint_service.ops.router import router as ops_router
from complaint_service.outbound.router import router as webhooks_router
from complaint_service.routing.router import router as routing_router
from complaint_service.settings import Settings
from complaint_service.sla.calendar import warn_unknown_holiday_years
from complaint_service.sla.router import router as sla_router
from complaint_service.surveys.router import router as surveys_router
from complaint_service.triage.router import router as triage_router

DESCRIPTION = """\
Every complaint channel into one schema, committed once. Channel adapters push complaints (raw channel
payloads or canonical JSON) and get a reference back; frontends read complaints, customers and timelines.

Authentication: `Authorization: Bearer <credential>` on every operation except `/healthz`, `/readyz`,
sign-in, survey answers and the WeChat server protocol (verified by the account token's signature).
The credential is an API key (`cs_…`, for channel adapters and integrations, with scopes) or a
person's access token (a JWT from `POST /v1/auth/token`, or from the configured identity provider),
whose role decides what they may do: `agent` and `team_lead` work their departments' complaints,
`supervisor` and above see every department, `admin` manages configuration. Personal data is masked
unless the caller holds `pii:read`, and every unmasked read is written to the audit log. Errors are RFC 9457
`application/problem+json` with field-level `errors`.
"""


def operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def connect_redis(url: str, *, queue_name: str) -> ArqRedis:
    """Lazy: the API starts and takes complaints while Redis is down (PostgreSQL is the record)."""
    redis: ArqRedis = ArqRedis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    redis.default_queue_name = queue_name
    return redis


def create_app(settings: Settings) -> FastAPI:
    """Build the app for resolved settings: database and Redis URLs must be set (see cli.dev)."""
    if settings.database_url is None or settings.redis_url is None:
        raise ValueError("create_app needs database_url and redis_url")
    database_url, redis_url = settings.database_url, settings.redis_url
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings, database_url)
        redis = connect_redis(redis_url, queue_name=settings.worker.queue_name)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine, settings=settings, redis=redis)
        app.state.redis = redis
        POOLS.track("api", engine)
        warn_unknown_holiday_years(utcnow().date())
        app.state.jwt_key = signing_key(settings)
        app.state.jwks = (
            JwksCache(settings.auth.jwks_url, ttl_seconds=settings.auth.jwks_cache_seconds)
            if settings.auth.jwks_url
            else None
        )
        try:
            yield
        finally:
            POOLS.untrack(engine)
            await redis.aclose()
            await engine.dispose()

    app = FastAPI(
        title="complaint-service",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    install_problem_handlers(app, retry_after_seconds=settings.retry_after_seconds)
    for router in (
        ops_router,
        auth_router,
        intake_router,
        wechat_router,
        exports_router,  # before complaints_router, whose /{complaint_id} would take /export
        complaints_router,
        matters_router,
        handling_router,
        collaboration_router,
        customers_router,
        triage_router,
        routing_router,
        sla_router,
        webhooks_router,
        alerts_router,
        dashboard_router,
        audit_router,
        abuse_router,
        incidents_router,
        analytics_router,
        customer_events_router,
        surveys_router,
        knowledge_router,
        compensation_router,
    ):
        app.include_router(router)
    app.mount(ASSETS_PATH, assets(), name="dashboard-assets")
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app


def document_undecodable_json(schema: dict[str, Any]) -> None:
    """FastAPI answers 400 for a JSON body it cannot decode at all (not UTF-8, nested too deeply)."""
    bad_request = problem_responses(400)[400]
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                operation["responses"].setdefault("400", bad_request)


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The generated document plus the Problem schema that every error response refers to."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        document_undecodable_json(schema)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (Problem, FieldError):
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            definition.pop("$defs", None)
            components[model.__name__] = definition
        app.openapi_schema = schema
    return app.openapi_schema
