"""Deal lists, filters, keyset pages, history and the "what changed meanwhile" diff."""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from crm.models import Account, AuditEntry, Contact, Team, User
from crm.pagination import estimated_rows
from crm.search import filter_words
from crm.visibility import visible
from pipeline.models import (
    Deal,
    ForecastCategory,
    LostReason,
    Stage,
    StageHistory,
    StageKind,
    WonReason,
)
from pipeline.selectors.money import company_amount

SORTS: dict[str, tuple[str, bool]] = {
    # key: (field, descending)
    "-created": ("created_at", True),
    "created": ("created_at", False),
    "-amount": ("amount", True),
    "amount": ("amount", False),
    "close": ("expected_close_date", False),
    "-close": ("expected_close_date", True),
    "name": ("name", False),
    "-name": ("name", True),
    "-updated": ("updated_at", True),
}
DEFAULT_SORT = "-created"


@dataclass(frozen=True)
class DealFilters:
    pipeline: int | None = None
    stage: int | None = None
    owner: int | None = None
    team: Team | None = None
    status: str = ""  # "", "open", "won", "lost", "closed" (won or lost)
    close_from: date | None = None
    close_to: date | None = None
    closed_from: date | None = None  # closed on or after (company time zone)
    closed_to: date | None = None  # closed on or before
    created_from: date | None = None  # created on or after (company time zone)
    created_to: date | None = None  # created on or before
    source: int | None = None  # the lead source of the lead the deal came from
    team_only: bool = False  # the team's own members, without its sub-teams
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    search: str = ""
    forecast: str = ""  # a FORECAST_BUCKETS key: the deals behind one forecast figure
    account: int | None = None  # the deals of one account (its page links here)
    contact: int | None = None  # the deals whose primary contact this is

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "DealFilters":
        def pk(value: Any) -> int | None:
            return getattr(value, "pk", value) or None

        return cls(
            pipeline=pk(data.get("pipeline")),
            stage=pk(data.get("stage")),
            owner=pk(data.get("owner")),
            team=data.get("team"),
            status=data.get("status") or "",
            close_from=data.get("close_from"),
            close_to=data.get("close_to"),
            closed_from=data.get("closed_from"),
            closed_to=data.get("closed_to"),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            source=pk(data.get("source")),
            team_only=bool(data.get("team_only")),
            amount_min=data.get("amount_min"),
            amount_max=data.get("amount_max"),
            search=(data.get("q") or "").strip()[:100],
            forecast=data.get("forecast") or "",
            account=pk(data.get("account")),
            contact=pk(data.get("contact")),
        )


# The forecast figures, as deal filters (the forecast page links each figure to the deal list
# with `forecast=<bucket>` and the period as closing dates, so both count the same deals):
# "won" counts by the day it was won, the open buckets by their expected close date.
FORECAST_BUCKETS: dict[str, str] = {
    "won": "Closed won",
    "commit": "Commit",
    "best_case": "Best case",
    "pipeline": "Pipeline",
    "omitted": "Omitted",
    "open": "Open pipeline (commit + best case + pipeline)",
}


def forecast_bucket_q(bucket: str) -> Q:
    """Open deals count in their forecast category; an open deal marked "closed" counts as
    commit. Won deals are "won" whatever their category; lost deals are in no bucket."""
    is_open = Q(stage__kind=StageKind.OPEN)
    if bucket == "won":
        return Q(stage__kind=StageKind.WON)
    if bucket == "commit":
        return is_open & Q(forecast_category__in=[ForecastCategory.COMMIT, ForecastCategory.CLOSED])
    if bucket in (ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE, ForecastCategory.OMITTED):
        return is_open & Q(forecast_category=bucket)
    if bucket == "open":
        return is_open & ~Q(forecast_category=ForecastCategory.OMITTED)
    return Q(pk__in=[])


