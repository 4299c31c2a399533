"""Change-event subscribers: a changed lead (or a lead's activity) is rescored within seconds.

Hooked in leads/apps.py: `events.subscribe("leads.Lead", leads_changed)` and
`events.subscribe("crm.Activity", activities_changed)`.
"""

from typing import Any

from crm.models import Activity
from leads.scoring.queue import send_rescore

# Changing only these never changes a score.
NOT_SCORED = frozenset(
    {
        "score",
        "assignment_seen_at",
        "updated_at",
    }
)


def leads_changed(event: Any) -> None:
    if event.fields and set(event.fields) <= NOT_SCORED:
        return
    send_rescore(list(event.ids))


def activities_changed(event: Any) -> None:
    ids = (
        Activity.objects.filter(pk__in=list(event.ids), lead__isnull=False)
        .values_list("lead_id", flat=True)
        .distinct()
    )
    lead_ids = [pk for pk in ids if pk is not None]
    if lead_ids:
        send_rescore(lead_ids)
