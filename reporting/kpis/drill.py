"""Drill-down links: every figure opens the leads or deals list with the same filters, so
the list's count and total are the figure."""

from calendar import monthrange
from datetime import date, datetime
from typing import Any

from django.http import QueryDict
from django.urls import reverse

from .scope import ReportFilters


def _period_of(group_by: str, key: Any, filters: ReportFilters) -> tuple[date, date]:
    """The part of the report period that falls in the month or quarter `key`."""
    day = key.date() if isinstance(key, datetime) else key
    months = 3 if group_by == "quarter" else 1
    last_month = day.month + months - 1
    end = date(day.year, last_month, monthrange(day.year, last_month)[1])
    return max(day, filters.date_from), min(end, filters.date_to)


def _no_key(group_by: str, key: Any) -> bool:
    """Rows without an owner, team, source or stage have no list filter to open."""
    return group_by in ("owner", "team", "source", "stage") and key is None


def _params(filters: ReportFilters, group_by: str, key: Any, prefix: str) -> QueryDict:
    params = QueryDict(mutable=True)
    start, end = filters.date_from, filters.date_to
    if group_by in ("month", "quarter") and key is not None:
        start, end = _period_of(group_by, key, filters)
    params[f"{prefix}_from"] = start.isoformat()
    params[f"{prefix}_to"] = end.isoformat()
    owner = key if group_by == "owner" else filters.owner
    team = key if group_by == "team" else (filters.team.pk if filters.team else None)
    source = key if group_by == "source" else filters.source
    if owner:
        params["owner"] = str(owner)
    if team:
        params["team"] = str(team)
        if group_by == "team":
            params["team_only"] = "on"  # a team row counts the team's own members
    if source:
        params["source"] = str(source)
    return params


def deals_url(filters: ReportFilters, *, status: str, group_by: str = "", key: Any = None) -> str:
    """The deal list of `status` (won, lost, closed: closed in the period; open: open now)."""
    if _no_key(group_by, key):
        return ""
    params = _params(filters, group_by, key, "closed")
    if status == "open":
        del params["closed_from"]
        del params["closed_to"]
    params["status"] = status
    if filters.pipeline:
        params["pipeline"] = str(filters.pipeline)
    if group_by == "stage" and key:
        params["stage"] = str(key)
    return reverse("pipeline:deal_list") + "?" + params.urlencode()


def leads_url(
    filters: ReportFilters, *, reached: str = "", group_by: str = "", key: Any = None
) -> str:
    """The lead list of the leads created in the period (that reached a funnel step)."""
    if _no_key(group_by, key):
        return ""
    params = _params(filters, group_by, key, "created")
    if reached and reached != "lead":
        params["reached"] = reached
    return reverse("leads:list") + "?" + params.urlencode()
