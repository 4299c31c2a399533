"""A lost database connection is a clean 503 with Retry-After, in the JSON error shape under
/api/, and the next request works again (issue 13)."""

from collections.abc import Iterator

import pytest
from django.db import close_old_connections, connection, connections

from tests.conftest import Org, api_client_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reconnect_after() -> Iterator[None]:
    yield
    connection.close()  # the test database is flushed through a fresh connection


def _next_request() -> None:
    """What Django does between requests (the test client skips it): drop a connection
    that had an error, so the next request connects afresh."""
    close_old_connections()


def _kill_our_backend() -> None:
    pid = connection.cursor().connection.info.backend_pid
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


def test_a_killed_database_connection_is_a_503_with_retry_after_then_the_site_is_back(
    org: Org,
) -> None:
    client = api_client_for(org.rep)
    client.raise_request_exception = False
    assert client.get("/api/v1/accounts/").status_code == 200
    _kill_our_backend()
    response = client.get("/api/v1/accounts/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "unavailable"
    _next_request()
    assert client.get("/api/v1/accounts/").status_code == 200


def test_a_page_answers_503_too(org: Org) -> None:
    from tests.conftest import client_for

    client = client_for(org.rep)
    client.raise_request_exception = False
    assert client.get("/accounts/").status_code == 200
    _kill_our_backend()
    response = client.get("/accounts/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Back in a moment" in response.content
