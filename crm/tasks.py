"""Core background jobs."""

import os
import socket

from celery import shared_task
from django.db import connection


@shared_task(name="crm.ping")
def ping_task() -> dict[str, object]:
    """Prove the worker is alive and reaches the database (used by tests and health checks)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
    return {"pid": os.getpid(), "host": socket.gethostname(), "database": database}
