"""With Redis unreachable the API keeps serving reads and writes (issue 13).

No mock of Redis: the cache and the Celery broker are pointed at a closed port, which is what
a stopped Redis looks like to a client.
"""

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from crm.celery import app
from crm.models import Account
from tests.conftest import Org

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends


@pytest.fixture(autouse=True)
def _breaker_closed() -> Iterator[None]:
    """Each test starts with Redis believed up (the breaker is per process)."""
    from crm import cache

    cache._Breaker.down_until = 0.0
    yield
    cache._Breaker.down_until = 0.0


def cache_at(url: str) -> Any:
    caches = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    return override_settings(CACHES=caches)


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    # The producer pool is cached apart from the connection pool: once any earlier test
    # has sent a task, it would keep sending to the real broker.
    old_url, old_pool, old_producers = app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app._pool = old_url, old_pool
        app.amqp._producer_pool = old_producers


def token_client(org: Org) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.rep).key}")
    return client


def test_throttled_reads_and_writes_answer_while_the_cache_is_down(
    org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    client = token_client(org)
    down = f"redis://127.0.0.1:{closed_port()}/0"
    with cache_at(down), caplog.at_level(logging.WARNING, logger="crm.cache"):
        assert client.get("/api/v1/accounts/").status_code == 200
        response = client.post("/api/v1/accounts/", {"name": "Redis-free"}, format="json")
        assert response.status_code == 201, response.content
        assert client.get("/api/v1/leads/").status_code == 200
    assert Account.objects.filter(name="Redis-free").exists()
    assert "failing open" in caplog.text


def test_writes_that_send_tasks_answer_while_the_broker_is_down(
    org: Org, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(org)
    down = f"redis://127.0.0.1:{closed_port()}/0"
    with (
        cache_at(down),
        broker_at(down),
        caplog.at_level(logging.WARNING, logger="crm.dispatch"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/api/v1/leads/",
            {"first_name": "Ada", "last_name": "Broker", "email": "ada@broker.example"},
            format="json",
        )
        assert response.status_code == 201, response.content
        response = client.post(
            "/api/v1/exports/", {"kind": "accounts", "file_format": "csv"}, format="json"
        )
        assert response.status_code in (201, 202), response.content
    assert "Broker unavailable" in caplog.text


def test_throttles_still_count_when_the_cache_is_up(org: Org) -> None:
    client = token_client(org)
    saved = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**saved, "user": "2/minute"}
    try:
        codes = [client.get("/api/v1/accounts/").status_code for _ in range(3)]
    finally:
        UserRateThrottle.THROTTLE_RATES = saved
    assert codes == [200, 200, 429]
