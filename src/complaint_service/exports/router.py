"""`GET /v1/complaints/export`: the list endpoint's filters, streamed as CSV or JSON lines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.auth.dependencies import Reader
from complaint_service.complaints.filters import ComplaintQuery
from complaint_service.core.clock import utcnow
from complaint_service.core.problems import problem_responses
from complaint_service.core.state import AppSettings
from complaint_service.exports import service
from complaint_service.exports.formats import MEDIA_TYPES, ExportFormat

router = APIRouter(prefix="/v1/complaints", tags=["exports"])

CSV_EXAMPLE = (
    "\ufeffid,reference,received_at,channel,status,...,subject,body,...,has_pii,pii_masked\r\n"
    "0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11,C20261122-000123,2026-11-22T10:15:00+08:00,app_feedback,resolved,"
    '...,更新后闪退,"闪退, 手机号 138****5678",...,true,true\r\n'
)
JSONL_EXAMPLE = (
    '{"id": "0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11", "reference": "C20261122-000123", '
    '"received_at": "2026-11-22T10:15:00+08:00", "channel": "app_feedback", "status": "resolved", '
    '"body": "闪退, 手机号 138****5678", "pii_masked": true, "...": "..."}\n'
)
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The complaints, one per line, newest first, sent as they are read.",
        "content": {
            MEDIA_TYPES[ExportFormat.csv]: {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
            MEDIA_TYPES[ExportFormat.jsonl]: {"schema": {"type": "string"}, "example": JSONL_EXAMPLE},
        },
    },
    **problem_responses(401, 403, 422, 503),
}


@router.get(
    "/export",
    summary="Export complaints as CSV or JSON lines",
    description="Every complaint matching the list endpoint's filters (`GET /v1/complaints`), newest first, "
    "streamed in batches: any number of rows, in constant memory. People export only their departments' "
    "complaints. Subject, body and resolution summary are masked unless the caller holds `pii:read`; "
    "then each exported complaint carrying personal data is written to the audit log "
    "(`resource: complaint_export`) before it is sent.\n\n"
    "CSV: UTF-8 with a byte order mark (for Excel), CRLF line ends, RFC 4180 quoting; lists joined with "
    "`;`; a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` so "
    "spreadsheets do not run it as a formula (OWASP CSV injection). JSON lines: one object per "
    "complaint. Times are ISO 8601 in the configured time zone; amounts are decimal strings in JSON.",
    response_class=StreamingResponse,
    responses=RESPONSES,
)
async def export_complaints(
    request: Request,
    principal: Reader,
    settings: AppSettings,
    where: ComplaintQuery,
    export_format: Annotated[ExportFormat, Query(alias="format", description="`csv` or `jsonl`.")] = (
        ExportFormat.csv
    ),
) -> StreamingResponse:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    export = service.Export(
        where=where,
        format=export_format,
        principal=principal,
        request=request,
        zone=settings.zone,
        batch_size=settings.analytics.export_batch_size,
    )
    chunks = service.chunks(sessionmaker, export)
    # The first batch is read before the 200 goes out, so an unavailable database is still a 503.
    first = await anext(chunks, b"")

    async def body() -> AsyncIterator[bytes]:
        yield first
        async for chunk in chunks:
            yield chunk

    stamp = utcnow().astimezone(settings.zone).strftime("%Y%m%d-%H%M%S")
    return StreamingResponse(
        body(),
        media_type=MEDIA_TYPES[export_format],
        headers={"Content-Disposition": f'attachment; filename="complaints-{stamp}.{export_format.value}"'},
    )
