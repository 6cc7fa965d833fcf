"""The dashboard page and its assets (public: they hold no data), and the attention list it shows."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from complaint_service.auth.dependencies import Supervisor
from complaint_service.core.db import DbSession
from complaint_service.core.openapi import example_response
from complaint_service.core.problems import problem_responses
from complaint_service.dashboard import examples, service
from complaint_service.dashboard.schemas import Attention

STATIC = Path(str(files("complaint_service.dashboard") / "static"))
ASSETS_PATH = "/dashboard/assets"
# The page runs only its own scripts and talks only to this service; nothing may frame it.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard", include_in_schema=False)
async def page() -> FileResponse:
    """The page signs in and reads the API itself, so serving it needs no credential."""
    return FileResponse(STATIC / "index.html", media_type="text/html", headers=PAGE_HEADERS)


def assets() -> StaticFiles:
    return StaticFiles(directory=STATIC)


@router.get(
    "/v1/dashboard/attention",
    summary="Open complaints that breached an SLA or were escalated",
    description="For the supervisors' dashboard: open complaints with an SLA clock past its due time and "
    "still unmet, or escalated at least one level. P1 first, escalated before not escalated, then the "
    "oldest. Supervisors and above.",
    response_model=Attention,
    responses={**example_response(examples.ATTENTION), **problem_responses(401, 403, 422, 503)},
)
async def get_attention(
    session: DbSession,
    principal: Supervisor,
    limit: Annotated[int, Query(ge=1, le=200, description="Most complaints listed.")] = 50,
) -> Attention:
    return await service.attention(session, limit=limit)
