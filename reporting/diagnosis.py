"""Underperformance diagnosis: for a rep below target, where their funnel leaks against
their team, in plain words with the figures behind them.

**Below target**: with a quota for the current fiscal quarter, won revenue so far below
the pace of the quota (quota x days gone ÷ days in the quarter); without one, won revenue
in the period below the team's median (the middle of every team member's won revenue in
the period, members with nothing won counting 0; `PERCENTILE_CONT(0.5)` in SQL).

**The team** is the rep's team with its sub-teams, the rep included. The rep's figures are
read through `visible()` for the viewer (a manager over the rep, an admin, the rep); the
team's too when the viewer may see the team's records. A rep looking at their own
diagnosis sees the team's figures as totals only (like the leaderboards), with no link to
records they may not open.

Each comparison (period: the filters' dates, company time zone):
- MQL → SQL: leads created in the period that reached SQL ÷ those that reached MQL;
- SQL → deal: leads that reached "deal" (converted into a live deal) ÷ those that reached SQL;
- win rate: deals won ÷ deals won or lost, closed in the period;
- sales cycle: median days created → closed of the deals won in the period (longer leaks);
- activity: calls + emails + meetings logged + tasks done in the period, the team's being
  its total ÷ its members (the average member);
- deal size: average amount x rate of the deals won in the period.
A figure leaks when the rep's rate is more than 5 points under the team's, their cycle is
over 1.2 x the team's, or their activity or deal size is under 0.8 x the team's.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm.models import Activity, Task, Team, User
from crm.models.activities import ActivityKind
from crm.models.users import can_own_q
from crm.visibility import subtree_user_ids, visible
from forecasting import periods
from forecasting.models import Quota, QuotaPeriodKind
from forecasting.selectors import fiscal_start_month
from leads.models import Lead
from pipeline.models import Deal, StageKind
from pipeline.selectors import company_amount
from reporting.kpis import ReportFilters, deals_url, leads_url, reached
from reporting.kpis.deals import DealStats, _relevant, _stats_aggregates, _to_stats
from reporting.kpis.scope import ON_LIVE_RECORDS, Median

RATE_GAP = 5.0  # points
CYCLE_FACTOR = 1.2
LOW_FACTOR = 0.8
MONEY = DecimalField(max_digits=20, decimal_places=2)


@dataclass(frozen=True)
class Comparison:
    key: str
    label: str
    unit: str  # percent, days, count, money
    mine: float | None
    team: float | None
    mine_detail: str
    team_detail: str
    leaks: bool
    sentence: str
    url: str  # the rep's records behind their figure
    team_url: str


@dataclass
class Diagnosis:
    rep: User
    team: Team | None
    filters: ReportFilters
    below_target: bool
    target_sentence: str
    quota: Decimal | None
    won: Decimal
    team_median: Decimal | None
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def leaks(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.leaks]


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value:.0f}%"
    if unit == "days":
        return f"{value:.0f} days"
    if unit == "money":
        return f"{value:,.0f}"
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _funnel(leads: QuerySet[Lead]) -> dict[str, int]:
    return leads.order_by().aggregate(
        mql=Count("pk", filter=reached("mql")),
        sql=Count("pk", filter=reached("sql")),
        deal=Count("pk", filter=reached("deal")),
    )


def _deal_stats(deals: QuerySet[Deal], filters: ReportFilters) -> DealStats:
    row = _relevant(deals, filters).order_by().aggregate(**_stats_aggregates(filters))
    return _to_stats(None, row)


def _activity_total(owner_q: Q, filters: ReportFilters, base: Any) -> int:
    logged = (
        base(Activity.objects.filter(ON_LIVE_RECORDS))
        .filter(owner_q, filters.in_period("occurred_at"))
        .filter(kind__in=[ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING])
        .count()
    )
    done = (
        base(Task.objects.filter(ON_LIVE_RECORDS))
        .filter(owner_q, filters.in_period("done_at"))
        .count()
    )
    return logged + done


def _team_median(team_q: Q, filters: ReportFilters) -> Decimal | None:
    """The middle of the team members' won revenue in the period (0 for nothing won)."""
    won = filters.in_period("closed_at") & Q(stage__kind=StageKind.WON)
    per_member = Subquery(
        Deal.objects.alive()
        .filter(won, owner=OuterRef("pk"))
        .order_by()
        .values("owner")
        .annotate(total=Sum(company_amount(), output_field=MONEY))
        .values("total")[:1],
        output_field=MONEY,
    )
    row = (
        User.objects.filter(can_own_q())
        .filter(team_q)
        .annotate(won=Coalesce(per_member, Value(Decimal(0)), output_field=MONEY))
        .aggregate(median=Median("won"), members=Count("pk"))
    )
    if row["median"] is None:
        return None
    return Decimal(str(row["median"])).quantize(Decimal("0.01"))


