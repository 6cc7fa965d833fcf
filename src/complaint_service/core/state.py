"""Typed access to what the lifespan put on the application."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from complaint_service.settings import Settings


async def app_settings(request: Request) -> Settings:
    """Async so FastAPI calls it inline: a plain `def` dependency costs a thread-pool hop per request."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]
