"""structlog configuration: JSON (or console) lines with the request id, PII masked."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

from complaint_service.pii.redact import mask_tree
from complaint_service.settings import LogFormat, Settings


def current_request_id() -> str | None:
    """The id of the request (or of the one that caused this job), as bound to every log line."""
    value = structlog.contextvars.get_contextvars().get("request_id")
    return str(value) if value is not None else None


def _mask_pii(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Logs go to people who need not see phone or ID numbers: mask every string value."""
    return {k: mask_tree(v) if isinstance(v, str | dict | list) else v for k, v in event_dict.items()}


def configure_logging(settings: Settings) -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _mask_pii,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.log_format is LogFormat.json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,  # first: an event below the level costs nothing more
            *shared,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).handlers[:] = []
        logging.getLogger(noisy).propagate = False
