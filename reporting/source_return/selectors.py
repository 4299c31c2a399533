"""Source return: CAC, churn and CLV per lead source, each figure set-based SQL over the
deals `crm.visibility.visible()` lets the viewer see (live ones, company currency, company
time zone).

- **Acquisition source** of a customer account: the lead source of its first won deal
  (earliest `closed_at`, then id); the source of a deal is that of the first lead
  converted into it.
- **New customers** of a source in the period: accounts whose first won deal closed in the
  period, from that source.
- **Spend** of a source in the period: marketing + sales of each month whose first day
  falls in the period.
- **CAC** = spend ÷ new customers.
- **Churn** = renewal deals lost ÷ renewal deals closed (won + lost) in the period, of the
  accounts acquired from the source; **retention** = 1 - churn.
- **ARPA** (average revenue per account) = won revenue in the period ÷ accounts with a
  deal won in the period (both of the accounts acquired from the source).
- **CLV** = ARPA x gross margin (setting) ÷ churn; when no renewal of the source closed in
  the period, the company's churn is used (and said). No churn at all: no CLV.
Deals without an account are no customer and count nowhere here.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import QueryDict
from django.urls import reverse

from crm.models import User
from leads.models import LeadSource
from pipeline.models import Deal, DealType, StageKind
from pipeline.selectors import company_amount, first_lead_source
from reporting.kpis import ReportFilters
from reporting.kpis.scope import scoped_deals
from reporting.recognition.settings import reporting_settings

from .models import SourceSpend

MONEY = DecimalField(max_digits=20, decimal_places=2)
CENT = Decimal("0.01")
KINDS = ("new_customers", "won", "renewals_won", "renewals_lost")


def _base(actor: User, filters: ReportFilters) -> QuerySet[Deal]:
    """Visible live deals with an account (the period only: source return is company-wide
    per source, so team, rep and source filters don't apply)."""
    plain = ReportFilters(date_from=filters.date_from, date_to=filters.date_to)
    return scoped_deals(actor, plain).filter(account__isnull=False)


def _won(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    return deals.filter(stage__kind=StageKind.WON, closed_at__isnull=False)


def _first_won(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    return _won(deals).filter(account=OuterRef("account")).order_by("closed_at", "id")


def with_acquisition(deals: QuerySet[Deal], base: QuerySet[Deal]) -> QuerySet[Deal]:
    """Annotate `acquired_from` (the account's acquisition source) and `first_won_id`."""
    first = _first_won(base)
    return deals.annotate(
        first_won_id=Subquery(first.values("pk")[:1]),
        acquired_from=Subquery(first.annotate(src=first_lead_source()).values("src")[:1]),
    )


def _period_deals(actor: User, filters: ReportFilters) -> QuerySet[Deal]:
    base = _base(actor, filters)
    closed = base.filter(filters.in_period("closed_at")).annotate(amount_cc=company_amount())
    return with_acquisition(closed, base)


FIGURES_SQL = """
    SELECT GROUPING(d.acquired_from) AS is_total, d.acquired_from,
        COUNT(*) FILTER (WHERE d.kind = %s AND d.id = d.first_won_id) AS new_customers,
        COALESCE(SUM(d.amount_cc) FILTER (WHERE d.kind = %s), 0) AS won_revenue,
        COUNT(*) FILTER (WHERE d.kind = %s) AS won_count,
        COUNT(DISTINCT d.account_id) FILTER (WHERE d.kind = %s) AS accounts,
        COUNT(*) FILTER (WHERE d.kind = %s AND d.deal_type = %s) AS renewals_won,
        COUNT(*) FILTER (WHERE d.kind = %s AND d.deal_type = %s) AS renewals_lost
    FROM ({inner} OFFSET 0) AS d  -- OFFSET 0: not flattened, so each subquery runs once
    GROUP BY GROUPING SETS ((d.acquired_from), ())
"""


def _figures(
    actor: User, filters: ReportFilters
) -> tuple[dict[Any, dict[str, Any]], dict[str, Any]]:
    """Per acquisition source and in total, in one statement: the deals of the period with
    their acquisition (each correlated subquery evaluated once per deal in the inner
    select), aggregated with GROUPING SETS."""
    columns = ("id", "account_id", "deal_type", "amount_cc", "first_won_id", "acquired_from")
    inner = (
        _period_deals(actor, filters).order_by().values(*columns).annotate(kind=F("stage__kind"))
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    won, lost, renewal = StageKind.WON, StageKind.LOST, DealType.RENEWAL
    params = [won, won, won, won, won, renewal, lost, renewal]
    names = (
        "new_customers",
        "won_revenue",
        "won_count",
        "accounts",
        "renewals_won",
        "renewals_lost",
    )
    grouped: dict[Any, dict[str, Any]] = {}
    totals: dict[str, Any] = dict.fromkeys(names, 0)
    with connection.cursor() as cursor:
        cursor.execute(FIGURES_SQL.format(inner=inner_sql), [*params, *inner_params])
        for is_total, key, *values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            if is_total:
                totals = row
            else:
                grouped[key] = row
    return grouped, totals


def drill_deals(
    *, actor: User, filters: ReportFilters, kind: str, source: int | None
) -> QuerySet[Deal]:
    """The deals behind a figure: the same conditions the aggregate counts with."""
    deals = _period_deals(actor, filters)
    by_source = {"acquired_from": source}  # None: IS NULL
    deals = deals.filter(**by_source)
    if kind == "new_customers":
        return deals.filter(stage__kind=StageKind.WON, pk=F("first_won_id"))
    if kind == "won":
        return deals.filter(stage__kind=StageKind.WON)
    if kind == "renewals_won":
        return deals.filter(stage__kind=StageKind.WON, deal_type=DealType.RENEWAL)
    if kind == "renewals_lost":
        return deals.filter(stage__kind=StageKind.LOST, deal_type=DealType.RENEWAL)
    raise ValueError(kind)


def drill_url(filters: ReportFilters, kind: str, source: int | None) -> str:
    params = QueryDict(mutable=True)
    params["date_from"] = filters.date_from.isoformat()
    params["date_to"] = filters.date_to.isoformat()
    params["period"] = "custom"
    params["kind"] = kind
    params["acquired"] = str(source) if source else "none"
    return reverse("reporting:source_return_deals") + "?" + params.urlencode()


@dataclass
class SourceRow:
    source_id: int | None
    label: str
    marketing: Decimal
    sales: Decimal
    new_customers: int
    won_revenue: Decimal
    won_count: int
    accounts: int
    renewals_won: int
    renewals_lost: int
    churn_fallback: float | None = None  # the company's churn, used without renewals
    margin: Decimal = Decimal("0.70")
    is_total: bool = False
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def spend(self) -> Decimal:
        return self.marketing + self.sales

    @property
    def cac(self) -> Decimal | None:
        """None for the "No source" row: no spend can be entered for it."""
        if self.source_id is None and not self.is_total:
            return None
        return (self.spend / self.new_customers).quantize(CENT) if self.new_customers else None

    @property
    def renewals(self) -> int:
        return self.renewals_won + self.renewals_lost

    @property
    def own_churn(self) -> float | None:
        return self.renewals_lost / self.renewals if self.renewals else None

    @property
    def churn(self) -> float | None:
        own = self.own_churn
        return own if own is not None else self.churn_fallback

    @property
    def churn_is_company(self) -> bool:
        return self.own_churn is None and self.churn_fallback is not None

    @property
    def retention(self) -> float | None:
        return None if self.churn is None else 1 - self.churn

    @property
    def arpa(self) -> Decimal | None:
        return (self.won_revenue / self.accounts).quantize(CENT) if self.accounts else None

    @property
    def clv(self) -> Decimal | None:
        if self.arpa is None or not self.churn:
            return None
        return (self.arpa * self.margin / Decimal(str(self.churn))).quantize(CENT)

    @property
    def clv_to_cac(self) -> float | None:
        if self.clv is None or not self.cac:
            return None
        return round(float(self.clv / self.cac), 2)


@dataclass
class SourceReturn:
    filters: ReportFilters
    margin_percent: Decimal
    rows: list[SourceRow]
    total: SourceRow
    months: list[date]

    @property
    def chart_json(self) -> str:
        return json.dumps(self.chart())

    def chart(self) -> dict[str, Any]:
        named = [row for row in self.rows if row.source_id is not None]
        return {
            "type": "bar",
            "labels": [row.label for row in named],
            "datasets": [
                {"label": "CAC", "data": [float(row.cac or 0) for row in named]},
                {"label": "CLV", "data": [float(row.clv or 0) for row in named]},
            ],
        }


def spend_months(filters: ReportFilters) -> list[date]:
    months = []
    day = filters.date_from.replace(day=1)
    if day < filters.date_from:
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    while day <= filters.date_to:
        months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def source_return(*, actor: User, filters: ReportFilters) -> SourceReturn:
    """Per source and for the company (five queries whatever the data)."""
    margin_percent = reporting_settings().gross_margin_percent
    margin = margin_percent / 100
    grouped, totals = _figures(actor, filters)
    months = spend_months(filters)
    spend = SourceSpend.objects.filter(month__in=months)
    spent = {
        row["source"]: row
        for row in spend.values("source").annotate(m=Sum("marketing"), s=Sum("sales")).order_by()
    }
    spent_total = spend.aggregate(m=Sum("marketing"), s=Sum("sales"))
    keys = set(grouped) | set(spent)
    names = dict(LeadSource.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
    empty = dict.fromkeys(
        ("new_customers", "won_count", "accounts", "renewals_won", "renewals_lost"), 0
    )

    def make(
        key: int | None, figures: dict[str, Any], money: dict[str, Any], label: str
    ) -> SourceRow:
        return SourceRow(
            source_id=key,
            label=label,
            marketing=Decimal(money.get("m") or 0).quantize(CENT),
            sales=Decimal(money.get("s") or 0).quantize(CENT),
            new_customers=figures.get("new_customers", 0),
            won_revenue=Decimal(figures.get("won_revenue") or 0).quantize(CENT),
            won_count=figures.get("won_count", 0),
            accounts=figures.get("accounts", 0),
            renewals_won=figures.get("renewals_won", 0),
            renewals_lost=figures.get("renewals_lost", 0),
            margin=margin,
        )

    total = make(None, totals, spent_total, "All sources")
    total.is_total = True
    rows = [
        make(
            key,
            grouped.get(key, empty),
            dict(spent.get(key, {})),
            names.get(key, "") if key else "No source",
        )
        for key in keys
    ]
    for row in rows:
        row.churn_fallback = total.own_churn
        row.urls = {kind: drill_url(filters, kind, row.source_id) for kind in KINDS}
    rows.sort(key=lambda r: (r.source_id is None, r.label.lower()))
    return SourceReturn(filters, margin_percent, rows, total, months)
