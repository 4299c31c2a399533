"""API base: auth, the one error shape, pagination, users/teams/me."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from crm.models import AuditEntry
from tests.conftest import Org
from tests.conftest import api_client_for as api

pytestmark = pytest.mark.django_db


def test_anonymous_calls_get_401_in_the_error_shape() -> None:
    response = api().get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401


def test_a_token_authenticates(org: Org) -> None:
    token = Token.objects.create(user=org.rep)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").json()["email"] == org.rep.email


def test_unknown_ids_are_404_in_the_error_shape(org: Org) -> None:
    response = api(org.admin).get("/api/v1/users/999999/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found."}
    }


def test_malformed_json_is_a_400_with_a_message(org: Org) -> None:
    response = api(org.admin).generic(
        "POST", "/api/v1/teams/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_validation_errors_name_the_fields(org: Org) -> None:
    response = api(org.admin).post("/api/v1/users/", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["error"]["fields"]


def test_a_duplicate_is_a_409(org: Org) -> None:
    response = api(org.admin).post("/api/v1/teams/", {"name": org.east.name}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_reps_read_the_directory_but_cannot_write(org: Org) -> None:
    client = api(org.rep)
    assert client.get("/api/v1/users/").status_code == 200
    response = client.post("/api/v1/teams/", {"name": "Mine"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_admins_create_teams_through_the_api_with_an_audit_row(org: Org) -> None:
    response = api(org.admin).post(
        "/api/v1/teams/",
        {"name": "Partners", "parent": org.sales.pk, "manager": org.manager.pk},
        format="json",
    )
    assert response.status_code == 201
    team_id = response.json()["id"]
    assert response.json()["path"] == f"{org.sales.path}{team_id}/"
    assert AuditEntry.objects.filter(object_id=str(team_id), action="create").exists()


def test_lists_use_cursor_pagination(org: Org) -> None:
    body = api(org.admin).get("/api/v1/users/", {"page_size": 2}).json()
    assert len(body["results"]) == 2
    assert "cursor=" in (body["next"] or "")


def test_oversized_bodies_are_refused_with_413(org: Org, settings: object) -> None:
    client = api(org.admin)
    response = client.generic(
        "POST",
        "/api/v1/teams/",
        "x" * 100,
        content_type="application/json",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_the_schema_and_docs_are_served(org: Org) -> None:
    client = api(org.rep)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/users/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_the_health_check_reports_database_and_redis() -> None:
    response = api().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "database", "redis")} == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }
    assert {"worker", "beat"} <= set(body)  # heartbeats, see tests/reliability


def test_a_user_creates_an_api_token_and_sees_it_once(org: Org) -> None:
    from tests.conftest import client_for

    client = client_for(org.rep)
    assert client.post("/me/token/").status_code == 302
    key = Token.objects.get(user=org.rep).key
    assert key in client.get("/me/").content.decode()
    assert key not in client.get("/me/").content.decode()
    client.post("/me/token/revoke/")
    assert not Token.objects.filter(user=org.rep).exists()
