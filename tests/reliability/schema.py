"""The API operations from the OpenAPI schema, generated once per test run.

drf-spectacular's generator is not thread-safe and takes a few seconds: every sweep and the
schemathesis run share this one copy.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    query_params: tuple[str, ...] = ()
    body_fields: tuple[str, ...] = ()
    multipart: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@cache
def openapi_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


@cache
def api_operations() -> tuple[Operation, ...]:
    schema = openapi_schema()
    found: list[Operation] = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "query")
            content = op.get("requestBody", {}).get("content", {})
            body: tuple[str, ...] = ()
            if "application/json" in content:
                node = _resolve(schema, content["application/json"].get("schema", {}))
                body = tuple(node.get("properties", {}))
            multipart = "application/json" not in content and bool(content)
            found.append(Operation(method, path, params, body, multipart))
    return tuple(found)
