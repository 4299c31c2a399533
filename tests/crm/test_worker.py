"""A task runs in a real Celery worker process against the real broker."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection

from crm.tasks import ping_task

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker() -> Iterator[str]:
    """Start `celery worker` on a private queue, pointed at the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings.test",
        "DATABASE_URL": _test_database_url(),
    }
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        env=env,
    )
    try:
        yield queue
    finally:
        process.terminate()
        process.wait(timeout=20)


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    name = connection.settings_dict["NAME"]
    host = db["HOST"] or "localhost"
    if host.startswith("/"):
        return f"postgresql://{db['USER']}:@/{name}?host={host}"
    password = db.get("PASSWORD") or ""
    return f"postgresql://{db['USER']}:{password}@{host}:{db['PORT'] or 5432}/{name}"


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
