"""`GET /v1/complaints/export`: filters, departments, masking and audit, CSV safety, streaming."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from complaint_service.auth.scopes import Principal
from complaint_service.complaints.repository import ComplaintFilter
from complaint_service.core.clock import utcnow
from complaint_service.exports import service
from complaint_service.exports.formats import ExportFormat
from complaint_service.models import Complaint, PiiAccess
from tests.fixtures.app import MakeKey
from tests.fixtures.builders import assert_problem
from tests.fixtures.people import MakePerson

ZONE = ZoneInfo("Asia/Shanghai")
PHONE_BODY = "退款没到账，回电 13812345678"
HOSTILE = {
    "comma": "价格不对, 多扣了 5 元",
    "quotes": 'he said "refund now"',
    "newline": "第一行\n第二行\r\n第三行",
    "formula": '=HYPERLINK("http://evil.example","click")',
    "plus": "+86 talk",
    "minus": "-1 star",
    "at": "@SUM(A1:A2)",
    "tab": "\tindented",
}


async def _seed(
    sessionmaker: async_sessionmaker[AsyncSession], rows: Sequence[dict[str, Any]]
) -> list[uuid.UUID]:
    """Oldest first, one second apart, so the export's newest-first order is known."""
    start = utcnow() - timedelta(hours=1)
    complaints = [
        Complaint(
            reference=f"E-{uuid.uuid4().hex[:12]}",
            channel=row.get("channel", "web_form"),
            external_id=f"export-{uuid.uuid4().hex}",
            status="in_progress",
            department=row.get("department", "finance"),
            received_at=start + timedelta(seconds=i),
            body=row.get("body", "物流三天没有更新"),
            subject=row.get("subject"),
            order_id=row.get("order_id"),
            has_pii=row.get("has_pii", False),
            tags=row.get("tags", []),
        )
        for i, row in enumerate(rows)
    ]
    async with sessionmaker() as session, session.begin():
        session.add_all(complaints)
    return [c.id for c in complaints]


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


class TestExportApi:
    async def test_csv_keeps_every_awkward_text_intact_and_defuses_formulas(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        make_key: MakeKey,
    ) -> None:
        await _seed(sessionmaker, [{"body": body, "subject": name} for name, body in HOSTILE.items()])
        await _seed(sessionmaker, [{"body": "正常", "order_id": "=1+1", "tags": ["vip", "-urgent"]}])

        response = await api_client.get(
            "/v1/complaints/export",
            params={"format": "csv"},
            headers=await make_key("complaints:read", "pii:read"),
        )

        rows = _csv(response)
        assert response.headers["content-disposition"].startswith('attachment; filename="complaints-')
        by_subject = {row["subject"]: row["body"] for row in rows if row["subject"]}
        assert by_subject["comma"] == HOSTILE["comma"]
        assert by_subject["quotes"] == HOSTILE["quotes"]
        assert by_subject["newline"] == HOSTILE["newline"]
        for name in ("formula", "plus", "minus", "at", "tab"):
            assert by_subject[name] == "'" + HOSTILE[name], name
        plain = next(row for row in rows if not row["subject"])
        assert (plain["body"], plain["order_id"], plain["tags"]) == ("正常", "'=1+1", "vip;-urgent")
        assert b"\r\n" in response.content  # RFC 4180 line ends outside the quoted cells

    async def test_jsonl_rows_newest_first_with_times_in_the_configured_zone(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        reader_headers: dict[str, str],
    ) -> None:
        ids = await _seed(
            sessionmaker, [{"body": "第一个"}, {"body": HOSTILE["newline"]}, {"body": "第三个"}]
        )

        response = await api_client.get(
            "/v1/complaints/export", params={"format": "jsonl"}, headers=reader_headers
        )

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        lines = response.text.splitlines()
        records = [json.loads(line) for line in lines]
        assert [r["id"] for r in records] == [str(i) for i in reversed(ids)]
        assert records[1]["body"] == HOSTILE["newline"]
        assert "第一个" in response.text  # not \\u-escaped
        assert records[0]["received_at"].endswith("+08:00")
        assert list(records[0]) == [name for name, _ in service.COLUMNS]

    async def test_the_list_filters_apply(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        reader_headers: dict[str, str],
    ) -> None:
        await _seed(
            sessionmaker,
            [
                {"channel": "sms"},
                {"channel": "weibo"},
                {"channel": "sms", "department": "tech"},
                {"body": "扣款两次"},
            ],
        )

        sms = _csv(await api_client.get("/v1/complaints/export?channel=sms", headers=reader_headers))
        both = _csv(
            await api_client.get("/v1/complaints/export?channel=sms&channel=weibo", headers=reader_headers)
        )
        tech_sms = _csv(
            await api_client.get("/v1/complaints/export?channel=sms&department=tech", headers=reader_headers)
        )
        text_match = _csv(await api_client.get("/v1/complaints/export?q=扣款", headers=reader_headers))
        bad = await api_client.get("/v1/complaints/export?format=xlsx", headers=reader_headers)

        assert [len(sms), len(both), len(tech_sms), len(text_match)] == [2, 3, 1, 1]
        assert_problem(bad, 422, "validation-error")

    async def test_people_export_their_departments_only(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        make_person: MakePerson,
    ) -> None:
        await _seed(
            sessionmaker, [{"department": "finance"}, {"department": "tech"}, {"department": "finance"}]
        )
        agent = await make_person("agent", ["finance"])
        supervisor = await make_person("supervisor", [])

        own = _csv(await api_client.get("/v1/complaints/export", headers=agent.headers))
        everything = _csv(await api_client.get("/v1/complaints/export", headers=supervisor.headers))

        assert {row["department"] for row in own} == {"finance"}
        assert (len(own), len(everything)) == (2, 3)

    async def test_pii_is_masked_without_the_scope_and_audited_with_it(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        reader_headers: dict[str, str],
        make_person: MakePerson,
    ) -> None:
        ids = await _seed(
            sessionmaker, [{"body": PHONE_BODY, "has_pii": True}, {}, {"body": PHONE_BODY, "has_pii": True}]
        )
        auditor = await make_person("supervisor", [], scopes=["pii:read"])

        masked = _csv(await api_client.get("/v1/complaints/export", headers=reader_headers))
        async with sessionmaker() as session:
            audited_before = await session.scalar(select(func.count()).select_from(PiiAccess))
        clear = _csv(await api_client.get("/v1/complaints/export", headers=auditor.headers))

        assert "13812345678" not in json.dumps(masked, ensure_ascii=False)
        assert {row["pii_masked"] for row in masked if row["has_pii"] == "true"} == {"true"}
        assert sum(row["body"] == PHONE_BODY for row in clear) == 2
        assert {row["pii_masked"] for row in clear} == {"false"}
        async with sessionmaker() as session:
            audit = (await session.scalars(select(PiiAccess).order_by(PiiAccess.complaint_id))).all()
        assert audited_before == 0
        assert sorted(a.complaint_id for a in audit if a.complaint_id) == sorted([ids[0], ids[2]])
        assert {(a.resource, a.actor, a.route, tuple(a.kinds)) for a in audit} == {
            ("complaint_export", f"user:{auditor.id}", "GET /v1/complaints/export", ("phone",))
        }
        assert all(a.request_id for a in audit)


