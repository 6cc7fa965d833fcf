"""The OpenAPI document is a product: current, complete and documented for client generators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from complaint_service.cli import OPENAPI_PATH, openapi_json
from complaint_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    import json

    return dict(json.loads((ROOT / OPENAPI_PATH).read_text(encoding="utf-8")))


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


class TestOpenApiDocument:
    def test_committed_document_matches_the_app(self) -> None:
        assert (ROOT / OPENAPI_PATH).read_text(encoding="utf-8") == openapi_json(Settings()), (
            "openapi/openapi.json is stale: run `complaint-service openapi`"
        )

    def test_document_is_valid_openapi(self, document: dict[str, Any]) -> None:
        validate(document)

    def test_every_operation_has_summary_id_and_problem_responses(self, document: dict[str, Any]) -> None:
        for path, method, op in _operations(document):
            assert op.get("summary"), f"{method} {path} has no summary"
            assert op.get("operationId"), f"{method} {path} has no operationId"
            if path in {"/healthz", "/readyz"}:
                continue
            errors = [code for code in op["responses"] if code.startswith(("4", "5"))]
            assert errors, f"{method} {path} lists no error responses"
            for code in errors:
                content = op["responses"][code].get("content", {})
                if path == "/readyz":
                    continue
                assert "application/problem+json" in content, f"{method} {path} {code} is not problem+json"
                assert content["application/problem+json"].get("example"), (
                    f"{method} {path} {code} has no example"
                )

    def test_every_request_and_success_response_has_an_example(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]

        def has_example(media: dict[str, Any]) -> bool:
            if "example" in media or "examples" in media:
                return True
            ref = media.get("schema", {}).get("$ref", "")
            schema = schemas.get(ref.rsplit("/", 1)[-1], {})
            return (
                "examples" in schema
                or "example" in schema
                or all(
                    "examples" in prop or "example" in prop or "$ref" in prop or "anyOf" in prop
                    for prop in schema.get("properties", {}).values()
                )
            )

        for path, method, op in _operations(document):
            for media in op.get("requestBody", {}).get("content", {}).values():
                assert has_example(media), f"{method} {path} request has no example"
            success = [c for c in op["responses"] if c.startswith("2")]
            for code in success:
                for media_type, media in op["responses"][code].get("content", {}).items():
                    assert has_example(media), f"{method} {path} {code} {media_type} has no example"
