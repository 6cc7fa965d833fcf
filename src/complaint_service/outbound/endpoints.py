"""Managing webhook endpoints: create with a one-time secret, update, rotate the secret, delete."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core import config_cache
from complaint_service.core.problems import NotFound
from complaint_service.models import WebhookEndpoint
from complaint_service.outbound import repository
from complaint_service.outbound.schemas import EndpointCreate, EndpointUpdate


def new_secret() -> str:
    return secrets.token_urlsafe(32)


async def create(session: AsyncSession, *, spec: EndpointCreate) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        name=spec.name,
        url=str(spec.url),
        secret=spec.secret or new_secret(),
        channels=sorted({c.value for c in spec.channels}),
        event_types=sorted({e.value for e in spec.event_types}),
        enabled=True,
    )
    session.add(endpoint)
    await session.flush()
    config_cache.forget(session)
    await session.refresh(endpoint)
    return endpoint


async def load(session: AsyncSession, *, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = await repository.get_endpoint(session, endpoint_id=endpoint_id)
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    return endpoint


async def update(session: AsyncSession, *, endpoint_id: uuid.UUID, spec: EndpointUpdate) -> WebhookEndpoint:
    """A rotated secret signs every attempt from now on; failures retry until the receiver has it."""
    endpoint = await load(session, endpoint_id=endpoint_id)
    if spec.name is not None:
        endpoint.name = spec.name
    if spec.url is not None:
        endpoint.url = str(spec.url)
    if spec.channels is not None:
        endpoint.channels = sorted({c.value for c in spec.channels})
    if spec.event_types is not None:
        endpoint.event_types = sorted({e.value for e in spec.event_types})
    if spec.enabled is not None:
        endpoint.enabled = spec.enabled
    if spec.rotate_secret:
        endpoint.secret = new_secret()
    await session.flush()
    config_cache.forget(session)
    await session.refresh(endpoint)
    return endpoint


async def delete(session: AsyncSession, *, endpoint_id: uuid.UUID) -> None:
    """Its deliveries go with it (ON DELETE CASCADE); disable it instead to keep the history."""
    await session.delete(await load(session, endpoint_id=endpoint_id))
    await session.flush()
    config_cache.forget(session)
