"""Triage compares a complaint with its customer's others only when the customer has others."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.triage.tasks import classify
from tests.fixtures.builders import post_canonical
from tests.fixtures.statements import counted

PARCEL = "快递已经一周了还没送到，物流信息一直不更新，请帮我查一下。"
REFUND = "申请退货退款已经一个星期了，钱还没退回来，请尽快处理。"


async def _triage_counting_history_reads(ctx: dict[str, Any], complaint_id: str) -> int:
    """Triages the complaint; returns how many statements read the customer's complaints."""
    with counted(ctx["sessionmaker"].kw["bind"]) as statements:
        assert await classify.coroutine(ctx, complaint_id) == "triaged"
    return sum(
        "complaints.customer_id = " in statement and not statement.startswith("UPDATE")
        for statement in statements
    )


async def test_a_first_complaint_is_not_compared_and_the_second_is(
    api_client: httpx.AsyncClient,
    intake_headers: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
    worker_ctx: dict[str, Any],
) -> None:
    customer = {"phone": f"139{uuid.uuid4().int % 10**8:08d}"}
    first = await post_canonical(api_client, intake_headers, body=PARCEL, customer=customer)
    assert await _triage_counting_history_reads(worker_ctx, first.json()["id"]) == 0

    second = await post_canonical(api_client, intake_headers, body=REFUND, customer=customer)
    # The abuse limits, the open-ticket check and the repeat check each read the customer's others.
    assert await _triage_counting_history_reads(worker_ctx, second.json()["id"]) == 3
