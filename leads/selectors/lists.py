"""The lead list: filters, sorts, keyset pages and a capped count, all index-backed.

Pages never run COUNT(*) over the table: the count stops at COUNT_CAP ("1,000+"). Paging is
a keyset on the sort's index ("rows after this (created_at, id)"), so page 2,000 costs what
page 1 does.
"""

import base64
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from crm.models import Team, User
from crm.models.soft_delete import alive_q
from crm.search import filter_words
from crm.visibility import visible
from leads.models import SCORE_BANDS, Lead, LeadStatus, LeadTransition
from pipeline.models import StageKind

from .keyset import RowCompare
from .scoped import LeadPlan, per_owner_count, per_owner_rows

COUNT_CAP = 1000

# name -> (order_by, keyset columns, direction)
SORTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "-created": (("-created_at", "-id"), ("created_at", "id"), "<"),
    "created": (("created_at", "id"), ("created_at", "id"), ">"),
    "-name": (("-last_name", "-first_name", "-id"), ("last_name", "first_name", "id"), "<"),
    "name": (("last_name", "first_name", "id"), ("last_name", "first_name", "id"), ">"),
    "-score": ((), ("score", "id"), "<"),  # NULLS LAST; handled apart
}
SORT_LABELS = {
    "-created": "Newest",
    "created": "Oldest",
    "-name": "Name, Z to A",
    "name": "Name",
    "-score": "Score",
}


@dataclass
class LeadFilters:
    status: list[str] = field(default_factory=list)
    temperature: list[str] = field(default_factory=list)
    source: int | None = None
    owner: int | None = None
    team: int | None = None
    score_band: str = ""
    created_from: date | None = None
    created_to: date | None = None
    q: str = ""
    external_id: str = ""
    team_only: bool = False  # the team's own members, without its sub-teams
    reached: str = ""  # a funnel step: mql, sql, deal, won (see funnel_reached)
    sort: str = "-created"


FUNNEL_REACHED = ("mql", "sql", "deal", "won")


def _passed(statuses: tuple[str, ...]) -> Q:
    transition = LeadTransition.objects.filter(lead=OuterRef("pk"), to_status__in=statuses)
    return Q(status__in=statuses) | Q(Exists(transition))


def funnel_reached(step: str) -> Q:
    """Leads that reached `step` of the funnel lead -> MQL -> SQL -> deal -> won: they are at
    it or past it now, or passed through it (a lifecycle transition into it or a later
    status), or were converted into a live deal (that deal won, for "won")."""
    live_deal = Q(converted_deal__isnull=False) & alive_q("converted_deal")
    if step == "mql":
        return _passed((LeadStatus.MQL, LeadStatus.SQL, LeadStatus.CONVERTED)) | live_deal
    if step == "sql":
        return _passed((LeadStatus.SQL, LeadStatus.CONVERTED)) | live_deal
    if step == "deal":
        return live_deal
    if step == "won":
        return live_deal & Q(converted_deal__stage__kind=StageKind.WON)
    return Q()


def lead_list(
    *, actor: User, filters: LeadFilters | None = None, plan: LeadPlan | None = None
) -> QuerySet[Lead]:
    """Visible, live leads matching `filters`, ordered by the chosen sort (see
    leads.selectors.scoped for the per-owner `plan`)."""
    filters = filters or LeadFilters()
    return _filtered(visible(actor, Lead.objects.alive()), filters, plan)


def branch_base(filters: LeadFilters, plan: LeadPlan) -> QuerySet[Lead] | None:
    """For a per-owner plan: the list's filters and order without the visibility rule, the
    source of the per-owner branches (see leads.selectors.scoped._branches)."""
    if not plan.per_owner:
        return None
    return _filtered(Lead.objects.alive(), filters, plan)


