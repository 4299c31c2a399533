"""Forecasting's Celery tasks: thin, they call the snapshot service."""

from celery import shared_task

from forecasting.snapshots import snapshot_take


@shared_task(name="forecasting.snapshots_take", soft_time_limit=600, time_limit=900)
def snapshots_take_task() -> int:
    """This week's forecast snapshot of every rep, team and the company (idempotent)."""
    return snapshot_take()
