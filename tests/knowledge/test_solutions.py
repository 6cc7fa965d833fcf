"""The knowledge base API: writing and editing solutions (ETag/If-Match, who may), and text search."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures.app import MakeKey
from tests.fixtures.builders import assert_problem
from tests.fixtures.people import MakePerson, Person

DOUBLE_CHARGE = {
    "title": "支付成功但订单未生成（掉单）",
    "body": "1. 在支付渠道后台按商户单号核实扣款；2. 扣款成功则补单或原路退款，1–3 个工作日到账；"
    "3. 回复客户处理结果并附退款流水号。",
    "category": "payment_billing",
    "tags": ["支付", "掉单"],
}
REFUND_LATE = {
    "title": "退款未到账怎么办",
    "body": "原路退款一般 1–3 个工作日到账，信用卡最长 7 个工作日。超时请在财务系统查询退款单状态并催办。",
    "category": "refund_return",
    "tags": ["退款"],
}
DELIVERY_LATE = {
    "title": "快遞延遲未送達",
    "body": "查詢物流單號的最新軌跡；超過承諾時效 48 小時，聯繫快遞公司催件並向客戶說明預計送達時間。",
    "category": "delivery_logistics",
    "tags": ["物流"],
}
CRASH = {
    "title": "App crashes after updating",
    "body": "Ask for the app version and phone model, then have the customer clear the cache or reinstall. "
    "Known crash in 5.2.1 on Android 14 is fixed in 5.2.2.",
    "category": "product_defect",
    "tags": ["crash", "android"],
}


async def _create(client: httpx.AsyncClient, person: Person, spec: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/solutions", json=spec, headers=person.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _search(
    client: httpx.AsyncClient, person: Person, query: str, **params: str
) -> list[dict[str, Any]]:
    response = await client.get("/v1/solutions", params={"q": query, **params}, headers=person.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


class TestWriting:
    async def test_author_edits_with_if_match_and_a_stale_tag_is_refused(
        self, api_client: httpx.AsyncClient, make_person: MakePerson
    ) -> None:
        author = await make_person("agent", ["finance"])
        created = await api_client.post("/v1/solutions", json=DOUBLE_CHARGE, headers=author.headers)
        assert created.status_code == 201, created.text
        assert created.headers["ETag"] == '"1"'
        solution = created.json()
        assert (solution["author_id"], solution["usage_count"], solution["version"]) == (str(author.id), 0, 1)
        path = f"/v1/solutions/{solution['id']}"

        got = await api_client.get(path, headers=author.headers)
        assert (got.json()["title"], got.headers["ETag"]) == (DOUBLE_CHARGE["title"], '"1"')

        edited = await api_client.patch(
            path,
            json={"tags": ["支付", "掉单", "补单", "支付"]},
            headers={**author.headers, "If-Match": '"1"'},
        )
        assert edited.status_code == 200, edited.text
        assert edited.headers["ETag"] == '"2"'
        assert edited.json()["tags"] == ["支付", "掉单", "补单"]
        assert edited.json()["title"] == DOUBLE_CHARGE["title"]

        stale = await api_client.patch(
            path, json={"title": "掉单处理"}, headers={**author.headers, "If-Match": '"1"'}
        )
        assert_problem(stale, 412, "precondition-failed")
        assert (await api_client.get(path, headers=author.headers)).json()["title"] == DOUBLE_CHARGE["title"]

        cleared = await api_client.patch(path, json={"category": None}, headers=author.headers)
        assert (cleared.json()["category"], cleared.json()["version"]) == (None, 3)

    async def test_who_may_write_and_edit(
        self, api_client: httpx.AsyncClient, make_person: MakePerson, make_key: MakeKey
    ) -> None:
        author = await make_person("agent", ["finance"])
        colleague = await make_person("agent", ["finance"])
        lead = await make_person("team_lead", ["logistics"])
        solution = await _create(api_client, author, REFUND_LATE)
        path = f"/v1/solutions/{solution['id']}"

        assert_problem(
            await api_client.patch(path, json={"title": "x"}, headers=colleague.headers), 403, "forbidden"
        )
        by_lead = await api_client.patch(path, json={"title": "退款超时未到账"}, headers=lead.headers)
        assert by_lead.status_code == 200, by_lead.text
        assert by_lead.json()["updated_by"] == f"user:{lead.id}"
        assert by_lead.json()["author"] == f"user:{author.id}"

        reader = await make_key("complaints:read", name="dashboard")
        assert (await api_client.get(path, headers=reader)).status_code == 200
        assert_problem(await api_client.post("/v1/solutions", json=CRASH, headers=reader), 403, "forbidden")
        assert_problem(await api_client.post("/v1/solutions", json=CRASH), 401, "unauthorized")
        admin = await make_key("admin", name="kb-import")
        imported = await api_client.post("/v1/solutions", json=CRASH, headers=admin)
        assert (imported.status_code, imported.json()["author"], imported.json()["author_id"]) == (
            201,
            "api_key:kb-import",
            None,
        )

    async def test_invalid_solutions_are_422(
        self, api_client: httpx.AsyncClient, make_person: MakePerson
    ) -> None:
        author = await make_person("agent", ["finance"])
        for bad in (
            {**CRASH, "title": "  "},
            {**CRASH, "category": "weather"},
            {**CRASH, "tags": [f"t{i}" for i in range(21)]},
            {"title": "no body"},
            {**CRASH, "usage_count": 100},
        ):
            assert_problem(
                await api_client.post("/v1/solutions", json=bad, headers=author.headers),
                422,
                "validation-error",
            )
        assert_problem(
            await api_client.get(
                "/v1/solutions/0193a5c2-7f40-7000-8000-0a0b0c0d0e20", headers=author.headers
            ),
            404,
            "not-found",
        )


class TestSearch:
    async def test_chinese_and_english_search_by_similar_wording(
        self, api_client: httpx.AsyncClient, make_person: MakePerson
    ) -> None:
        author = await make_person("agent", ["finance"])
        ids = {
            name: (await _create(api_client, author, spec))["id"]
            for name, spec in (
                ("double", DOUBLE_CHARGE),
                ("refund", REFUND_LATE),
                ("delivery", DELIVERY_LATE),
                ("crash", CRASH),
            )
        }

        simplified = await _search(api_client, author, "退款一直没到账")
        assert simplified[0]["id"] == ids["refund"]
        assert ids["crash"] not in [s["id"] for s in simplified]
        traditional = await _search(api_client, author, "退款一直沒到賬")  # folded to Simplified
        assert [s["id"] for s in traditional] == [s["id"] for s in simplified]
        assert traditional[0]["score"] == simplified[0]["score"]

        lost_order = await _search(api_client, author, "付款成功了订单却没生成")
        assert lost_order[0]["id"] == ids["double"]
        assert lost_order[0]["score"] > (lost_order[1]["score"] if len(lost_order) > 1 else 0)

        parcel = await _search(api_client, author, "快递延迟一直没送到")  # Simplified query, Traditional text
        assert parcel[0]["id"] == ids["delivery"]

        english = await _search(api_client, author, "app keeps crashing after the update")
        assert [s["id"] for s in english] == [ids["crash"]]

        assert await _search(api_client, author, "今天天气很好") == []
        assert [s["id"] for s in await _search(api_client, author, "退款", category="refund_return")] == [
            ids["refund"]
        ]

    async def test_listing_without_a_query_pages_newest_first(
        self, api_client: httpx.AsyncClient, make_person: MakePerson
    ) -> None:
        author = await make_person("agent", ["finance"])
        created = [await _create(api_client, author, spec) for spec in (DOUBLE_CHARGE, REFUND_LATE, CRASH)]
        first = (await api_client.get("/v1/solutions?limit=2", headers=author.headers)).json()
        assert [s["id"] for s in first["items"]] == [created[2]["id"], created[1]["id"]]
        assert first["items"][0]["score"] is None
        rest = (
            await api_client.get(
                f"/v1/solutions?limit=2&cursor={first['next_cursor']}", headers=author.headers
            )
        ).json()
        assert ([s["id"] for s in rest["items"]], rest["next_cursor"]) == ([created[0]["id"]], None)
        tagged = (await api_client.get("/v1/solutions?tag=android", headers=author.headers)).json()
        assert [s["id"] for s in tagged["items"]] == [created[2]["id"]]
