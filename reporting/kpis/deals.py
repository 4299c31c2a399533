"""Deal KPIs from one set-based aggregate over the scoped deals.

One query gives, per group (or for the whole scope): the open deals now, the deals won and
lost in the period with their amounts in the company currency, the average and median won
deal size and the average and median sales cycle of the won deals. Win rate, deal size,
sales cycle, pipeline velocity and won revenue are read off those figures.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DateTimeField, F, Func, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from crm.models import User
from pipeline.models import Deal, StageHistory, StageKind
from pipeline.selectors import company_amount

from .scope import (
    Median,
    ReportFilters,
    epoch_days,
    group_expression,
    lead_source_of_deal,
    scoped_deals,
)

CENT = Decimal("0.01")
ZERO = Decimal(0)
# Sales cycle distribution: (label, lowest day, highest day or None).
CYCLE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7 days", 0, 7),
    ("8-30 days", 8, 30),
    ("31-90 days", 31, 90),
    ("91-180 days", 91, 180),
    ("over 180 days", 181, None),
)


@dataclass(frozen=True)
class DealStats:
    key: Any
    open_count: int
    open_amount: Decimal
    won_count: int
    won_amount: Decimal
    lost_count: int
    lost_amount: Decimal
    avg_won: Decimal | None
    median_won: Decimal | None
    avg_cycle_days: float | None
    median_cycle_days: float | None

    @property
    def closed_count(self) -> int:
        return self.won_count + self.lost_count

    @property
    def win_rate(self) -> float | None:
        """won ÷ (won + lost), by count, as a fraction."""
        return self.won_count / self.closed_count if self.closed_count else None

    @property
    def win_rate_amount(self) -> float | None:
        """won amount ÷ (won + lost amount), as a fraction."""
        closed = self.won_amount + self.lost_amount
        return float(self.won_amount / closed) if closed else None

    @property
    def velocity(self) -> Decimal | None:
        """Open deals * win rate * average won deal size ÷ average cycle days, per day."""
        if self.win_rate is None or self.avg_won is None or not self.avg_cycle_days:
            return None
        per_day = Decimal(self.open_count) * Decimal(self.win_rate) * self.avg_won
        return (per_day / Decimal(max(self.avg_cycle_days, 1.0))).quantize(CENT)


def _stats_aggregates(filters: ReportFilters) -> dict[str, Any]:
    closed = filters.in_period("closed_at")
    won = closed & Q(stage__kind=StageKind.WON)
    lost = closed & Q(stage__kind=StageKind.LOST)
    open_now = Q(closed_at__isnull=True, stage__kind=StageKind.OPEN)
    amount = company_amount()
    cycle = epoch_days("created_at", "closed_at")
    return {
        "open_count": Count("pk", filter=open_now),
        "open_amount": Coalesce(Sum(amount, filter=open_now), ZERO),
        "won_count": Count("pk", filter=won),
        "won_amount": Coalesce(Sum(amount, filter=won), ZERO),
        "lost_count": Count("pk", filter=lost),
        "lost_amount": Coalesce(Sum(amount, filter=lost), ZERO),
        "avg_won": Avg(amount, filter=won),
        "median_won": Median(amount, filter=won),
        "avg_cycle_days": Avg(cycle, filter=won),
        "median_cycle_days": Median(cycle, filter=won),
    }


def _relevant(deals: QuerySet[Deal], filters: ReportFilters) -> QuerySet[Deal]:
    """Open deals and deals closed in the period: nothing else feeds a figure."""
    return deals.filter(Q(closed_at__isnull=True) | filters.in_period("closed_at"))


def _to_stats(key: Any, row: dict[str, Any]) -> DealStats:
    def money(value: Any) -> Decimal | None:
        return None if value is None else Decimal(value).quantize(CENT)

    return DealStats(
        key=key,
        open_count=row["open_count"],
        open_amount=money(row["open_amount"]) or ZERO,
        won_count=row["won_count"],
        won_amount=money(row["won_amount"]) or ZERO,
        lost_count=row["lost_count"],
        lost_amount=money(row["lost_amount"]) or ZERO,
        avg_won=money(row["avg_won"]),
        median_won=None if row["median_won"] is None else money(str(row["median_won"])),
        avg_cycle_days=row["avg_cycle_days"],
        median_cycle_days=row["median_cycle_days"],
    )


def deal_stats(*, actor: User, filters: ReportFilters) -> DealStats:
    """The deal figures for the whole scope (one query)."""
    deals = _relevant(scoped_deals(actor, filters), filters)
    row = deals.order_by().aggregate(**_stats_aggregates(filters))
    return _to_stats(None, row)


def deal_stats_by(*, actor: User, filters: ReportFilters, group_by: str) -> list[DealStats]:
    """The deal figures per group (one query): owner, team, source, stage, month, quarter.
    Month and quarter are those of the close date, so open deals have no row there."""
    deals = _relevant(scoped_deals(actor, filters), filters)
    expression = group_expression(group_by, date_field="closed_at", source=lead_source_of_deal())
    rows = (
        deals.order_by()
        .annotate(group_key=expression)
        .values("group_key")
        .annotate(**_stats_aggregates(filters))
        .order_by("group_key")
    )
    stats = [_to_stats(row["group_key"], dict(row)) for row in rows]
    if group_by in ("month", "quarter"):
        stats = [s for s in stats if s.key is not None]
    return stats


def cycle_distribution(*, actor: User, filters: ReportFilters) -> list[tuple[str, int]]:
    """How many deals won in the period took how long (created → closed), in buckets."""
    won = scoped_deals(actor, filters).filter(
        filters.in_period("closed_at"), stage__kind=StageKind.WON
    )
    won = won.annotate(cycle=epoch_days("created_at", "closed_at"))
    buckets: dict[str, Any] = {}
    for i, (_label, low, high) in enumerate(CYCLE_BUCKETS):
        # Whole days: a deal closed 7.5 days after it opened falls in "0-7 days".
        condition = Q(cycle__gte=low) if i else Q()
        if high is not None:
            condition &= Q(cycle__lt=high + 1)
        buckets[f"b{i}"] = Count("pk", filter=condition)
    row = won.order_by().aggregate(**buckets)
    return [(label, row[f"b{i}"]) for i, (label, _, _) in enumerate(CYCLE_BUCKETS)]


@dataclass(frozen=True)
class StageTime:
    stage_id: int
    stage: str
    moves: int
    avg_days: float
    median_days: float


def time_in_stage(*, actor: User, filters: ReportFilters) -> list[StageTime]:
    """Per stage, how long deals stayed in it before they moved on in the period
    (StageHistory.seconds_in_previous_stage of the moves out of the stage)."""
    deals = scoped_deals(actor, filters).values("pk")
    rows = (
        StageHistory.objects.filter(
            filters.in_period("moved_at"),
            deal__in=deals,
            from_stage__isnull=False,
            seconds_in_previous_stage__isnull=False,
        )
        .values("from_stage", "from_stage__name", "from_stage__position", "from_stage__pipeline")
        .annotate(
            moves=Count("pk"),
            avg_seconds=Avg("seconds_in_previous_stage"),
            median_seconds=Median("seconds_in_previous_stage"),
        )
        .order_by("from_stage__pipeline", "from_stage__position", "from_stage")
    )
    return [
        StageTime(
            stage_id=row["from_stage"],
            stage=row["from_stage__name"],
            moves=row["moves"],
            avg_days=round(float(row["avg_seconds"]) / 86400, 2),
            median_days=round(float(row["median_seconds"]) / 86400, 2),
        )
        for row in rows
    ]


def stuck_deals(*, actor: User, filters: ReportFilters, limit: int = 20) -> list[Deal]:
    """Open deals idle in their stage past its rotting days, the longest idle first."""
    idle_since = Func(
        F("stage__rotting_days"),
        template="(NOW() - make_interval(days => %(expressions)s))",
        output_field=DateTimeField(),
    )
    return list(
        scoped_deals(actor, filters)
        .filter(closed_at__isnull=True, stage__rotting_days__isnull=False)
        .filter(stage_changed_at__lte=idle_since)
        .select_related("owner", "stage", "account")
        .order_by("stage_changed_at", "id")[:limit]
    )
