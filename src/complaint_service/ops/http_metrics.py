"""Pure ASGI middleware timing each request under its route template, never its raw path."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from complaint_service.ops.metrics import HTTP_REQUEST_DURATION

UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """`/v1/complaints/{complaint_id}`: ids in label values would make one time series per complaint.

    Starlette stores the matched route in the scope; requests no route matched (404 scans) share
    one label.
    """
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            HTTP_REQUEST_DURATION.labels(scope["method"], route_template(scope), str(status)).observe(
                time.perf_counter() - started
            )
