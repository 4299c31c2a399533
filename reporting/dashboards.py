"""What the three dashboards show, each from a fixed number of set-based queries.

- the manager's: the team's figures against the previous period, the funnel, the cycle,
  time in stage, reps side by side, stuck deals;
- the rep's: my figures and funnel, my activity, my place on the won-revenue leaderboard;
- the admin's: the company view and data quality.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from crm.models import Account, Contact, User
from crm.models.users import can_own_q
from leads.models import OPEN_STATUSES, Lead
from pipeline.models import Deal, StageKind
from pipeline.selectors import company_amount
from reporting.coaching import Suggestion, coaching_for
from reporting.kpis import (
    KPIS,
    ActivityRow,
    DealStats,
    ReportFilters,
    activities_by,
    cycle_distribution,
    deal_stats,
    deal_stats_by,
    deals_url,
    kpi_table,
    leads_url,
    stuck_deals,
    time_in_stage,
)
from reporting.kpis.deals import StageTime
from reporting.kpis.labels import label_map
from reporting.kpis.registry import KpiRow, KpiTable

LEADERBOARD_MIN_DEALS = 2
STALE_DAYS = 30


@dataclass
class Figure:
    """One tile: this period, the previous one, and the list behind it."""

    label: str
    value: Any
    previous: Any
    unit: str
    url: str
    formula: str

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous in (None, 0):
            return None
        return round(
            (float(self.value) - float(self.previous)) / abs(float(self.previous)) * 100, 1
        )


@dataclass
class RepLine:
    user_id: int
    name: str
    stats: DealStats
    activity: ActivityRow | None
    won_url: str
    closed_url: str


@dataclass
class Dashboard:
    kind: str
    filters: ReportFilters
    figures: list[Figure] = field(default_factory=list)
    funnel: list[KpiRow] = field(default_factory=list)
    cycle: list[tuple[str, int]] = field(default_factory=list)
    stages: list[StageTime] = field(default_factory=list)
    reps: list[RepLine] = field(default_factory=list)
    stuck: list[Deal] = field(default_factory=list)
    tables: dict[str, KpiTable] = field(default_factory=dict)
    leaderboard: list[dict[str, Any]] = field(default_factory=list)
    my_rank: int | None = None
    quality: list[dict[str, Any]] = field(default_factory=list)
    coaching: list[Suggestion] = field(default_factory=list)
    coached: User | None = None  # whose coaching list shows

    def chart_data(self) -> dict[str, Any]:
        """What static/js/reporting.js draws (rendered with json_script)."""
        data: dict[str, Any] = {
            "funnel": {
                "labels": [s.label for s in self.funnel],
                "values": [s.count for s in self.funnel],
            },
            "cycle": {"labels": [c[0] for c in self.cycle], "values": [c[1] for c in self.cycle]},
            "stages": {
                "labels": [s.stage for s in self.stages],
                "values": [s.median_days for s in self.stages],
            },
            "reps": {
                "labels": [r.name for r in self.reps],
                "won": [float(r.stats.won_amount) for r in self.reps],
                "win_rate": [round((r.stats.win_rate or 0) * 100, 1) for r in self.reps],
            },
        }
        for name, table in self.tables.items():
            data[name] = {
                "labels": [row.label for row in table.rows],
                "values": [float(row.value or 0) for row in table.rows],
            }
        return data


def _figures(
    stats: DealStats, previous: DealStats, filters: ReportFilters, prev_filters: ReportFilters
) -> list[Figure]:
    def pct(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 1)

    def days(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return [
        Figure(
            "Won revenue",
            stats.won_amount,
            previous.won_amount,
            "money",
            deals_url(filters, status="won"),
            KPIS["won_revenue"].formula,
        ),
        Figure(
            "Deals won",
            stats.won_count,
            previous.won_count,
            "count",
            deals_url(filters, status="won"),
            "count(deals won in the period)",
        ),
        Figure(
            "Win rate",
            pct(stats.win_rate),
            pct(previous.win_rate),
            "percent",
            deals_url(filters, status="closed"),
            KPIS["win_rate"].formula,
        ),
        Figure(
            "Win rate by amount",
            pct(stats.win_rate_amount),
            pct(previous.win_rate_amount),
            "percent",
            deals_url(filters, status="closed"),
            KPIS["win_rate"].formula,
        ),
        Figure(
            "Average deal size",
            stats.avg_won,
            previous.avg_won,
            "money",
            deals_url(filters, status="won"),
            KPIS["deal_size"].formula,
        ),
        Figure(
            "Median deal size",
            stats.median_won,
            previous.median_won,
            "money",
            deals_url(filters, status="won"),
            KPIS["deal_size"].formula,
        ),
        Figure(
            "Median sales cycle (days)",
            days(stats.median_cycle_days),
            days(previous.median_cycle_days),
            "days",
            deals_url(filters, status="won"),
            KPIS["sales_cycle"].formula,
        ),
        Figure(
            "Pipeline velocity per day",
            stats.velocity,
            previous.velocity,
            "money",
            deals_url(filters, status="open"),
            KPIS["velocity"].formula,
        ),
        Figure(
            "Open deals",
            stats.open_count,
            None,
            "count",
            deals_url(filters, status="open"),
            "count(open deals now)",
        ),
    ]


def _common(dashboard: Dashboard, actor: User) -> None:
    filters = dashboard.filters
    previous_filters = filters.previous()
    stats = deal_stats(actor=actor, filters=filters)
    previous = deal_stats(actor=actor, filters=previous_filters)
    dashboard.figures = _figures(stats, previous, filters, previous_filters)
    dashboard.funnel = kpi_table(actor=actor, kpi=KPIS["funnel"], filters=filters).rows
    dashboard.cycle = cycle_distribution(actor=actor, filters=filters)


def _rep_lines(actor: User, filters: ReportFilters) -> list[RepLine]:
    per_owner = deal_stats_by(actor=actor, filters=filters, group_by="owner")
    activity = {row.key: row for row in activities_by(actor=actor, filters=filters)}
    names = label_map("owner", [s.key for s in per_owner] + list(activity))
    lines = [
        RepLine(
            user_id=s.key,
            name=names.get(s.key, ""),
            stats=s,
            activity=activity.get(s.key),
            won_url=deals_url(filters, status="won", group_by="owner", key=s.key),
            closed_url=deals_url(filters, status="closed", group_by="owner", key=s.key),
        )
        for s in per_owner
    ]
    return sorted(lines, key=lambda line: (-line.stats.won_amount, line.name))


def manager_dashboard(*, actor: User, filters: ReportFilters) -> Dashboard:
    dashboard = Dashboard("manager", filters)
    _common(dashboard, actor)
    dashboard.stages = time_in_stage(actor=actor, filters=filters)
    dashboard.reps = _rep_lines(actor, filters)
    dashboard.stuck = stuck_deals(actor=actor, filters=filters)
    if filters.owner:
        rep = User.objects.filter(pk=filters.owner).select_related("team").first()
        if rep is not None:
            dashboard.coached = rep
            dashboard.coaching = coaching_for(actor=actor, rep=rep, filters=filters)
    dashboard.tables["won_by_month"] = kpi_table(
        actor=actor, kpi=KPIS["won_revenue"], filters=filters, group_by="month"
    )
    return dashboard


def company_leaderboard(filters: ReportFilters) -> list[dict[str, Any]]:
    """Won revenue per rep over the whole company in the period, ranked, for reps with at
    least LEADERBOARD_MIN_DEALS won deals. Deliberately not narrowed by visible(): it shows
    each rep's total and rank only, never the deals behind another rep's total."""
    won = filters.in_period("closed_at") & Q(stage__kind=StageKind.WON)
    rows = (
        Deal.objects.alive()
        .filter(won, can_own_q("owner__"))
        .values("owner", "owner__first_name", "owner__last_name", "owner__email")
        .annotate(won=Sum(company_amount()), deals=Count("pk"))
        .filter(deals__gte=LEADERBOARD_MIN_DEALS)
        .order_by("-won", "owner")
    )
    board = []
    for rank, row in enumerate(rows, start=1):
        name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
        board.append(
            {
                "rank": rank,
                "user_id": row["owner"],
                "name": name or row["owner__email"],
                "won": Decimal(row["won"]).quantize(Decimal("0.01")),
                "deals": row["deals"],
            }
        )
    return board


def rep_dashboard(*, actor: User, filters: ReportFilters) -> Dashboard:
    """The rep's own figures: `filters.owner` is the actor."""
    dashboard = Dashboard("rep", filters)
    _common(dashboard, actor)
    dashboard.tables["activity_by_month"] = kpi_table(
        actor=actor, kpi=KPIS["activities"], filters=filters, group_by="month"
    )
    dashboard.tables["won_by_month"] = kpi_table(
        actor=actor, kpi=KPIS["won_revenue"], filters=filters, group_by="month"
    )
    dashboard.coached = actor
    dashboard.coaching = coaching_for(actor=actor, rep=actor, filters=filters)
    dashboard.leaderboard = company_leaderboard(filters)
    dashboard.my_rank = next(
        (row["rank"] for row in dashboard.leaderboard if row["user_id"] == actor.pk), None
    )
    return dashboard


