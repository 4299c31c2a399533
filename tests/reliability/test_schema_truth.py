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


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in openapi_schema()["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _error_ref(op: dict[str, Any], code: str) -> str | None:
    response = op["responses"].get(code)
    if response is None:
        return None
    return response["content"]["application/json"]["schema"].get("$ref")  # type: ignore[no-any-return]


def test_every_operation_documents_its_errors_in_the_one_error_shape() -> None:
    error = _component("ErrorResponse")
    assert error["required"] == ["error"]
    assert set(_component("Error")["properties"]) >= {"status", "code", "message", "fields"}
    ref = "#/components/schemas/ErrorResponse"
    for method, path, op in _operations():
        assert _error_ref(op, "429") == ref, (method, path)
        if "{" in path:
            assert _error_ref(op, "404") == ref, (method, path)
        if method in ("post", "put", "patch"):
            assert _error_ref(op, "400") == ref, (method, path)
        if method != "get":
            assert _error_ref(op, "409") == ref, (method, path)


def test_deal_writes_document_a_stale_and_a_missing_if_match() -> None:
    op = openapi_schema()["paths"]["/api/v1/deals/{id}/"]["patch"]
    assert {"412", "428"} <= set(op["responses"])
    assert "412" not in openapi_schema()["paths"]["/api/v1/accounts/{id}/"]["patch"]["responses"]


def test_the_public_web_to_lead_form_documents_no_sign_in_errors() -> None:
    public = [(method, path) for method, path, op in _operations() if "401" not in op["responses"]]
    assert public, "the public endpoints answer without a sign-in"
    assert all("web-to-lead" in path or "web_to_lead" in path for _, path in public), public


def test_url_fields_are_plain_strings_since_empty_is_allowed() -> None:
    website = _component("AccountOutput")["properties"]["website"]
    assert website["type"] == "string"
    assert "format" not in website


def test_the_export_download_is_documented_as_csv_or_xlsx() -> None:
    op = openapi_schema()["paths"]["/api/v1/exports/{id}/download/"]["get"]
    content = op["responses"]["200"]["content"]
    assert "text/csv" in content
    assert "application/octet-stream" not in content
    assert "409" in op["responses"]


def test_team_parent_and_manager_are_nullable_and_emails_may_be_empty() -> None:
    team = _component("TeamOutput")["properties"]
    assert team["parent"].get("nullable") is True
    assert team["manager"].get("nullable") is True
    assert "format" not in _component("ContactOutput")["properties"]["email"]


def test_operations_with_a_scope_document_the_404_of_a_scope_not_visible() -> None:
    assert "404" in openapi_schema()["paths"]["/api/v1/forecasts/"]["get"]["responses"]
    adjustments = openapi_schema()["paths"]["/api/v1/forecasts/adjustments/"]["post"]
    assert "404" in adjustments["responses"]
