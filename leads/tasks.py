"""Nightly lead upkeep: last activity from the activity log, then temperatures."""

import logging

from celery import shared_task

from leads.services.temperature import leads_recompute_temperature, leads_refresh_last_activity

log = logging.getLogger(__name__)


@shared_task(
    name="leads.leads_refresh_temperature",
    acks_late=True,
    time_limit=30 * 60,
    soft_time_limit=25 * 60,
)
def leads_refresh_temperature_task() -> int:
    """Idempotent: re-deriving the same temperatures twice changes nothing."""
    leads_refresh_last_activity()
    changed = leads_recompute_temperature()
    log.info("lead temperatures: %s changed", changed)
    return changed


# The scoring tasks live in leads/scoring/tasks.py; importing them here registers them with the
# workers (Celery discovers `<app>.tasks` modules only).
from leads.scoring import tasks as scoring_tasks  # noqa: E402

__all__ = ["leads_refresh_temperature_task", "scoring_tasks"]