def data_quality() -> list[dict[str, Any]]:
    """Counts an admin acts on (one query per record type), with the list behind each."""
    now = timezone.now()
    stale = now - timedelta(days=STALE_DAYS)
    leads = Lead.objects.alive().aggregate(
        inactive_owner=Count("pk", filter=Q(status__in=OPEN_STATUSES) & ~can_own_q("owner__")),
        untouched=Count(
            "pk",
            filter=Q(status__in=OPEN_STATUSES, created_at__lt=stale)
            & (Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=stale)),
        ),
    )
    shared_phones = (
        Lead.objects.alive()
        .exclude(phone="")
        .values("phone_normalized")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .aggregate(leads=Sum("n"))
    )
    deals = Deal.objects.alive().aggregate(
        stale=Count("pk", filter=Q(closed_at__isnull=True, updated_at__lt=stale)),
        overdue=Count(
            "pk", filter=Q(closed_at__isnull=True, expected_close_date__lt=timezone.localdate())
        ),
        inactive_owner=Count("pk", filter=Q(closed_at__isnull=True) & ~can_own_q("owner__")),
    )
    orphans = Account.objects.alive().exclude(can_own_q("owner__")).count() + (
        Contact.objects.alive().exclude(can_own_q("owner__")).count()
    )
    deal_list = reverse("pipeline:deal_list")
    return [
        {
            "label": "Open leads whose owner is deactivated",
            "count": leads["inactive_owner"],
            "url": "",
        },
        {
            "label": f"Open leads untouched for {STALE_DAYS} days",
            "count": leads["untouched"],
            "url": reverse("leads:list") + "?status=suspect&status=mql&status=sql&sort=created",
        },
        {
            "label": "Leads sharing a phone number (duplicates to merge)",
            "count": shared_phones["leads"] or 0,
            "url": "",
        },
        {
            "label": f"Open deals not updated for {STALE_DAYS} days",
            "count": deals["stale"],
            "url": deal_list + "?status=open&sort=-updated",
        },
        {
            "label": "Open deals past their expected close date",
            "count": deals["overdue"],
            "url": deal_list
            + f"?status=open&close_to={(timezone.localdate() - timedelta(days=1)).isoformat()}",
        },
        {
            "label": "Open deals whose owner is deactivated",
            "count": deals["inactive_owner"],
            "url": "",
        },
        {"label": "Accounts and contacts whose owner is deactivated", "count": orphans, "url": ""},
    ]


def admin_dashboard(*, actor: User, filters: ReportFilters) -> Dashboard:
    dashboard = Dashboard("admin", filters)
    _common(dashboard, actor)
    dashboard.reps = _rep_lines(actor, filters)
    for name, kpi, group in (
        ("won_by_team", "won_revenue", "team"),
        ("won_by_month", "won_revenue", "month"),
        ("leads_by_source", "lead_volume", "source"),
        ("win_rate_by_source", "win_rate", "source"),
    ):
        dashboard.tables[name] = kpi_table(
            actor=actor, kpi=KPIS[kpi], filters=filters, group_by=group
        )
    dashboard.quality = data_quality()
    return dashboard


__all__ = ["Dashboard", "admin_dashboard", "leads_url", "manager_dashboard", "rep_dashboard"]
