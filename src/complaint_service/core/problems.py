"""RFC 9457 problem details: one typed error tree and the handlers that render it.

    ProblemError                      500 internal
    ├── BadRequest                    400 bad-request
    ├── Unauthorized                  401 unauthorized
    ├── Forbidden                     403 forbidden
    ├── NotFound                      404 not-found
    ├── Conflict                      409 conflict
    │   ├── IdempotencyKeyReused      409 idempotency-key-reused
    │   └── InvalidTransition         409 invalid-transition (lifecycle state machine)
    ├── Gone                          410 gone (a one-time link that expired or was replaced)
    ├── PreconditionFailed            412 precondition-failed (If-Match does not match the ETag)
    ├── UnsupportedMediaType          415 unsupported-media-type
    ├── UnprocessableContent          422 validation-error (field errors)
    │   └── MalformedPayload          422 malformed-payload
    ├── TooManyRequests               429 too-many-requests (Retry-After)
    └── ServiceUnavailable            503 service-unavailable (Retry-After)

413 payload-too-large is written by the body-limit middleware before any route runs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://complaint-service.dev/problems/"
log = structlog.get_logger(__name__)


class ProblemType(StrEnum):
    internal = "internal"
    bad_request = "bad-request"
    unauthorized = "unauthorized"
    forbidden = "forbidden"
    not_found = "not-found"
    method_not_allowed = "method-not-allowed"
    conflict = "conflict"
    idempotency_key_reused = "idempotency-key-reused"
    invalid_transition = "invalid-transition"
    gone = "gone"
    precondition_failed = "precondition-failed"
    payload_too_large = "payload-too-large"
    unsupported_media_type = "unsupported-media-type"
    validation_error = "validation-error"
    malformed_payload = "malformed-payload"
    too_many_requests = "too-many-requests"
    service_unavailable = "service-unavailable"


class FieldError(BaseModel):
    loc: list[str | int] = Field(
        description="Path to the offending field, e.g. ['body', 'customer', 'phone']."
    )
    msg: str
    type: str = Field(description="Machine-readable error kind, e.g. 'missing' or 'string_too_long'.")


class Problem(BaseModel):
    """The body of every error answer (`application/problem+json`)."""

    type: str = Field(examples=[TYPE_BASE + "validation-error"])
    title: str = Field(examples=["Request validation failed"])
    status: int = Field(examples=[422])
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class ProblemError(Exception):
    status: ClassVar[int] = 500
    type: ClassVar[ProblemType] = ProblemType.internal
    title: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


class BadRequest(ProblemError):
    status, type, title = 400, ProblemType.bad_request, "Bad request"


class Unauthorized(ProblemError):
    status, type, title = 401, ProblemType.unauthorized, "Authentication required"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ProblemError):
    status, type, title = 403, ProblemType.forbidden, "Not allowed for this credential"


class NotFound(ProblemError):
    status, type, title = 404, ProblemType.not_found, "Resource not found"


class Conflict(ProblemError):
    status, type, title = 409, ProblemType.conflict, "Conflict with the current state"


class IdempotencyKeyReused(Conflict):
    type, title = ProblemType.idempotency_key_reused, "Idempotency-Key already used for another request"


class InvalidTransition(Conflict):
    type, title = ProblemType.invalid_transition, "The complaint's status does not allow this"


class Gone(ProblemError):
    status, type, title = 410, ProblemType.gone, "No longer available"


class PreconditionFailed(ProblemError):
    status, type, title = 412, ProblemType.precondition_failed, "The resource changed since it was read"


class UnsupportedMediaType(ProblemError):
    status, type, title = 415, ProblemType.unsupported_media_type, "Unsupported content type"


class UnprocessableContent(ProblemError):
    status, type, title = 422, ProblemType.validation_error, "Request validation failed"


class MalformedPayload(UnprocessableContent):
    type, title = ProblemType.malformed_payload, "The channel payload cannot be parsed"


class TooManyRequests(ProblemError):
    status, type, title = 429, ProblemType.too_many_requests, "Too many requests"


class ServiceUnavailable(ProblemError):
    status, type, title = 503, ProblemType.service_unavailable, "Service temporarily unavailable"


def field_errors(raw: Any) -> list[FieldError]:
    """Pydantic's error list, reduced to what a client can act on (no echo of the input)."""
    return [
        FieldError(
            loc=[p for p in e.get("loc", ()) if isinstance(p, str | int)], msg=e["msg"], type=e["type"]
        )
        for e in raw
    ]


