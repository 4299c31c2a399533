"""The OpenAPI schema tells the truth about failures: every operation lists the 4xx answers it
can give, each one the JSON error shape of `crm/api/errors.py` (the `ErrorResponse` component).

Which codes apply is read from the operation itself:

| code | when |
| --- | --- |
| 400 | the operation takes a body, query parameters or headers (the input can be wrong) |
| 401, 403 | the view needs a signed-in user (every view but the public ones) |
| 404 | the path names a record (`{id}`, `{item_id}`, ...), or a `scope` parameter does |
| 409 | a write (POST, PUT, PATCH, DELETE): the service may refuse it as a conflict |
| 412, 428 | the operation takes `If-Match`: stale, or missing |
| 429 | the view is throttled (all of them) |

An operation that answers another 4xx (a GET that can conflict) says so with
`extend_schema(responses={409: ERROR_RESPONSE, ...})`; the codes above are added around it.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer[Any]):
    status = serializers.IntegerField(help_text="The HTTP status, again.")
    code = serializers.CharField(help_text="Stable machine-readable reason, e.g. `not_found`.")
    message = serializers.CharField(help_text="One sentence for a person.")
    # The metaclass takes declared fields off the class: `fields` stays the property.
    fields = serializers.DictField(  # type: ignore[assignment]
        required=False,
        child=serializers.JSONField(),
        help_text="Per-field messages (400 only): field name → list of messages.",
    )
    current = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="The record as it is now (412 only), to merge and send again.",
    )

    class Meta:
        ref_name = "Error"


class ErrorResponseSerializer(serializers.Serializer[Any]):
    error = ErrorSerializer()

    class Meta:
        ref_name = "ErrorResponse"


ERROR_RESPONSE = OpenApiResponse(ErrorResponseSerializer, description="The JSON error shape.")

DESCRIPTIONS = {
    400: "The input is malformed or refused (`error.fields` says which field).",
    401: "Not signed in: send a session cookie or `Authorization: Token <key>`.",
    403: "Signed in, but this user may not do this.",
    404: "No such record, or one this user can't see.",
    409: "Refused: it conflicts with the record's state (e.g. already converted, not ready).",
    412: "If-Match is stale: the record changed; `error.current` is the record now.",
    428: "If-Match is missing: send the ETag of the record as last read.",
    429: "Too many requests: wait as long as `Retry-After` says.",
}

WRITES = ("POST", "PUT", "PATCH", "DELETE")


class CrmAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error answers of each operation."""

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses: dict[str, Any] = operation.setdefault("responses", {})
        for code in self.error_codes(operation):
            if str(code) in responses:
                continue
            responses[str(code)] = {
                "description": DESCRIPTIONS[code],
                "content": {"application/json": {"schema": self._error_ref()}},
            }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_ref(self) -> dict[str, str]:
        component = self.resolve_serializer(ErrorResponseSerializer, "response")
        return component.ref  # type: ignore[no-any-return]

    def _takes_scope(self, params: list[dict[str, Any]]) -> bool:
        """A forecast scope (`company`, `team:<id>`, `user:<id>`) not visible is a 404."""
        if any(p["name"] == "scope" for p in params):
            return True
        if self.method not in WRITES:
            return False
        return "scope" in _field_names(self.get_request_serializer())

    def error_codes(self, operation: dict[str, Any]) -> list[int]:
        params = operation.get("parameters", [])
        has_input = "requestBody" in operation or any(p["in"] != "path" for p in params)
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        codes = [400] if has_input or self.method in WRITES else []
        if not public:
            codes += [401, 403]
        if "{" in self.path or self._takes_scope(params):
            codes.append(404)
        if self.method in WRITES:
            codes.append(409)
        if any(p["in"] == "header" and p["name"].lower() == "if-match" for p in params):
            codes += [412, 428]
        codes.append(429)
        return codes


LOOSE_FORMATS = ("uri", "email")


def _field_names(serializer: Any) -> set[str]:
    if isinstance(serializer, type) and issubclass(serializer, serializers.BaseSerializer):
        serializer = serializer()
    fields = getattr(serializer, "fields", None)
    return set(fields) if fields is not None else set()


def drop_uri_format(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """URL and email fields answer "" when empty, which `format: uri` / `format: email`
    forbid: document them as strings (the API still checks what is sent)."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("format") in LOOSE_FORMATS:
                del node["format"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result.get("components", {}).get("schemas", {}))
    return result
