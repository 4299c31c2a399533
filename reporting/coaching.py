"""Coaching: a short list of next actions for one rep, drawn from their data, in plain words
with the figures behind them. Each item is one set-based count (and a link to the records),
so the list costs the same whatever the rep's book holds.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from crm.models import Task, User
from crm.visibility import visible
from leads.models import OPEN_STATUSES, SCORE_BANDS, Lead
from pipeline.models import StageKind
from reporting.kpis import ReportFilters, deal_stats
from reporting.kpis.deals import stuck_deals
from reporting.kpis.scope import ON_LIVE_RECORDS, scoped_deals

UNTOUCHED_DAYS = 7
WIN_RATE_GAP = 0.10  # ten points under the team's win rate


@dataclass(frozen=True)
class Suggestion:
    text: str
    count: int
    url: str


def coaching_for(*, actor: User, rep: User, filters: ReportFilters) -> list[Suggestion]:
    """Next actions for `rep`, as `actor` may see them (a manager for their subtree, a rep
    for themselves); empty when there is nothing to do."""
    now = timezone.now()
    today = timezone.localdate()
    suggestions: list[Suggestion] = []
    low, _high = SCORE_BANDS["A"]
    quiet = now - timedelta(days=UNTOUCHED_DAYS)
    leads = visible(actor, Lead.objects.alive()).filter(owner=rep, status__in=OPEN_STATUSES)
    figures = leads.aggregate(
        hot_untouched=Count(
            "pk",
            filter=Q(score__gte=low)
            & (Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=quiet)),
        )
    )
    if figures["hot_untouched"]:
        suggestions.append(
            Suggestion(
                f"{figures['hot_untouched']} A-scored open leads without activity for "
                f"{UNTOUCHED_DAYS} days: call them first.",
                figures["hot_untouched"],
                reverse("leads:list") + f"?owner={rep.pk}&score_band=A&sort=-score",
            )
        )
    mine = ReportFilters(date_from=filters.date_from, date_to=filters.date_to, owner=rep.pk)
    open_deals = scoped_deals(actor, mine).filter(
        closed_at__isnull=True, stage__kind=StageKind.OPEN
    )
    overdue = open_deals.filter(expected_close_date__lt=today).count()
    if overdue:
        suggestions.append(
            Suggestion(
                f"{overdue} open deals are past their expected close date: close them or move "
                "the date.",
                overdue,
                reverse("pipeline:deal_list")
                + f"?owner={rep.pk}&status=open&close_to={(today - timedelta(days=1)).isoformat()}",
            )
        )
    rotting = len(stuck_deals(actor=actor, filters=mine, limit=50))
    if rotting:
        suggestions.append(
            Suggestion(
                f"{rotting} deals idle in their stage past its rotting days: plan a next step.",
                rotting,
                reverse("pipeline:board") + f"?owner={rep.pk}",
            )
        )
    late_tasks = (
        visible(actor, Task.objects.filter(ON_LIVE_RECORDS))
        .filter(owner=rep, done_at__isnull=True, due_at__lt=now)
        .count()
    )
    if late_tasks:
        suggestions.append(
            Suggestion(
                f"{late_tasks} overdue tasks.", late_tasks, reverse("crm:my_day") + f"?rep={rep.pk}"
            )
        )
    team_filters = ReportFilters(
        date_from=filters.date_from, date_to=filters.date_to, team=rep.team
    )
    own, team = deal_stats(actor=actor, filters=mine), deal_stats(actor=actor, filters=team_filters)
    if (
        own.win_rate is not None
        and team.win_rate is not None
        and rep.team is not None
        and own.win_rate < team.win_rate - WIN_RATE_GAP
    ):
        suggestions.append(
            Suggestion(
                f"Win rate {own.win_rate * 100:.0f} % against {team.win_rate * 100:.0f} % for "
                f"{rep.team.name}: review the deals lost in the period.",
                own.lost_count,
                reverse("pipeline:deal_list")
                + f"?owner={rep.pk}&status=lost&closed_from={filters.date_from.isoformat()}"
                f"&closed_to={filters.date_to.isoformat()}",
            )
        )
    return suggestions