def _filtered(leads: QuerySet[Lead], filters: LeadFilters, plan: LeadPlan | None) -> QuerySet[Lead]:
    leads = leads.select_related("owner", "source")
    if filters.status:
        leads = leads.filter(status__in=filters.status)
    if filters.temperature:
        leads = leads.filter(temperature__in=filters.temperature)
    if filters.source:
        leads = leads.filter(source_id=filters.source)
    if filters.owner:
        leads = leads.filter(owner_id=filters.owner)
    if filters.team and filters.team_only:
        leads = leads.filter(owner__team_id=filters.team)
    elif filters.team:
        # A team means its members and everyone in its sub-teams, as on the deal list.
        team_path = Team.objects.filter(pk=filters.team).values("path")[:1]
        leads = leads.filter(owner__team__path__startswith=Subquery(team_path))
    if filters.reached in FUNNEL_REACHED:
        leads = leads.filter(funnel_reached(filters.reached))
    band = filters.score_band.upper()
    if filters.score_band == "none":
        leads = leads.filter(score__isnull=True)
    elif band in SCORE_BANDS:
        low, high = SCORE_BANDS[band]
        leads = leads.filter(score__gte=low, score__lte=high)
    tz = timezone.get_current_timezone()
    if filters.created_from:
        leads = leads.filter(created_at__gte=datetime.combine(filters.created_from, time.min, tz))
    if filters.created_to:
        leads = leads.filter(created_at__lte=datetime.combine(filters.created_to, time.max, tz))
    if filters.external_id:
        leads = leads.filter(external_id=filters.external_id.strip())
    if filters.q:
        # One engine for every search (crm.search): each word a prefix or a close spelling.
        # With a per-owner plan the match filters each owner's index walk.
        leads = filter_words(leads, filters.q)
    return _ordered(leads, filters.sort)


def _ordered(leads: QuerySet[Lead], sort: str) -> QuerySet[Lead]:
    if sort == "-score":
        from django.db.models import F

        return leads.order_by(F("score").desc(nulls_last=True), "-id")
    order, _, _ = SORTS.get(sort, SORTS["-created"])
    return leads.order_by(*order)


def capped_count(
    queryset: QuerySet[Any],
    cap: int = COUNT_CAP,
    plan: LeadPlan | None = None,
    base: QuerySet[Lead] | None = None,
) -> tuple[int, bool]:
    """(count, more): counts at most cap + 1 rows, so a million-row match costs a cap."""
    if plan is not None and plan.scope is not None:
        n = per_owner_count(queryset, plan.scope, cap, base)
    else:
        n = queryset.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


@dataclass
class LeadPage:
    rows: Sequence[Lead]
    next_cursor: str
    has_previous: bool


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list[Any] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    return values


def _after(leads: QuerySet[Lead], sort: str, cursor: str) -> QuerySet[Lead]:
    if sort not in SORTS:
        sort = "-created"
    _, columns, op = SORTS[sort]
    values = _decode(cursor, len(columns))
    if values is None:
        return leads
    if sort == "-score":
        score, pk = values
        if not isinstance(pk, int):
            return leads
        if score is None:
            return leads.filter(score__isnull=True, id__lt=pk)
        return leads.filter(Q(score__lt=score) | Q(score=score, id__lt=pk) | Q(score__isnull=True))
    if "created_at" in columns:
        when = parse_datetime(str(values[0]))
        if when is None or not isinstance(values[1], int):
            return leads
        values = [when, values[1]]
    # A row comparison is one index range condition: "(created_at, id) < (%s, %s)".
    return leads.filter(RowCompare(columns, op, values))


def lead_page(
    leads: QuerySet[Lead],
    *,
    sort: str,
    cursor: str = "",
    size: int = 50,
    plan: LeadPlan | None = None,
    base: QuerySet[Lead] | None = None,
) -> LeadPage:
    if cursor:
        leads = _after(leads, sort, cursor)
        base = _after(base, sort, cursor) if base is not None else None
    if plan is not None and plan.scope is not None:
        rows = per_owner_rows(leads, plan.scope, size + 1, base)
    else:
        rows = list(leads[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = ""
    if more and rows:
        last = rows[-1]
        _, columns, _ = SORTS.get(sort, SORTS["-created"])
        next_cursor = _encode([getattr(last, c) for c in columns])
    return LeadPage(rows=rows, next_cursor=next_cursor, has_previous=bool(cursor))


EXPORT_HEADER = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "country",
    "region",
    "source",
    "campaign",
    "owner",
    "status",
    "temperature",
    "score",
    "timeframe",
    "budget",
    "created_at",
    "last_activity_at",
    "external_id",
)


def lead_export_rows(leads: QuerySet[Lead]) -> Iterator[list[Any]]:
    """Rows for the CSV export, streamed in chunks (visible leads only: the caller's list)."""
    for lead in leads.iterator(chunk_size=2000):
        yield [
            lead.pk,
            lead.first_name,
            lead.last_name,
            lead.email,
            lead.phone,
            lead.company,
            lead.title,
            lead.country,
            lead.region,
            lead.source.name if lead.source else "",
            lead.campaign,
            lead.owner.full_name,
            lead.get_status_display(),
            lead.get_temperature_display(),
            lead.score,
            lead.get_timeframe_display(),
            lead.budget,
            lead.created_at,
            lead.last_activity_at,
            lead.external_id,
        ]
