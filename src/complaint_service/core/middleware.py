"""Pure ASGI middleware: request ids with an access log line, and the request body limit."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from complaint_service.core.problems import PROBLEM_MEDIA_TYPE, TYPE_BASE, Problem, ProblemType

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
log = structlog.get_logger("complaint_service.access")


class RequestIdMiddleware:
    """Takes a safe `X-Request-ID` or makes one, binds it to every log line and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )


class BodyLimitMiddleware:
    """Refuses bodies over the limit, by Content-Length up front or by counting a streamed body."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        detail = f"The body limit is {self.max_bytes} bytes."
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            body = Problem(
                type=TYPE_BASE + ProblemType.payload_too_large.value,
                title="Request body too large",
                status=413,
                detail=detail,
                instance=scope["path"],
                request_id=scope.get("state", {}).get("request_id"),
            )
            response = JSONResponse(
                body.model_dump(mode="json", exclude_none=True),
                status_code=413,
                media_type=PROBLEM_MEDIA_TYPE,
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # FastAPI re-raises HTTPException from body reading (others become a 400).
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, counting_receive, send)
