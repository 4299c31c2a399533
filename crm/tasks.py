"""Core background jobs."""

import os
import socket

from celery import shared_task

from crm import heartbeat
from crm.health import database_name


@shared_task(name="crm.ping")
def ping_task() -> dict[str, object]:
    """Prove the worker is alive and reaches the database (used by tests and health checks)."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "database": database_name()}


@shared_task(name="crm.heartbeat", expires=heartbeat.HEARTBEAT_SECONDS * 2, ignore_result=True)
def heartbeat_task() -> None:
    """Beat sends this every few seconds; the worker that runs it records its heartbeat."""
    heartbeat.record("worker", pid=os.getpid(), host=socket.gethostname())


@shared_task(name="crm.task_reminders_send", soft_time_limit=120, time_limit=180)
def task_reminders_send_task() -> int:
    """Beat runs this every minute; the service claims each task once, however many run."""
    from crm.services.reminders import task_reminders_send

    return task_reminders_send()


@shared_task(name="crm.custom_field_index", soft_time_limit=3000, time_limit=3600)
def custom_field_index_task(model_label: str, key: str, wanted: bool) -> str:
    """Build or drop a custom field's expression index outside any transaction (CONCURRENTLY);
    idempotent: it looks at the index and the definition as they are now."""
    from crm.services.custom_fields import custom_field_index_sync

    return custom_field_index_sync(model_label=model_label, key=key, wanted=wanted)
