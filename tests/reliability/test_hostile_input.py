"""Malformed and hostile input answers 4xx in the JSON error shape, never 500 (issue 13).

The first tests pin each 5xx that was found; the sweep sends the same kinds of value to every
list filter and every write operation in the OpenAPI schema, so a new endpoint is covered.
"""

import json
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from crm.models import Account
from tests.conftest import Org
from tests.crm.factories import AccountFactory, ActivityFactory, ContactFactory, TaskFactory
from tests.reliability.schema import api_operations

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def assert_error_shape(response: Any, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert body["error"]["status"] == status
    assert body["error"]["message"]


def test_a_non_numeric_id_on_a_custom_action_is_a_json_404(org: Org) -> None:
    for path in (
        "/api/v1/accounts/abc/restore/",
        "/api/v1/accounts/abc/shares/",
        "/api/v1/leads/abc/convert/",
        "/api/v1/deals/abc/move/",
        "/api/v1/users/abc/deactivate/",
    ):
        assert_error_shape(api(org.admin).post(path, {}, format="json"), 404)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/leads/?q=a%00b",
        "/api/v1/leads/?status=%00",
        "/api/v1/leads/?temperature=hot%00",
        "/api/v1/accounts/?q=%00",
    ],
)
def test_a_nul_byte_in_a_query_parameter_is_a_json_400(org: Org, path: str) -> None:
    assert_error_shape(api(org.rep).get(path), 400)


def test_a_nul_byte_on_a_page_is_a_400_page(org: Org) -> None:
    from tests.conftest import client_for

    response = client_for(org.rep).get("/leads/duplicates/?email=a%00b@example.com")
    assert response.status_code == 400


def test_a_nul_byte_in_a_json_body_is_a_json_400(org: Org) -> None:
    body = json.dumps({"name": "Acme", "custom": {"k\u0000": "v"}})
    response = api(org.rep).post("/api/v1/accounts/", body, content_type="application/json")
    assert_error_shape(response, 400)


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/accounts/", "created_after"),
        ("/api/v1/contacts/", "created_after"),
        ("/api/v1/activities/", "occurred_after"),
        ("/api/v1/tasks/", "due_before"),
    ],
)
def test_a_datetime_filter_with_a_large_offset_answers_without_error(
    org: Org, path: str, param: str
) -> None:
    AccountFactory(owner=org.rep)
    response = api(org.rep).get(path, {param: "2020-01-01T00:00:00-22:10"})
    assert response.status_code == 200, response.content[:300]
    response = api(org.rep).get(path, {param: "0001-01-01T00:00:00-05:00"})
    assert_error_shape(response, 400)


def test_an_integer_past_postgresqls_range_is_a_field_error(org: Org) -> None:
    response = api(org.rep).post(
        "/api/v1/accounts/", {"name": "Big", "employee_count": 3_000_000_000}, format="json"
    )
    assert_error_shape(response, 400)
    assert "employee_count" in response.json()["error"]["fields"]


def test_a_domain_with_a_bracket_is_a_field_error(org: Org) -> None:
    response = api(org.rep).post("/api/v1/accounts/", {"name": "B", "domain": "a[b"}, format="json")
    assert_error_shape(response, 400)
    assert not Account.objects.filter(name="B").exists()


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_a_deeply_nested_body_is_a_json_400(org: Org) -> None:
    for path in ("/api/v1/accounts/", "/api/v1/leads/", "/api/v1/deals/"):
        response = api(org.rep).post(path, "[" * 2000, content_type="application/json")
        assert_error_shape(response, 400)
        response = api(org.rep).post(
            path,
            json.dumps({"name": _nested(40)}),
            content_type="application/json",
        )
        assert_error_shape(response, 400)


def test_year_one_is_refused_for_tasks_and_activities(org: Org) -> None:
    client = api(org.rep)
    response = client.post(
        "/api/v1/tasks/", {"title": "T", "due_at": "0001-01-01T00:00:00Z"}, format="json"
    )
    assert_error_shape(response, 400)
    assert "due_at" in response.json()["error"]["fields"]
    response = client.post(
        "/api/v1/activities/",
        {"kind": "call", "subject": "S", "occurred_at": "0001-01-01T00:00:00Z"},
        format="json",
    )
    assert_error_shape(response, 400)
    assert "occurred_at" in response.json()["error"]["fields"]


