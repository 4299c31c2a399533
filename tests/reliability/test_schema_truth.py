"""The OpenAPI schema says what the responses are (issue 13)."""

from typing import Any

from tests.reliability.schema import openapi_schema


def _component(name: str) -> dict[str, Any]:
    return openapi_schema()["components"]["schemas"][name]  # type: ignore[no-any-return]


def _ok_schema(path: str) -> dict[str, Any]:
    return openapi_schema()["paths"][path]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]  # type: ignore[no-any-return]


def test_nullable_fields_are_documented_as_nullable() -> None:
    assert _component("LeadOutput")["properties"]["source_name"].get("nullable") is True
    team = _component("UserOutput")["properties"]["team"]
    assert team.get("nullable") is True or any("nullable" in part for part in team.get("allOf", []))


def test_bare_arrays_are_not_documented_as_paginated() -> None:
    for path in (
        "/api/v1/accounts/{id}/shares/",
        "/api/v1/leads/{id}/transitions/",
        "/api/v1/deals/{id}/history/",
        "/api/v1/deals/{id}/items/",
    ):
        assert _ok_schema(path)["type"] == "array", path
        params = openapi_schema()["paths"][path]["get"].get("parameters", [])
        assert not [p for p in params if p["in"] == "query"], path
