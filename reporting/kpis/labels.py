"""Names for grouped rows: one query per grouping, whatever the number of rows."""

from datetime import date, datetime
from typing import Any

from crm.models import Team, User
from leads.models import LeadSource
from pipeline.models import Stage

NONE_LABELS = {
    "owner": "No owner",
    "team": "No team",
    "source": "No source",
    "stage": "No stage",
}


def label_map(group_by: str, keys: list[Any]) -> dict[Any, str]:
    ids = [k for k in keys if k is not None]
    names: dict[Any, str] = {}
    if group_by == "owner":
        for user in User.objects.filter(pk__in=ids).only("first_name", "last_name", "email"):
            names[user.pk] = user.full_name or user.email
    elif group_by == "team":
        names = dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group_by == "source":
        names = dict(LeadSource.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group_by == "stage":
        names = {s.pk: str(s) for s in Stage.objects.filter(pk__in=ids).select_related("pipeline")}
    elif group_by in ("month", "quarter"):
        for key in ids:
            day = key.date() if isinstance(key, datetime) else key
            names[key] = period_label(group_by, day)
    if None in keys:
        names[None] = NONE_LABELS.get(group_by, "—")
    return names


def period_label(group_by: str, day: date) -> str:
    if group_by == "quarter":
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    return day.strftime("%Y-%m")


def key_param(group_by: str, key: Any) -> str:
    """The group key as a string for the API and the drill-down links."""
    if key is None:
        return ""
    if isinstance(key, datetime):
        return key.date().isoformat()
    if isinstance(key, date):
        return key.isoformat()
    return str(key)