def _export(*, batch_size: int, export_format: ExportFormat = ExportFormat.csv) -> service.Export:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/complaints/export",
        "headers": [],
        "query_string": b"",
    }
    return service.Export(
        where=ComplaintFilter(),
        format=export_format,
        principal=Principal(key_id="k", name="reader", scopes=frozenset({"complaints:read"})),
        request=Request(scope),
        zone=ZONE,
        batch_size=batch_size,
    )


async def _bulk(sessionmaker: async_sessionmaker[AsyncSession], count: int) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO complaints "
                "(id, reference, channel, external_id, body, status, received_at, has_pii) "
                "SELECT gen_random_uuid(), 'B' || g, 'web_form', 'bulk-' || g, "
                "'订单 ' || g || ' 的退款没到账, 请联系 13812345678', 'in_progress', now(), true "
                "FROM generate_series(1, :count) AS g"
            ),
            {"count": count},
        )


async def _drain(sessionmaker: async_sessionmaker[AsyncSession], export: service.Export) -> list[bytes]:
    return [chunk async for chunk in service.chunks(sessionmaker, export)]


class TestExportStream:
    async def test_one_chunk_per_batch_the_first_with_the_header(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        await _bulk(sessionmaker, 5)

        chunks = await _drain(sessionmaker, _export(batch_size=2))
        jsonl = await _drain(sessionmaker, _export(batch_size=5, export_format=ExportFormat.jsonl))

        decoded = [c.decode("utf-8") for c in chunks]
        assert len(chunks) == 3
        assert decoded[0].startswith("\ufeffid,reference,")
        assert [len(list(csv.reader(io.StringIO(d, newline="")))) for d in decoded] == [3, 2, 1]
        assert "13812345678" not in "".join(decoded)
        # A full last batch is followed by an empty read that sends nothing.
        assert [chunk.count(b"\n") for chunk in jsonl] == [5]

    async def test_an_empty_export_is_a_header_or_nothing(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        assert await _drain(sessionmaker, _export(batch_size=10)) == [
            ("\ufeff" + ",".join(name for name, _ in service.COLUMNS) + "\r\n").encode()
        ]
        assert await _drain(sessionmaker, _export(batch_size=10, export_format=ExportFormat.jsonl)) == []

    @pytest.mark.slow
    async def test_memory_does_not_grow_with_the_number_of_rows(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        async def peak(rows: int) -> int:
            async with sessionmaker() as session, session.begin():
                await session.execute(text("TRUNCATE complaints CASCADE"))
            await _bulk(sessionmaker, rows)
            tracemalloc.start()
            try:
                total = 0
                async for chunk in service.chunks(sessionmaker, _export(batch_size=200)):
                    total += chunk.count(b"\r\n")
                return tracemalloc.get_traced_memory()[1] if total == rows + 1 else -1
            finally:
                tracemalloc.stop()

        small, large = await peak(1_000), await peak(8_000)

        assert small > 0
        assert large > 0
        assert large < small * 1.5  # eight times the rows, about the same peak