def test_year_one_is_a_form_error_on_the_task_page(org: Org) -> None:
    from crm.forms.relationships import TaskForm

    form = TaskForm(
        data={"title": "T", "due_at": "0001-01-01T00:00", "priority": "normal"}, actor=org.rep
    )
    assert not form.is_valid()
    assert "due_at" in form.errors


def test_import_refuses_integers_past_the_column_range() -> None:
    from crm.imports.parsers import parse_int

    with pytest.raises(ValueError, match="too large"):
        parse_int("3000000000")
    assert parse_int("2,000") == 2000


# --- The sweep -------------------------------------------------------------------------------

HOSTILE_QUERY = [
    "\x00",
    "2020-01-01T00:00:00-22:10",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-23:59",
    "99999999999999999999",
    "a[b'\"%_\\²",
    "x" * 3000,
]
HOSTILE_BODY_VALUES: list[Any] = [
    3_000_000_000,
    10**30,
    "a\x00b",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-23:59",
    "a[b²",
    {"a": [1, {"b": None}]},
    None,
]


def _records(org: Org) -> dict[str, int]:
    from tests.leads.factories import LeadFactory
    from tests.pipeline.factories import DealFactory

    account = AccountFactory(owner=org.rep)
    return {
        "accounts": account.pk,
        "contacts": ContactFactory(owner=org.rep, account=account).pk,
        "activities": ActivityFactory(owner=org.rep, account=account).pk,
        "tasks": TaskFactory(owner=org.rep, due_at=timezone.now()).pk,
        "leads": LeadFactory(owner=org.rep).pk,
        "deals": DealFactory(owner=org.rep, account=account).pk,
        "users": org.rep.pk,
        "teams": org.east.pk,
    }


def _fill(path: str, ids: dict[str, int]) -> str:
    parts = path.strip("/").split("/")
    out = []
    for index, part in enumerate(parts):
        if part.startswith("{"):
            out.append(str(ids.get(parts[index - 1], 1)))
        else:
            out.append(part)
    return "/" + "/".join(out) + "/"


def _problems(response: Any, label: str) -> list[str]:
    if response.status_code >= 500:
        return [f"{label}: {response.status_code}"]
    if response.status_code >= 400 and response.get("Content-Type", "").startswith(
        "application/json"
    ):
        body = response.json()
        if not isinstance(body, dict) or "error" not in body:
            return [f"{label}: {response.status_code} without the error shape"]
    return []


def test_hostile_values_on_every_list_filter_and_write_answer_without_5xx(org: Org) -> None:
    ids = _records(org)
    problems: list[str] = []
    for user in (org.rep, org.admin):
        client = api(user)
        for op in api_operations():
            path = _fill(op.path, ids)
            if op.method == "get" and op.query_params:
                for value in HOSTILE_QUERY:
                    response = client.get(path, dict.fromkeys(op.query_params, value))
                    problems += _problems(response, f"GET {path} {value[:30]!r}")
            elif op.method in ("post", "put", "patch") and not op.multipart:
                send = getattr(client, op.method)
                for value in HOSTILE_BODY_VALUES:
                    body = dict.fromkeys(op.body_fields or ["name"], value)
                    response = send(path, body, format="json")
                    problems += _problems(response, f"{op.method.upper()} {path} {value!r:.30}")
                response = send(path, "[" * 2000, content_type="application/json")
                problems += _problems(response, f"{op.method.upper()} {path} nested")
    assert not problems, "\n".join(problems[:60])


def test_a_cursor_that_was_never_issued_is_a_400_not_a_missing_page(org: Org) -> None:
    # schemathesis: `?cursor=KpiRow` answered an undocumented 404.
    assert_error_shape(api(org.rep).get("/api/v1/contacts/?cursor=KpiRow"), 400)


def test_an_error_on_the_csv_personal_data_export_is_json_said_so(org: Org) -> None:
    # schemathesis: a 403 with ?format=csv had a JSON body under Content-Type text/csv.
    contact = ContactFactory(owner=org.rep)
    response = api(org.rep).get(f"/api/v1/contacts/{contact.pk}/personal-data/?format=csv")
    assert_error_shape(response, 403)
    assert response["Content-Type"].startswith("application/json")