def problem_response(
    request: Request,
    *,
    status: int,
    type_: ProblemType,
    title: str,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=TYPE_BASE + type_.value,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=getattr(request.state, "request_id", None),
        errors=errors or [],
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


_STARLETTE_TYPES = {
    400: (ProblemType.bad_request, "Bad request"),
    401: (ProblemType.unauthorized, "Authentication required"),
    403: (ProblemType.forbidden, "Not allowed for this credential"),
    404: (ProblemType.not_found, "Resource not found"),
    405: (ProblemType.method_not_allowed, "Method not allowed"),
    413: (ProblemType.payload_too_large, "Request body too large"),
    415: (ProblemType.unsupported_media_type, "Unsupported content type"),
}


# SQLSTATEs of a database that is unreachable, shutting down, starting up or out of connections.
UNAVAILABLE_SQLSTATE_CLASSES = ("08",)  # connection exception
# Deadlock victim and serialization failure: nothing was written, and the same request will succeed
# when retried, so the client is told to retry (503 with Retry-After) rather than shown a 500.
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300", "40P01", "40001"})


def database_unavailable(exc: DBAPIError) -> bool:
    """A restart surfaces as plain DBAPIErrors too ("the database system is shutting down", 57P03)."""
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and (
        sqlstate.startswith(UNAVAILABLE_SQLSTATE_CLASSES) or sqlstate in UNAVAILABLE_SQLSTATES
    )


def install_problem_handlers(app: FastAPI, *, retry_after_seconds: int) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(
            request,
            status=exc.status,
            type_=exc.type,
            title=exc.title,
            detail=exc.detail,
            errors=exc.errors,
            headers=exc.headers,
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(
            request,
            status=422,
            type_=ProblemType.validation_error,
            title="Request validation failed",
            detail="One or more fields are invalid; see errors.",
            errors=field_errors(exc.errors()),
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        type_, title = _STARLETTE_TYPES.get(exc.status_code, (ProblemType.internal, "Error"))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        return problem_response(
            request,
            status=exc.status_code,
            type_=type_,
            title=title,
            detail=detail,
            headers=dict(exc.headers) if exc.headers else None,
        )

    async def on_database_down(request: Request, exc: Exception) -> JSONResponse:
        """A lost database is an outage to wait out, not a bug: 503 with Retry-After, never a trace."""
        log.warning("database_unavailable", error=type(exc).__name__)
        return problem_response(
            request,
            status=503,
            type_=ProblemType.service_unavailable,
            title="Service temporarily unavailable",
            detail="The database is unreachable; nothing was stored. Retry later.",
            headers={"Retry-After": str(retry_after_seconds)},
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error=type(exc).__name__)
        return problem_response(
            request, status=500, type_=ProblemType.internal, title="Internal server error"
        )

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DBAPIError)
        if database_unavailable(exc):
            return await on_database_down(request, exc)
        return await on_unexpected(request, exc)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for exc_type in (OperationalError, InterfaceError, PoolTimeoutError, OSError, ConnectionError):
        app.add_exception_handler(exc_type, on_database_down)
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(Exception, on_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problems a route can answer."""
    described = {
        400: "Bad request",
        401: "Missing or invalid API key or access token",
        403: "The caller's scopes, role or departments do not allow this operation",
        404: "Not found",
        409: "Conflict",
        410: "No longer available (expired or replaced)",
        412: "If-Match does not match the current ETag; re-read and retry",
        413: "Body larger than the configured limit",
        415: "Content type not accepted by this endpoint",
        422: "Validation failed; `errors` lists each offending field",
        429: "Too many requests; retry after `Retry-After` seconds",
        503: "A backing service is unavailable; retry after `Retry-After` seconds",
    }
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        type_ = {
            400: "bad-request",
            401: "unauthorized",
            403: "forbidden",
            404: "not-found",
            409: "conflict",
            410: "gone",
            412: "precondition-failed",
            413: "payload-too-large",
            415: "unsupported-media-type",
            422: "validation-error",
            429: "too-many-requests",
            503: "service-unavailable",
        }[status]
        example: dict[str, Any] = {
            "type": TYPE_BASE + type_,
            "title": described[status],
            "status": status,
            "instance": "/v1/complaints",
            "request_id": "0b6c3c1e2f8d4a7e",
        }
        if status == 422:
            example["errors"] = [{"loc": ["body", "body"], "msg": "Field required", "type": "missing"}]
        out[status] = {
            "description": described[status],
            "content": {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}, "example": example}
            },
        }
    return out
