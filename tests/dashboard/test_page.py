"""The dashboard in headless Chromium against the real app under uvicorn: sign in, figures, screenshot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.app import create_app
from complaint_service.core.clock import utcnow
from complaint_service.models import Alert
from complaint_service.settings import Settings
from tests.dashboard.cdp import CHROMIUM, Page, open_page
from tests.dashboard.seed import Seeded, add_alert, seed_operations

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
ARTIFACTS = Path(__file__).parents[1] / "artifacts"


@contextlib.asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[str]:
    """The real app under uvicorn on a port the kernel picked, in this event loop."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), task.exception()
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def hours(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 3600:.1f} h"


def expected_tiles(summary: dict[str, Any]) -> dict[str, str]:
    f = summary["figures"]
    return {
        "volume": str(f["volume"]),
        "response_rate": percent(f["response_rate"]["rate"]),
        "resolution_rate": percent(f["resolution_rate"]["rate"]),
        "sla_first_response": percent(f["sla_first_response"]["rate"]),
        "sla_resolution": percent(f["sla_resolution"]["rate"]),
        "satisfaction": percent(f["satisfaction"]["satisfied"]["rate"]),
        "repeat_rate": percent(f["repeat_rate"]["rate"]),
        "conversion": percent(f["conversion"]["rate"]),
        "first_response_median": hours(f["first_response_time"]["wall"]["median_seconds"]),
        "backlog": str(summary["backlog"]["total"]),
    }


async def chart_data(page: Page, canvas: str) -> dict[str, Any]:
    data: dict[str, Any] = await page.evaluate(
        f"""(() => {{
            const chart = Chart.getChart({json.dumps(canvas)});
            return {{labels: chart.data.labels, datasets: chart.data.datasets.map(d => d.data)}};
        }})()"""
    )
    return data


