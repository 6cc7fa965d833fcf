"""Contract fuzzing: every documented operation, driven by schemathesis against the app in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from complaint_service.app import create_app
from complaint_service.cli import OPENAPI_PATH
from complaint_service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
schema = schemathesis.openapi.from_path(ROOT / OPENAPI_PATH)
# A raw e-mail is text on the wire: whatever string schemathesis makes for it goes out as UTF-8.
schemathesis.serializer.alias("message/rfc822", "text/plain")
# The coverage phase's boundary values for valid inputs (they found real bugs) but not its invalid-input
# variants: those run to thousands of requests, and the fuzzing phase already sends invalid data.
schema.config.phases.coverage.generation.update(modes=[GenerationMode.POSITIVE])
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def contract_app(settings: Settings) -> Iterator[FastAPI]:
    """Schemathesis calls from an event loop thread of its own: the app gets its own engine and Redis."""
    yield create_app(settings)
    asgi.shutdown_lifespans()


class TestOpenApiContract:
    @schema.parametrize()
    @settings(
        max_examples=15,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def test_operation_answers_as_documented(
        self, case: schemathesis.Case, contract_app: FastAPI, admin_headers: dict[str, str]
    ) -> None:
        """No 5xx; every status, content type and body is one the document declares for the operation."""
        case.call_and_validate(app=contract_app, headers=admin_headers, checks=CHECKS)