def _quarter_quota(rep: User) -> tuple[periods.Period, Decimal | None]:
    """The rep's quota for the current fiscal quarter: its quarter row, else the sum of its
    month rows (read-only use of forecasting's quotas; one query)."""
    quarter = periods.current(periods.QUARTER, fiscal_start_month())
    rows = Quota.objects.filter(
        user=rep, period_start__gte=quarter.start, period_end__lte=quarter.end
    ).values_list("period_kind", "amount")
    quarter_rows = [a for kind, a in rows if kind == QuotaPeriodKind.QUARTER]
    month_rows = [a for kind, a in rows if kind == QuotaPeriodKind.MONTH]
    if quarter_rows:
        return quarter, quarter_rows[0]
    return quarter, (sum(month_rows, Decimal(0)) if month_rows else None)


def sees_team(actor: User, team: Team | None) -> bool:
    if actor.is_admin:
        return True
    if team is None or not actor.is_manager:
        return False
    paths = Team.objects.filter(manager=actor).values_list("path", flat=True)
    return any(team.path.startswith(path) for path in paths)


def diagnose(*, actor: User, rep: User, filters: ReportFilters) -> Diagnosis:
    """The rep against their team over the filters' period (about a dozen queries)."""
    team = rep.team
    mine_filters = replace(filters, owner=rep.pk, team=None)
    team_filters = replace(filters, owner=None, team=team)
    team_visible = sees_team(actor, team)

    def team_base(queryset: QuerySet[Any]) -> QuerySet[Any]:
        return visible(actor, queryset) if team_visible else queryset

    def mine_base(queryset: QuerySet[Any]) -> QuerySet[Any]:
        return visible(actor, queryset)

    team_q = Q(owner__team__path__startswith=team.path) if team else Q(owner=rep)
    member_q = Q(team__path__startswith=team.path) if team else Q(pk=rep.pk)
    in_period = filters.in_period("created_at")
    my_leads = _funnel(mine_base(Lead.objects.alive()).filter(in_period, owner=rep))
    team_leads = _funnel(team_base(Lead.objects.alive()).filter(in_period).filter(team_q))
    my_deals = _deal_stats(mine_base(Deal.objects.alive()).filter(owner=rep), filters)
    team_deals = _deal_stats(team_base(Deal.objects.alive()).filter(team_q), filters)
    my_activity = _activity_total(Q(owner=rep), filters, mine_base)
    team_activity = _activity_total(team_q, filters, team_base)
    members = max(User.objects.filter(can_own_q()).filter(member_q).count(), 1)
    median = _team_median(member_q, filters)

    quarter, quota = _quarter_quota(rep)
    who = "You" if actor.pk == rep.pk else (rep.full_name or rep.email)
    whose = "Your" if actor.pk == rep.pk else f"{rep.full_name or rep.email}'s"
    today = timezone.localdate()
    if quota:
        low, high = quarter.bounds()
        won_quarter = (
            mine_base(Deal.objects.alive())
            .filter(owner=rep, stage__kind=StageKind.WON, closed_at__gte=low, closed_at__lt=high)
            .aggregate(
                total=Coalesce(
                    Sum(company_amount(), output_field=MONEY), Value(Decimal(0)), output_field=MONEY
                )
            )["total"]
        )
        won_quarter = Decimal(won_quarter).quantize(Decimal("0.01"))
        gone = min(max((today - quarter.start).days + 1, 0), (quarter.end - quarter.start).days)
        share = gone / (quarter.end - quarter.start).days
        pace = (quota * Decimal(share)).quantize(Decimal("0.01"))
        below = won_quarter < pace
        target_sentence = (
            f"{who} won {won_quarter:,.0f} of a {quota:,.0f} quota for {quarter.label} "
            f"({won_quarter * 100 / quota:.0f}%) with {share * 100:.0f}% of the quarter gone: "
            + ("behind the pace of the quota." if below else "on or ahead of pace.")
        )
        won_figure = won_quarter
    else:
        won_figure = my_deals.won_amount
        below = median is not None and won_figure < median
        target_sentence = (
            f"No quota for {quarter.label}: {'you' if who == 'You' else who} won "
            f"{won_figure:,.0f} in the period against a team median of "
            f"{(median or Decimal(0)):,.0f} ({members} members): "
            + ("below the team's median." if below else "at or above the team's median.")
        )

    def link_mine(kind: str, **params: Any) -> str:
        if kind == "leads":
            return leads_url(mine_filters, **params)
        return deals_url(mine_filters, **params)

    def link_team(kind: str, **params: Any) -> str:
        if not team_visible:
            return ""
        if kind == "leads":
            return leads_url(team_filters, **params)
        return deals_url(team_filters, **params)

    comparisons = []

    def rate(
        key: str, label: str, part: str, whole: str, part_words: str, whole_words: str
    ) -> None:
        mine = _pct(my_leads[part], my_leads[whole])
        theirs = _pct(team_leads[part], team_leads[whole])
        leaks = mine is not None and theirs is not None and mine < theirs - RATE_GAP
        comparisons.append(
            Comparison(
                key,
                label,
                "percent",
                mine,
                theirs,
                f"{my_leads[part]} of {my_leads[whole]} {whole_words}",
                f"{team_leads[part]} of {team_leads[whole]}",
                leaks,
                f"{whose} {label} is {_fmt(mine, 'percent')} vs the team's "
                f"{_fmt(theirs, 'percent')} "
                f"({my_leads[part]} of {my_leads[whole]} {whole_words} {part_words} vs "
                f"{team_leads[part]} of {team_leads[whole]}).",
                link_mine("leads", reached=part),
                link_team("leads", reached=part),
            )
        )

    rate("mql_sql", "MQL → SQL rate", "sql", "mql", "became SQL", "MQLs")
    rate("sql_deal", "SQL → deal rate", "deal", "sql", "became deals", "SQLs")

    mine_win = _pct(my_deals.won_count, my_deals.closed_count)
    team_win = _pct(team_deals.won_count, team_deals.closed_count)
    comparisons.append(
        Comparison(
            "win_rate",
            "win rate",
            "percent",
            mine_win,
            team_win,
            f"{my_deals.won_count} of {my_deals.closed_count} closed deals",
            f"{team_deals.won_count} of {team_deals.closed_count}",
            mine_win is not None and team_win is not None and mine_win < team_win - RATE_GAP,
            f"{whose} win rate is {_fmt(mine_win, 'percent')} vs the team's "
            f"{_fmt(team_win, 'percent')} ({my_deals.won_count} of {my_deals.closed_count} closed "
            f"deals won vs {team_deals.won_count} of {team_deals.closed_count}).",
            link_mine("deals", status="closed"),
            link_team("deals", status="closed"),
        )
    )
    mine_cycle = my_deals.median_cycle_days
    team_cycle = team_deals.median_cycle_days
    comparisons.append(
        Comparison(
            "cycle",
            "sales cycle",
            "days",
            None if mine_cycle is None else round(mine_cycle, 1),
            None if team_cycle is None else round(team_cycle, 1),
            f"median of {my_deals.won_count} won deals",
            f"median of {team_deals.won_count}",
            mine_cycle is not None
            and team_cycle is not None
            and mine_cycle > team_cycle * CYCLE_FACTOR,
            f"{whose} deals take {_fmt(mine_cycle, 'days')} to win (median) vs the team's "
            f"{_fmt(team_cycle, 'days')} ({my_deals.won_count} won deals vs "
            f"{team_deals.won_count}).",
            link_mine("deals", status="won"),
            link_team("deals", status="won"),
        )
    )
    team_avg_activity = round(team_activity / members, 1)
    comparisons.append(
        Comparison(
            "activity",
            "activity",
            "count",
            my_activity,
            team_avg_activity,
            f"{my_activity} calls, emails, meetings and tasks done",
            f"{team_activity} over {members} members",
            my_activity < team_avg_activity * LOW_FACTOR,
            f"{who} logged {my_activity} activities (calls, emails, meetings, tasks done) vs "
            f"{_fmt(team_avg_activity, 'count')} for the average team member ({team_activity} "
            f"over {members} members).",
            "",
            "",
        )
    )
    mine_size = float(my_deals.avg_won) if my_deals.avg_won is not None else None
    team_size = float(team_deals.avg_won) if team_deals.avg_won is not None else None
    comparisons.append(
        Comparison(
            "deal_size",
            "average deal size",
            "money",
            mine_size,
            team_size,
            f"{my_deals.won_amount:,.0f} over {my_deals.won_count} won deals",
            f"{team_deals.won_amount:,.0f} over {team_deals.won_count}",
            mine_size is not None and team_size is not None and mine_size < team_size * LOW_FACTOR,
            f"{whose} average won deal is {_fmt(mine_size, 'money')} vs the team's "
            f"{_fmt(team_size, 'money')} ({my_deals.won_amount:,.0f} over {my_deals.won_count} "
            f"deals vs {team_deals.won_amount:,.0f} over {team_deals.won_count}).",
            link_mine("deals", status="won"),
            link_team("deals", status="won"),
        )
    )
    return Diagnosis(
        rep=rep,
        team=team,
        filters=filters,
        below_target=below,
        target_sentence=target_sentence,
        quota=quota,
        won=won_figure,
        team_median=median,
        comparisons=comparisons,
    )


def may_diagnose(actor: User, rep: User) -> bool:
    if actor.pk == rep.pk or actor.is_admin:
        return True
    return actor.is_manager and subtree_user_ids(actor).filter(pk=rep.pk).exists()


__all__ = ["Comparison", "Diagnosis", "diagnose", "may_diagnose", "sees_team"]