def won_between_q(first: date | None, last: date | None) -> Q:
    """Won from day `first` to day `last` (inclusive) in the company time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    q = Q()
    if first:
        q &= Q(closed_at__gte=datetime.combine(first, time.min, zone))
    if last:
        q &= Q(closed_at__lt=datetime.combine(last + timedelta(days=1), time.min, zone))
    return q


def deals_visible(actor: User) -> QuerySet[Deal]:
    return visible(actor, Deal.objects.alive())


def apply_filters(deals: QuerySet[Deal], filters: DealFilters) -> QuerySet[Deal]:
    if filters.pipeline:
        deals = deals.filter(pipeline_id=filters.pipeline)
    if filters.stage:
        deals = deals.filter(stage_id=filters.stage)
    if filters.account:
        deals = deals.filter(account_id=filters.account)
    if filters.contact:
        deals = deals.filter(primary_contact_id=filters.contact)
    if filters.owner:
        deals = deals.filter(owner_id=filters.owner)
    if filters.team is not None and filters.team_only:
        deals = deals.filter(owner__team=filters.team)
    elif filters.team is not None:
        deals = deals.filter(owner__team__path__startswith=filters.team.path)
    if filters.status == "open":
        deals = deals.filter(closed_at__isnull=True)
    elif filters.status in (StageKind.WON, StageKind.LOST):
        deals = deals.filter(stage__kind=filters.status)
    elif filters.status == "closed":
        deals = deals.filter(stage__kind__in=(StageKind.WON, StageKind.LOST))
    tz = timezone.get_current_timezone()
    if filters.closed_from:
        deals = deals.filter(closed_at__gte=datetime.combine(filters.closed_from, time.min, tz))
    if filters.closed_to:
        next_day = filters.closed_to + timedelta(days=1)
        deals = deals.filter(closed_at__lt=datetime.combine(next_day, time.min, tz))
    if filters.created_from:
        deals = deals.filter(created_at__gte=datetime.combine(filters.created_from, time.min, tz))
    if filters.created_to:
        next_day = filters.created_to + timedelta(days=1)
        deals = deals.filter(created_at__lt=datetime.combine(next_day, time.min, tz))
    if filters.source:
        deals = deals.annotate(lead_source=first_lead_source()).filter(lead_source=filters.source)
    if filters.forecast:
        deals = deals.filter(forecast_bucket_q(filters.forecast))
    if filters.forecast == "won":  # a won deal's closing dates are the day it was won
        deals = deals.filter(won_between_q(filters.close_from, filters.close_to))
    else:
        if filters.close_from:
            deals = deals.filter(expected_close_date__gte=filters.close_from)
        if filters.close_to:
            deals = deals.filter(expected_close_date__lte=filters.close_to)
    if filters.amount_min is not None:
        deals = deals.filter(amount__gte=filters.amount_min)
    if filters.amount_max is not None:
        deals = deals.filter(amount__lte=filters.amount_max)
    if filters.search:
        deals = filter_words(deals, filters.search)
    return deals


def deal_list(*, actor: User, filters: DealFilters, sort: str = DEFAULT_SORT) -> QuerySet[Deal]:
    field, descending = SORTS.get(sort, SORTS[DEFAULT_SORT])
    # Empty values last either way. Only a nullable column says so in SQL: spelling NULLS
    # LAST on a NOT NULL column would stop PostgreSQL from using its (nulls first) index.
    nulls_last = True if Deal._meta.get_field(field).null else None
    order = (
        F(field).desc(nulls_last=nulls_last) if descending else F(field).asc(),
        "-id" if descending else "id",
    )
    return (
        apply_filters(deals_visible(actor), filters)
        .select_related("owner", "account", "stage", "pipeline")
        .order_by(*order)
    )


def _encode(value: Any, pk: int) -> str:
    raw = value.isoformat() if hasattr(value, "isoformat") else value
    text = json.dumps([None if raw is None else str(raw), pk])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str, field: str) -> tuple[Any, int] | None:
    try:
        raw, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        model_field = Deal._meta.get_field(field)
        value = None if raw is None else model_field.to_python(raw)  # type: ignore[union-attr]
        return value, int(pk)
    except (ValueError, TypeError, ValidationError):
        return None


def deal_page(
    deals: QuerySet[Deal], *, sort: str, cursor: str = "", size: int = 50
) -> tuple[Sequence[Deal], str]:
    """One keyset page of `deals` (ordered by `deal_list`): rows and the next cursor."""
    field, descending = SORTS.get(sort, SORTS[DEFAULT_SORT])
    position = _decode(cursor, field) if cursor else None
    if position is not None:
        value, pk = position
        after_id = Q(id__lt=pk) if descending else Q(id__gt=pk)
        if value is None:
            deals = deals.filter(Q(**{f"{field}__isnull": True}) & after_id)
        else:
            beyond = f"{field}__lt" if descending else f"{field}__gt"
            deals = deals.filter(
                Q(**{beyond: value})
                | (Q(**{field: value}) & after_id)
                | Q(**{f"{field}__isnull": True})
            )
    rows = list(deals[: size + 1])
    next_cursor = ""
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode(getattr(last, field), last.pk)
    return rows, next_cursor


def source_lead(actor: User, deal: Deal) -> Any:
    """The lead the deal came from, when the actor may see it. The link lives on the lead
    (`Lead.converted_deal`), reached backwards so this app needs nothing from leads."""
    leads = deal.source_leads.alive().order_by("pk")  # type: ignore[attr-defined]
    return visible(actor, leads).first()


def first_lead_source() -> Subquery:
    """The source id of the first lead that converted into the deal (reports group and
    filter deals by it). The link lives on the lead, reached without importing leads."""
    lead_model = Deal._meta.get_field("source_leads").related_model
    leads = lead_model._base_manager.filter(converted_deal=OuterRef("pk"))  # type: ignore[union-attr]
    return Subquery(leads.order_by("pk").values("source_id")[:1])


def source_lead_ids(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """Annotate `source_lead_id`: the first lead that converted into each deal."""
    lead_model = Deal._meta.get_field("source_leads").related_model
    leads = lead_model._base_manager.filter(converted_deal=OuterRef("pk"))  # type: ignore[union-attr]
    return deals.annotate(source_lead_id=Subquery(leads.order_by("pk").values("pk")[:1]))


def deal_history(deal: Deal) -> QuerySet[StageHistory]:
    return (
        StageHistory.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "moved_by")
        .order_by("-moved_at", "-id")
    )


def deals_closing_this_month(*, actor: User, rep: User | None = None) -> QuerySet[Deal]:
    """Open deals expected to close this calendar month, soonest first (for My day)."""
    today = timezone.localdate()
    first = today.replace(day=1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    deals = deals_visible(actor).filter(
        closed_at__isnull=True, expected_close_date__gte=first, expected_close_date__lt=following
    )
    if rep is not None:
        deals = deals.filter(owner=rep)
    return deals.select_related("stage", "account", "owner").order_by(
        "expected_close_date", "-amount", "id"
    )


FIELD_LABELS = {
    "name": "name",
    "amount": "amount",
    "currency": "currency",
    "expected_close_date": "expected close date",
    "probability": "probability",
    "forecast_category": "forecast category",
    "next_step": "next step",
    "owner_id": "owner",
    "account_id": "account",
    "primary_contact_id": "primary contact",
    "stage_id": "stage",
    "lost_reason_id": "lost reason",
    "won_reason_id": "won reason",
    "closed_at": "closed",
    "amount_follows_line_items": "amount follows line items",
    "deleted_at": "deleted",
}
RELATED: dict[str, Any] = {
    "owner_id": User,
    "account_id": Account,
    "primary_contact_id": Contact,
    "stage_id": Stage,
    "lost_reason_id": LostReason,
    "won_reason_id": WonReason,
}


@dataclass
class Change:
    who: str
    when: Any
    field: str
    before: str
    after: str


def conflict_changes(deal: Deal, *, since_version: int) -> list[Change]:
    """What others changed on `deal` after `since_version`, from the audit log, oldest first."""
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Deal),
        object_id=str(deal.pk),
        changes__version__0__gte=since_version,
    ).select_related("actor")
    changes: list[Change] = []
    for entry in entries.order_by("created_at", "id")[:50]:
        for key, pair in entry.changes.items():
            if key not in FIELD_LABELS or not isinstance(pair, list) or len(pair) != 2:
                continue
            before, after = (_display(key, v) for v in pair)
            who = entry.actor.full_name if entry.actor else "Someone"
            changes.append(Change(who, entry.created_at, FIELD_LABELS[key], before, after))
    return changes


def _display(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    model = RELATED.get(key)
    if model is not None:
        obj = model._default_manager.filter(pk=value).first()
        if obj is None:
            return "—"
        return str(getattr(obj, "name", None) or obj)
    return str(value)


SUMMARY_CAP = 1000


@dataclass(frozen=True)
class StatusFigure:
    label: str  # "Open", "Won", "Lost"
    count: int
    total: Decimal


@dataclass(frozen=True)
class DealListSummary:
    """How many deals a filtered list holds and their total in the company currency, open,
    won and lost apart (adding them up would mix pipeline with closed business).

    Counting stops after SUMMARY_CAP + 1 rows, so a list of millions costs a bounded scan;
    past the cap the count is PostgreSQL's estimate for the query and the page says
    "about N" (`more`), with no total.
    """

    count: int
    more: bool
    total: Decimal | None
    by_status: tuple[StatusFigure, ...] = ()


def deal_list_summary(deals: QuerySet[Deal], cap: int = SUMMARY_CAP) -> DealListSummary:
    # One query: the figures by status over at most cap + 1 matching deals; their counts
    # add up to the list's count, and past the cap the planner's estimate stands in.
    ids = deals.order_by().values("pk")[: cap + 1]
    rows = (
        Deal.objects.filter(pk__in=ids)
        .values("stage__kind")
        .annotate(n=Count("pk"), total=Sum(company_amount()))
    )
    found = {r["stage__kind"]: (r["n"], r["total"] or Decimal(0)) for r in rows}
    count = sum(n for n, _ in found.values())
    if count > cap:
        return DealListSummary(count=max(cap + 1, estimated_rows(deals)), more=True, total=None)
    figures = tuple(
        StatusFigure(label, *found[kind]) for kind, label in StageKind.choices if kind in found
    )
    total = sum((f.total for f in figures), Decimal(0))
    return DealListSummary(count=count, more=False, total=total, by_status=figures)
