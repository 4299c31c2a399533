"""A real `celery worker` process for tests: its own queue, pointed at the test database.

Each test starts its worker on a queue named for that test (`worker_queue()`), so several
test runs sharing one Redis never take each other's tasks.
"""

import os
import subprocess
import sys
import uuid

from django.conf import settings
from django.db import connection


def worker_queue(prefix: str = "test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def worker_database_url() -> str:
    """The URL of the database this test runs against (pytest-django's test_… database)."""
    db = settings.DATABASES["default"]
    name = connection.settings_dict["NAME"]
    host = db["HOST"] or "localhost"
    if host.startswith("/"):
        return f"postgresql://{db['USER']}:@/{name}?host={host}"
    password = db.get("PASSWORD") or ""
    return f"postgresql://{db['USER']}:{password}@{host}:{db['PORT'] or 5432}/{name}"


def start_worker(queue: str) -> subprocess.Popen[bytes]:
    """`celery worker --pool=solo -Q queue` with the test settings, database and MEDIA_ROOT."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings.test",
        "DATABASE_URL": worker_database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # where the test stored its uploads
    }
    return subprocess.Popen(  # noqa: S603 - our own command line
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


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=20)
