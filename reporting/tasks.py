"""Reporting's Celery tasks: thin, they call the scheduled-report sender."""

from celery import shared_task

from reporting.schedules.send import subscriptions_send


@shared_task(name="reporting.subscriptions_send", soft_time_limit=1800, time_limit=2400)
def subscriptions_send_task() -> int:
    """Email every subscription's weekly or monthly slot once (idempotent)."""
    return subscriptions_send()
