"""Intake endpoints: canonical JSON, raw e-mail, and one JSON endpoint per channel."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request, Response, status
from starlette.concurrency import run_in_threadpool

from complaint_service.auth.dependencies import Authenticated
from complaint_service.auth.scopes import Principal
from complaint_service.core.db import DbSession
from complaint_service.core.problems import Forbidden, UnsupportedMediaType, problem_responses
from complaint_service.core.state import AppSettings
from complaint_service.intake import service as intake_service
from complaint_service.intake.channels.base import ChannelPayload, ComplaintDraft
from complaint_service.intake.channels.email import normalize_email
from complaint_service.intake.channels.registry import JSON_PAYLOADS
from complaint_service.intake.schemas import ComplaintCreate, IntakeReceipt
from complaint_service.models.enums import Channel

router = APIRouter(prefix="/v1", tags=["intake"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Any unique string per logical request; "
        "a retry with the same key returns the first result.",
    ),
]
INTAKE_PROBLEMS = problem_responses(401, 403, 413, 415, 422, 503)
RECEIPT_EXAMPLE = {
    "id": "0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11",
    "reference": "C20261122-000123",
    "status": "new",
    "outcome": "created",
    "link": "/v1/complaints/0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11",
}
RECEIPT_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Created and committed.",
        "content": {"application/json": {"example": RECEIPT_EXAMPLE}},
    },
    200: {
        "description": "Already received (same external id or Idempotency-Key), "
        "or added to the complaint it replies to.",
        "model": IntakeReceipt,
        "content": {"application/json": {"example": {**RECEIPT_EXAMPLE, "outcome": "duplicate"}}},
    },
    **INTAKE_PROBLEMS,
    409: problem_responses(409)[409],
}


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def require_media_type(request: Request, *accepted: str) -> None:
    if media_type(request) not in accepted:
        raise UnsupportedMediaType(f"This endpoint takes {' or '.join(accepted)}.")


async def json_body(request: Request) -> None:
    """Runs before the body is validated, so a non-JSON body is a 415 rather than a confusing 422.

    JSON must be UTF-8 (RFC 8259, section 8.1), yet the parser also guesses UTF-16 and UTF-32 from the
    bytes. Those always hold NUL bytes (around every ASCII character) and UTF-8 JSON never does.
    """
    require_media_type(request, "application/json")
    if b"\x00" in await request.body():
        raise UnsupportedMediaType("JSON must be UTF-8 encoded; this body is UTF-16 or UTF-32.")


def check_channel(principal: Principal, channel: Channel) -> None:
    if not principal.can_intake(channel):
        raise Forbidden(f"This API key may not submit complaints for the `{channel.value}` channel.")


async def accept(
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    *,
    draft: ComplaintDraft,
    principal: Principal,
    idempotency_key: str | None,
) -> IntakeReceipt:
    body = await request.body()
    result = await intake_service.ingest(
        session,
        draft=draft,
        principal=principal,
        settings=settings,
        idempotency_key=idempotency_key,
        request_hash=hashlib.sha256(body).hexdigest(),
    )
    created = result.outcome is intake_service.IntakeOutcome.created
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    link = f"/v1/complaints/{result.complaint_id}"
    response.headers["Location"] = link
    return IntakeReceipt(
        id=result.complaint_id,
        reference=result.reference,
        status=result.status,
        outcome=result.outcome,
        link=link,
    )


@router.post(
    "/complaints",
    summary="Submit a complaint in the canonical schema",
    description="For adapters that already normalise. Idempotent by `(channel, external_id)` and by "
    "`Idempotency-Key`: the 2xx is sent only after the complaint is committed.",
    status_code=status.HTTP_201_CREATED,
    response_model=IntakeReceipt,
    responses=RECEIPT_RESPONSES,
    dependencies=[Depends(json_body)],
)
async def create_complaint(
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    principal: Authenticated,
    payload: ComplaintCreate,
    idempotency_key: IdempotencyKey = None,
) -> IntakeReceipt:
    check_channel(principal, payload.channel)
    return await accept(
        request,
        response,
        session,
        settings,
        draft=payload.to_draft(),
        principal=principal,
        idempotency_key=idempotency_key,
    )


EMAIL_EXAMPLE = (
    "From: =?GB2312?B?zfXQocP3?= <wang.xm@example.cn>\r\nTo: support@shop.example.com\r\n"
    "Subject: =?UTF-8?B?6K6i5Y2V5pSv5LuY5aSx6LSl?=\r\nMessage-ID: <20261122103000.1@example.cn>\r\n"
    "Date: Sun, 22 Nov 2026 10:30:00 +0800\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    "订单 202611220001 支付失败，但是钱已经扣了。\r\n"
)


@router.post(
    "/channels/email/complaints",
    summary="Submit a raw e-mail (RFC 822/MIME)",
    description="Post the message exactly as received (`message/rfc822`). The Message-ID is the external id; "
    "a reply to a message we hold is added to its complaint (outcome `threaded`); auto-generated mail "
    "(out-of-office, bounces) is recorded but flagged `no_auto_reply`.",
    status_code=status.HTTP_201_CREATED,
    response_model=IntakeReceipt,
    responses=RECEIPT_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string"}, "example": EMAIL_EXAMPLE}},
        }
    },
)
async def create_from_email(
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    principal: Authenticated,
    idempotency_key: IdempotencyKey = None,
) -> IntakeReceipt:
    check_channel(principal, Channel.email)
    require_media_type(request, "message/rfc822")
    # MIME parsing is CPU-bound (a hostile message takes seconds): keep it off the event loop.
    draft = await run_in_threadpool(normalize_email, await request.body())
    return await accept(
        request,
        response,
        session,
        settings,
        draft=draft,
        principal=principal,
        idempotency_key=idempotency_key,
    )


def _json_channel_route(
    channel: Channel, payload_type: type[ChannelPayload]
) -> Callable[..., Awaitable[IntakeReceipt]]:
    async def create_from_channel(
        request: Request,
        response: Response,
        session: DbSession,
        settings: AppSettings,
        principal: Authenticated,
        payload: ChannelPayload,
        idempotency_key: IdempotencyKey = None,
    ) -> IntakeReceipt:
        check_channel(principal, channel)
        return await accept(
            request,
            response,
            session,
            settings,
            draft=payload.to_draft(),
            principal=principal,
            idempotency_key=idempotency_key,
        )

    # Resolved here, not from the string annotation: FastAPI must see this channel's concrete model.
    create_from_channel.__annotations__["payload"] = Annotated[payload_type, Body()]
    create_from_channel.__name__ = f"create_from_{channel.value}"
    return create_from_channel


for _channel, _payload_type in JSON_PAYLOADS.items():
    router.add_api_route(
        f"/channels/{_channel.value}/complaints",
        _json_channel_route(_channel, _payload_type),
        methods=["POST"],
        summary=f"Submit a {_channel.value.replace('_', ' ')} complaint as its system sends it",
        description=(_payload_type.__doc__ or "").strip(),
        status_code=status.HTTP_201_CREATED,
        response_model=IntakeReceipt,
        responses=RECEIPT_RESPONSES,
        name=f"create_from_{_channel.value}",
        dependencies=[Depends(json_body)],
    )