async def table_rows(page: Page, table: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await page.evaluate(
        f"""[...document.querySelectorAll('#{table} tbody tr[data-id]')].map(r => ({{
            id: r.dataset.id, reference: r.dataset.reference,
            cells: [...r.cells].map(c => c.textContent)}}))"""
    )
    return rows


async def sign_in(page: Page, base: str, seeded: Seeded) -> None:
    await page.navigate(f"{base}/dashboard?refresh=5")
    await page.wait_for("!document.getElementById('sign-in').hidden")
    await page.evaluate(
        f"""(() => {{
            const form = document.getElementById('sign-in-form');
            form.email.value = {json.dumps(seeded.email)};
            form.password.value = {json.dumps(seeded.password)};
            form.requestSubmit();
        }})()"""
    )
    await page.wait_for("Number(document.getElementById('dashboard').dataset.refreshes || 0) >= 1")


class TestDashboardPage:
    async def test_a_supervisor_sees_the_api_figures_charted_and_acknowledges_an_alert(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        tmp_path: Path,
    ) -> None:
        seeded = await seed_operations(sessionmaker, now=utcnow())
        async with serve(settings) as base, open_page(tmp_path / "profile") as page:
            await sign_in(page, base, seeded)
            token = await page.evaluate("sessionStorage.getItem('complaint-service.dashboard.token')")
            period = await page.evaluate("({...document.getElementById('period-label').dataset})")
            async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:
                query = {"from": period["from"], "to": period["to"]}
                summary = (await api.get("/v1/analytics/summary", params=query)).json()
                series = (await api.get("/v1/analytics/timeseries", params=query | {"bucket": "day"})).json()
                by_category = (
                    await api.get("/v1/analytics/breakdown", params=query | {"by": "category"})
                ).json()
                by_channel = (
                    await api.get("/v1/analytics/breakdown", params=query | {"by": "channel"})
                ).json()
                attention = (await api.get("/v1/dashboard/attention")).json()

            # The tiles show the summary's figures, each with its target where the manuals set one.
            tiles = await page.evaluate(
                """Object.fromEntries([...document.querySelectorAll('.tile')].map(t => [t.dataset.kpi, {
                    value: t.querySelector('.value').textContent,
                    target: t.querySelector('.target').textContent,
                    state: ['ok', 'bad'].find(s => t.classList.contains(s)) || 'none'}]))"""
            )
            assert {k: v["value"] for k, v in tiles.items()} == expected_tiles(summary)
            assert summary["figures"]["volume"] == 13
            assert summary["backlog"]["total"] == 5
            assert tiles["response_rate"]["target"] == "target ≥ 95.0%"
            assert tiles["satisfaction"]["value"] == "75.0%"  # three of four surveys scored 4-5
            assert tiles["satisfaction"]["state"] == "bad"
            assert tiles["repeat_rate"]["target"] == "target ≤ 12.0%"

            # Charts: the time series, the breakdowns and the backlog by age, as the API gave them.
            volume = await chart_data(page, "chart-volume")
            assert volume["datasets"][0] == [p["received"] for p in series["points"]]
            assert volume["datasets"][1] == [p["resolved"] for p in series["points"]]
            assert sum(volume["datasets"][0]) == summary["figures"]["volume"]
            sla = await chart_data(page, "chart-sla")
            assert len(sla["labels"]) == len(series["points"])
            category = await chart_data(page, "chart-category")
            assert category["labels"] == [r["key"] or "untriaged" for r in by_category["items"]]
            assert category["datasets"][0] == [r["figures"]["volume"] for r in by_category["items"]]
            channel = await chart_data(page, "chart-channel")
            assert channel["datasets"][0] == [r["figures"]["volume"] for r in by_channel["items"]]
            backlog = await chart_data(page, "chart-backlog")
            assert backlog["labels"] == [r["status"] for r in summary["backlog"]["by_status"]]
            assert [sum(d) for d in backlog["datasets"]] == [
                sum(r[key] for r in summary["backlog"]["by_status"])
                for key in ("under_4h", "from_4h_to_24h", "from_1d_to_3d", "over_3d")
            ]

            # Lists: breached and escalated complaints, open incidents, unacknowledged alerts.
            listed = [r["reference"] for r in await table_rows(page, "attention")]
            assert listed == [c["reference"] for c in attention["items"]] == list(seeded.attention)
            [incident] = await table_rows(page, "incidents")
            assert incident["cells"][0] == seeded.incident_title
            [alert] = await table_rows(page, "alerts")
            assert alert["cells"][0] == "app version: 5.2.1"

            await asyncio.sleep(0.3)  # let the last frame paint
            png = await page.screenshot()
            assert png.startswith(b"\x89PNG")
            shot = tmp_path / "dashboard.png"
            await asyncio.to_thread(shot.write_bytes, png)
            await asyncio.to_thread(ARTIFACTS.mkdir, exist_ok=True)
            await asyncio.to_thread(shutil.copyfile, shot, ARTIFACTS / "dashboard.png")
            print(f"dashboard screenshot: {shot} and {ARTIFACTS / 'dashboard.png'}")

            # The page refreshes itself: an alert raised meanwhile shows up without a reload.
            await add_alert(sessionmaker, "5.3.0")
            await page.wait_for("document.querySelectorAll('#alerts tbody tr[data-id]').length === 2")

            # Acknowledging from the page takes the alert off the list and records who did it.
            await page.evaluate(
                f"document.querySelector('#alerts tr[data-id=\"{seeded.alert_id}\"] button').click()"
            )
            await page.wait_for("document.querySelectorAll('#alerts tbody tr[data-id]').length === 1")
            assert page.errors == []
        async with sessionmaker() as session:
            acknowledged = await session.get_one(Alert, seeded.alert_id)
        assert acknowledged.acknowledged_by == f"user:{seeded.supervisor_id}"

    async def test_a_wrong_password_stays_on_the_sign_in_form(
        self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
    ) -> None:
        seeded = await seed_operations(sessionmaker, now=utcnow())
        async with serve(settings) as base, open_page(tmp_path / "profile") as page:
            await page.navigate(f"{base}/dashboard")
            await page.wait_for("!document.getElementById('sign-in').hidden")
            await page.evaluate(
                f"""(() => {{
                    const form = document.getElementById('sign-in-form');
                    form.email.value = {json.dumps(seeded.email)};
                    form.password.value = 'not the password';
                    form.requestSubmit();
                }})()"""
            )
            message = await page.wait_for("document.getElementById('sign-in-error').textContent")
            assert "wrong password" in message
            assert await page.evaluate("document.getElementById('dashboard').hidden")
            assert await page.evaluate("sessionStorage.length") == 0
