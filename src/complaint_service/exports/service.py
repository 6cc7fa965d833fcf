"""Exporting a filtered set of complaints as a stream, in bounded memory whatever its size.

Rows are read in keyset batches (`id < last id`, newest first, the list endpoint's order and
index), each in its own short transaction, rather than through one server-side cursor: a cursor
over a million rows would hold one transaction, and the MVCC horizon with it, open for minutes
while a slow client downloads, and the statement timeout would cut it off. The next batch is read
while this one is encoded, so PostgreSQL and Python work at the same time; at most two batches are
in memory. Each batch is masked, or audited when the caller sees personal data, and the audit rows
are committed before the batch leaves the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.scopes import Principal
from complaint_service.complaints.repository import ComplaintFilter, apply_filter
from complaint_service.exports.formats import Encoder, ExportFormat, Kind
from complaint_service.models import Complaint
from complaint_service.pii.mask import mask_optional

K = Kind
COLUMNS = (
    ("id", K.identifier),
    ("reference", K.text),
    ("received_at", K.time),
    ("channel", K.text),
    ("status", K.text),
    ("category", K.text),
    ("urgency", K.text),
    ("department", K.text),
    ("assignee_id", K.identifier),
    ("customer_id", K.identifier),
    ("order_id", K.text),
    ("product_sku", K.text),
    ("app_version", K.text),
    ("amount", K.identifier),
    ("currency", K.text),
    ("subject", K.text),
    ("body", K.text),
    ("tags", K.texts),
    ("flags", K.texts),
    ("escalation_level", K.number),
    ("reopen_count", K.number),
    ("first_response_due_at", K.time),
    ("first_response_at", K.time),
    ("first_response_business_seconds", K.number),
    ("resolution_due_at", K.time),
    ("resolved_at", K.time),
    ("resolution_business_seconds", K.number),
    ("closed_at", K.time),
    ("resolution_code", K.text),
    ("resolution_summary", K.text),
    ("has_pii", K.flag),
    ("pii_masked", K.flag),
)
# Free text that may carry personal data: masked for callers without pii:read.
TEXTS = ("subject", "body", "resolution_summary")
_SELECTED = [getattr(Complaint, name) for name, _ in COLUMNS if name != "pii_masked"]
AUDIT_RESOURCE = "complaint_export"


@dataclass(frozen=True)
class Export:
    where: ComplaintFilter
    format: ExportFormat
    principal: Principal
    request: Request
    zone: ZoneInfo
    batch_size: int


async def _batch(session: AsyncSession, export: Export, before: uuid.UUID | None) -> Sequence[RowMapping]:
    query = apply_filter(select(Complaint), export.where).with_only_columns(*_SELECTED)
    if before is not None:
        query = query.where(Complaint.id < before)
    # On the connection: plain rows, without the ORM's per-row result machinery.
    connection = await session.connection()
    result = await connection.execute(query.order_by(Complaint.id.desc()).limit(export.batch_size))
    rows = result.mappings().all()
    await session.commit()  # ends the snapshot: no transaction stays open between batches
    return rows


async def batches(
    sessionmaker: async_sessionmaker[AsyncSession], export: Export
) -> AsyncIterator[Sequence[RowMapping]]:
    """Every matching row, a batch at a time; the next batch is already being read meanwhile."""
    async with sessionmaker() as session:
        pending = asyncio.ensure_future(_batch(session, export, None))
        try:
            while True:
                rows = await pending
                if len(rows) == export.batch_size:
                    pending = asyncio.ensure_future(_batch(session, export, rows[-1]["id"]))
                yield rows
                if len(rows) < export.batch_size:
                    return
        finally:
            if not pending.done():  # the client went away mid-export
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending


def _masked(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {**row, **{t: mask_optional(row[t]) for t in TEXTS}, "pii_masked": row["has_pii"]}


async def _audited(session: AsyncSession, export: Export, rows: Sequence[RowMapping]) -> list[dict[str, Any]]:
    """Shown in clear: one audit row per complaint with personal data in view, in one INSERT."""
    await record_reveals(
        session,
        export.principal,
        export.request,
        resource=AUDIT_RESOURCE,
        items=[
            Revealed(
                complaint_id=row["id"],
                customer_id=row["customer_id"],
                texts=tuple(row[t] for t in TEXTS),
            )
            for row in rows
        ],
    )
    await session.commit()
    return [{**row, "pii_masked": False} for row in rows]


async def chunks(sessionmaker: async_sessionmaker[AsyncSession], export: Export) -> AsyncIterator[bytes]:
    """One chunk per batch; the first also carries the CSV header, so awaiting it runs the first query.

    Nothing at all for an empty JSON-lines export.
    """
    encoder = Encoder(export.format, COLUMNS, export.zone)
    text = encoder.header()
    async with sessionmaker() as audit:
        async for rows in batches(sessionmaker, export):
            if export.principal.sees_pii:
                records = await _audited(audit, export, rows)
            else:
                records = [_masked(row) for row in rows]
            text += encoder.rows(records)
            if text:
                yield text.encode()
            text = ""
