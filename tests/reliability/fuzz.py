"""schemathesis against the OpenAPI schema, in process (WSGI), inside the test's transaction.

Every operation of the schema gets `max_examples` generated requests, each sent as every
given user (a rep and an administrator); each answer is checked: no 5xx, a documented status
code, a documented content type, a body that matches the documented schema. Path ids are
either generated or those of real records (so detail answers are checked too).

The fast run is `test_schemathesis.py` (in `make test`); `make reliability` runs more
examples (RELIABILITY_EXAMPLES).
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crm.models import User
from tests.reliability.schema import openapi_schema

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class Finding:
    method: str
    path: str
    user: str
    error: str


@dataclass
class Report:
    operations: int = 0
    requests: int = 0
    server_errors: int = 0
    seconds: float = 0.0
    findings: list[Finding] | None = None


@contextmanager
def _connection_kept() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction: keep it open, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _resource(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/", 1)[0]


def run(
    users: dict[str, User],
    *,
    ids: dict[str, list[int]],
    max_examples: int,
    skip: tuple[str, ...] = (),
) -> Report:
    """Fuzz every operation; returns what was found (at most one finding per operation and
    user: no shrinking, so the run stays bounded)."""
    schema = schemathesis.openapi.from_dict(openapi_schema())
    schema.app = get_wsgi_application()
    headers = {
        name: {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
        for name, user in users.items()
    }
    report = Report(findings=[])
    findings: list[Finding] = report.findings  # type: ignore[assignment]
    started = time.monotonic()
    with _connection_kept():
        for result in schema.get_all_operations():
            operation = result.ok()
            if any(part in operation.path for part in skip):
                continue
            report.operations += 1
            strategy = operation.as_strategy()
            known = ids.get(_resource(operation.path))
            if known and "{id}" in operation.path:
                strategy = st.one_of(
                    strategy,
                    *(operation.as_strategy(path_parameters={"id": pk}) for pk in known),
                )
            found = _fuzz_operation(strategy, headers, report, max_examples)
            findings.extend(
                Finding(operation.method.upper(), operation.path, name, error)
                for name, error in found.items()
            )
    report.seconds = time.monotonic() - started
    return report


def _fuzz_operation(
    strategy: Any, headers: dict[str, dict[str, str]], report: Report, max_examples: int
) -> dict[str, str]:
    found: dict[str, str] = {}

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz_one(case: Any) -> None:
        for name, auth in headers.items():
            if name in found:
                continue
            response = case.call(headers=auth)
            report.requests += 1
            if response.status_code >= 500:
                report.server_errors += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=auth)
            except (Exception, BaseExceptionGroup) as exc:  # recorded, not raised
                found[name] = f"{type(exc).__name__}: {str(exc)[:1500]}"

    fuzz_one()
    return found


def describe(findings: list[Finding]) -> str:
    return "\n\n".join(f"{f.method} {f.path} as {f.user}:\n{f.error}" for f in findings)
