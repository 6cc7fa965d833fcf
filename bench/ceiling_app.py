"""The raw-asyncpg ceiling: the least an intake endpoint can do with this framework, server and database.

It validates the service's own canonical payload (`ComplaintCreate`), does one INSERT of a
complaint-shaped row into the migrated `complaints` table (same columns, same indexes, the same
reference function) on a bare asyncpg pool as large as the service's, and answers the service's
receipt. No authentication, customer, message, event, language detection or job. It is served
exactly as `complaint-service api` serves the service (`uvicorn.run(app, ...)`: one process, the
loop and HTTP parser uvicorn picks, uvloop and httptools when installed).

`python -m bench.ceiling_app --port N` with COMPLAINT_DATABASE_URL set, as the bench starts it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import uvicorn
from fastapi import FastAPI, HTTPException, Response, status
from sqlalchemy import make_url

from complaint_service.cli import freeze_startup_heap
from complaint_service.core.ids import uuid7
from complaint_service.intake.schemas import ComplaintCreate, IntakeReceipt
from complaint_service.intake.service import IntakeOutcome
from complaint_service.settings import Settings, get_settings

INSERT = """
INSERT INTO complaints (id, reference, channel, external_id, subject, body, language, attachments,
                        channel_data, order_id, product_sku, app_version, amount, currency, tags, flags,
                        has_pii, received_at)
VALUES ($1, complaint_reference($2, $3), $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15,
        $16, '{}', false, coalesce($17, now()))
ON CONFLICT DO NOTHING
RETURNING id, reference, status
"""


def create_ceiling_app(settings: Settings) -> FastAPI:
    assert settings.database_url is not None
    dsn = make_url(settings.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    pools: dict[str, asyncpg.Pool[Any]] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        size = settings.db_pool_size + settings.db_max_overflow
        pools["db"] = await asyncpg.create_pool(dsn, min_size=settings.db_pool_size, max_size=size)
        try:
            yield
        finally:
            await pools["db"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/complaints", status_code=status.HTTP_201_CREATED, response_model=IntakeReceipt)
    async def create(payload: ComplaintCreate, response: Response) -> IntakeReceipt:
        draft = payload.to_draft()
        row = await pools["db"].fetchrow(
            INSERT,
            uuid7(),
            settings.reference_prefix,
            settings.timezone,
            draft.channel.value,
            draft.external_id,
            draft.subject,
            draft.body,
            draft.language,
            json.dumps([a.model_dump(mode="json", exclude_none=True) for a in draft.attachments]),
            json.dumps(draft.channel_data),
            draft.order_id,
            draft.product_sku,
            draft.app_version,
            draft.amount,
            draft.currency,
            sorted(set(draft.tags)),
            draft.received_at,
        )
        if row is None:  # the bench never repeats an external id
            raise HTTPException(status.HTTP_409_CONFLICT, "duplicate")
        link = f"/v1/complaints/{row['id']}"
        response.headers["Location"] = link
        return IntakeReceipt(
            id=row["id"],
            reference=row["reference"],
            status=row["status"],
            outcome=IntakeOutcome.created,
            link=link,
        )

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling_app", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = create_ceiling_app(get_settings())
    # As `complaint-service api` does with one process (cli.cmd_api).
    freeze_startup_heap()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_config=None,
        timeout_graceful_shutdown=20,
    )


if __name__ == "__main__":
    main()
