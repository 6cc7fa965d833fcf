"""WeChat's own server protocol, so an official account can point straight at the service.

WeChat cannot send our API key; its pushes authenticate by the account token's signature instead.
An adapter relaying pushes may use an `intake:wechat` API key without the signature.
"""

from __future__ import annotations

import hmac
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from complaint_service.auth.dependencies import optional_principal
from complaint_service.auth.scopes import Principal, intake_scope
from complaint_service.core.db import DbSession
from complaint_service.core.problems import Forbidden, Unauthorized, problem_responses
from complaint_service.core.state import AppSettings
from complaint_service.intake import service as intake_service
from complaint_service.intake.channels.base import Ignored
from complaint_service.intake.channels.wechat import parse_wechat_push
from complaint_service.intake.channels.wechat_crypto import (
    WeChatCrypto,
    check_timestamp,
    extract_encrypted,
    msg_signature,
    verify_signature,
)
from complaint_service.intake.router import check_channel, require_media_type
from complaint_service.models.enums import Channel
from complaint_service.settings import Settings, WeChatAccount

router = APIRouter(prefix="/v1/channels/wechat", tags=["intake"])

WECHAT_ACCOUNT = Principal(
    key_id="wechat", name="wechat-official-account", scopes=frozenset({intake_scope(Channel.wechat)})
)
WECHAT_TEXT_EXAMPLE = (
    "<xml><ToUserName><![CDATA[gh_3f2a1b0c9d8e]]></ToUserName>"
    "<FromUserName><![CDATA[oAbC123_customer_openid]]></FromUserName><CreateTime>1795833000</CreateTime>"
    "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[订单202611220001支付失败，钱扣了但订单没生成]]></Content>"
    "<MsgId>24802011223344556</MsgId></xml>"
)
Sig = Annotated[str | None, Query(max_length=128)]


def _token(account: WeChatAccount) -> str:
    if account.token is None:
        raise Forbidden("No WeChat token is configured (COMPLAINT_WECHAT__TOKEN).")
    return account.token.get_secret_value()


def _signed_xml(
    raw: bytes,
    settings: Settings,
    *,
    signature: str | None,
    timestamp: str | None,
    nonce: str | None,
    encrypt_type: str | None,
    msg_sig: str | None,
) -> bytes:
    """Verify a push from WeChat and return the plain XML (decrypting safe mode)."""
    account = settings.wechat
    token = _token(account)
    if not (timestamp and nonce) or not check_timestamp(
        timestamp, now=time.time(), max_skew_seconds=account.max_clock_skew_seconds
    ):
        raise Unauthorized("The WeChat timestamp is missing or too far from now.")
    if encrypt_type == "aes":
        if account.encoding_aes_key is None or account.app_id is None:
            raise Forbidden(
                "Safe mode needs COMPLAINT_WECHAT__ENCODING_AES_KEY and COMPLAINT_WECHAT__APP_ID."
            )
        encrypted = extract_encrypted(raw)
        expected = msg_signature(token, timestamp, nonce, encrypted)
        if msg_sig is None or not hmac.compare_digest(expected, msg_sig):
            raise Unauthorized("The WeChat msg_signature does not verify.")
        return WeChatCrypto(account.encoding_aes_key.get_secret_value(), account.app_id).decrypt(encrypted)
    if signature is None or not verify_signature(token, signature, timestamp, nonce):
        raise Unauthorized("The WeChat signature does not verify.")
    return raw


@router.get(
    "/complaints",
    summary="WeChat server verification handshake",
    description="WeChat calls this once when the URL is configured; the `echostr` is echoed back when the "
    "signature verifies with the configured token.",
    response_class=PlainTextResponse,
    responses={
        200: {"description": "The echostr", "content": {"text/plain": {"example": "7215349876543210"}}},
        **problem_responses(401, 403, 422),
    },
)
async def wechat_handshake(
    settings: AppSettings,
    signature: Annotated[str, Query(max_length=128)],
    timestamp: Annotated[str, Query(max_length=32)],
    nonce: Annotated[str, Query(max_length=128)],
    echostr: Annotated[str, Query(max_length=256)],
) -> PlainTextResponse:
    if not verify_signature(_token(settings.wechat), signature, timestamp, nonce):
        raise Unauthorized("The WeChat signature does not verify.")
    return PlainTextResponse(echostr)


PUSH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "`success`, as WeChat expects. "
        "Headers `Location` and `X-Complaint-Reference` name the "
        "complaint when one was recorded (events such as subscribe are acknowledged without one).",
        "content": {"text/plain": {"example": "success"}},
    },
    **problem_responses(401, 403, 413, 415, 422, 503),
}


@router.post(
    "/complaints",
    summary="Receive a WeChat official-account message push",
    description="Plain or safe (`encrypt_type=aes`) mode. Text, image, voice (with recognition), video, "
    "location and link messages become complaints, idempotent by MsgId; events are acknowledged only.",
    response_class=PlainTextResponse,
    responses=PUSH_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/xml": {"schema": {"type": "string"}, "example": WECHAT_TEXT_EXAMPLE},
                "text/xml": {"schema": {"type": "string"}, "example": WECHAT_TEXT_EXAMPLE},
            },
        }
    },
)
async def wechat_push(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    signature: Sig = None,
    timestamp: Annotated[str | None, Query(max_length=32)] = None,
    nonce: Sig = None,
    openid: Sig = None,
    encrypt_type: Annotated[str | None, Query(max_length=16)] = None,
    msg_signature: Sig = None,
) -> PlainTextResponse:
    require_media_type(request, "application/xml", "text/xml")
    raw = await request.body()
    if signature is not None or msg_signature is not None:
        xml = _signed_xml(
            raw,
            settings,
            signature=signature,
            timestamp=timestamp,
            nonce=nonce,
            encrypt_type=encrypt_type,
            msg_sig=msg_signature,
        )
        caller = WECHAT_ACCOUNT
    elif principal is not None:
        check_channel(principal, Channel.wechat)
        xml, caller = raw, principal
    else:
        raise Unauthorized("Sign the push with the account token or send an `intake:wechat` API key.")
    parsed = parse_wechat_push(xml)
    if isinstance(parsed, Ignored):
        return PlainTextResponse("success", headers={"X-Complaint-Ignored": parsed.reason})
    result = await intake_service.ingest(session, draft=parsed, principal=caller, settings=settings)
    return PlainTextResponse(
        "success",
        headers={
            "Location": f"/v1/complaints/{result.complaint_id}",
            "X-Complaint-Reference": result.reference,
        },
    )
