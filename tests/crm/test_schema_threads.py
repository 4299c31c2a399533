"""The OpenAPI schema holds up under threaded workers: concurrent requests all get it."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from crm.api.views import SchemaView
from tests.conftest import Org

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_schema_requests_all_succeed_with_the_same_schema(org: Org) -> None:
    SchemaView._built.clear()

    def fetch(_: int) -> tuple[int, bytes]:
        client = Client()
        client.force_login(org.rep)
        try:
            response = client.get("/api/schema/")
            return response.status_code, response.content
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(fetch, range(4)))

    assert [status for status, _ in answers] == [200, 200, 200, 200]
    assert len({body for _, body in answers}) == 1
    assert b"/api/v1/tasks/complete/" in answers[0][1]
