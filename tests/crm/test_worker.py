"""A task runs in a real Celery worker process against the real broker."""

import os
from collections.abc import Iterator

import pytest
from django.db import connection

from crm.tasks import ping_task
from tests.workers import start_worker, stop_worker, worker_queue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker() -> Iterator[str]:
    """Start `celery worker` on a private queue, pointed at the test database."""
    queue = worker_queue()
    process = start_worker(queue)
    try:
        yield queue
    finally:
        stop_worker(process)


def test_a_task_runs_in_a_separate_worker_process(worker: str) -> None:
    result = ping_task.apply_async(queue=worker).get(timeout=60)
    assert result["pid"] != os.getpid()
    assert result["database"] == connection.settings_dict["NAME"]


def test_celery_is_configured_for_safe_delivery() -> None:
    from crm.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_url.startswith(("redis://", "redis+socket://", "rediss://"))
