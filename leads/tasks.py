"""Nightly lead upkeep: last activity from the activity log, then temperatures."""

import logging

from celery import shared_task
from django.db import connection

from leads.services.temperature import leads_recompute_temperature

log = logging.getLogger(__name__)

LAST_ACTIVITY_SQL = """
UPDATE leads_lead AS l SET last_activity_at = a.latest
FROM (
    SELECT lead_id, max(occurred_at) AS latest FROM crm_activity
    WHERE lead_id IS NOT NULL AND occurred_at >= now() - interval '3 days'
    GROUP BY lead_id
) AS a
WHERE l.id = a.lead_id AND (l.last_activity_at IS NULL OR l.last_activity_at < a.latest)
"""


@shared_task(acks_late=True, time_limit=30 * 60, soft_time_limit=25 * 60)
def leads_refresh_temperature_task() -> int:
    """Idempotent: re-deriving the same temperatures twice changes nothing."""
    with connection.cursor() as cursor:
        cursor.execute(LAST_ACTIVITY_SQL)
    changed = leads_recompute_temperature()
    log.info("lead temperatures: %s changed", changed)
    return changed
