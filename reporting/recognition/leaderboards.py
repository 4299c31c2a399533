"""Leaderboards: one set-based query per board, ranked in SQL with RANK() OVER.

Every board ranks people (users who may own records) in one fiscal month or quarter
(company time zone), among those with at least `leaderboard_min_deals` deals won in it:

- revenue: sum(amount x rate) of their deals won in the period;
- attainment: that won revenue ÷ their quota for the period x 100 (a quarter's quota is its
  quarter row, else the sum of its month rows, as in forecasting); people without a
  positive quota are not ranked;
- activity: calls + emails + meetings logged (occurred_at) + tasks done (done_at) in the
  period, on live records;
- improvement: (won revenue in the period - their baseline) ÷ baseline x 100, the baseline
  being the average won revenue of the same stretch of their previous 4 periods of the same
  kind (for the current period: the same number of days from each previous period's start,
  so a quarter half gone is compared with the first halves of the last four); people
  without a baseline (nothing won then) are not ranked.

Ties share a rank (RANK: 1, 1, 3). Like the won-revenue leaderboard on My numbers, a board
is deliberately not narrowed by `visible()`: it shows each person's total and rank only;
who sees which board is the admins' setting (everyone, managers only, each team its own).
A row links to the records behind it only when the viewer may see that person's records.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Rank
from django.utils import timezone

from crm.errors import DomainError, NotFound, PermissionDenied
from crm.models import Activity, Task, Team, User
from crm.models.activities import ActivityKind
from crm.models.users import can_own_q
from crm.visibility import subtree_user_ids
from forecasting import periods
from forecasting.models import Quota, QuotaPeriodKind
from forecasting.periods import Period
from forecasting.selectors import current_period, fiscal_start_month
from pipeline.models import Deal, StageKind
from pipeline.selectors import company_amount
from reporting.kpis import ReportFilters, deals_url
from reporting.kpis.scope import ON_LIVE_RECORDS

from .models import Board, BoardAudience, ReportingSettings
from .settings import reporting_settings

BASELINE_PERIODS = 4
MONEY = DecimalField(max_digits=20, decimal_places=2)
ZERO = Decimal("0.00")

FORMULAS = {
    Board.REVENUE: "sum(amount x rate) of the deals won in the period",
    Board.ATTAINMENT: "won revenue in the period ÷ the person's quota for it x 100",
    Board.ACTIVITY: "calls + emails + meetings logged + tasks done in the period",
    Board.IMPROVEMENT: (
        "(won revenue in the period - the average won revenue of the same stretch of the "
        "previous 4 periods) ÷ that average x 100"
    ),
}
UNITS = {
    Board.REVENUE: "money",
    Board.ATTAINMENT: "percent",
    Board.ACTIVITY: "count",
    Board.IMPROVEMENT: "percent",
}


@dataclass(frozen=True)
class BoardRow:
    rank: int
    user_id: int
    name: str
    team: str
    value: Decimal | float | int
    deals: int
    won: Decimal
    detail: str  # the figures behind the value, in words
    url: str  # the records behind it, when the viewer may see them


@dataclass
class Leaderboard:
    board: str
    title: str
    formula: str
    unit: str
    period: Period
    min_deals: int
    audience: str
    scope: str  # "the company", or the team(s) ranked
    rows: list[BoardRow] = field(default_factory=list)

    def position(self, user_id: int) -> BoardRow | None:
        return next((row for row in self.rows if row.user_id == user_id), None)

    def chart(self) -> dict[str, Any]:
        top = self.rows[:20]
        return {
            "labels": [row.name for row in top],
            "values": [float(row.value) for row in top],
            "title": self.title,
        }


def board_period(key: str = "") -> Period:
    """A fiscal month or quarter by key (2026-03, FY2026-Q1); the current quarter by default."""
    if not key:
        return current_period(periods.QUARTER)
    found = periods.parse_period(key, fiscal_start_month())
    if found.kind == periods.YEAR:
        raise DomainError("Choose a month or a fiscal quarter.", field="period")
    return found


def period_filters(span: Period) -> ReportFilters:
    return ReportFilters(date_from=span.start, date_to=span.last_day)


def _bounds(start: date, end: date) -> Q:
    """Deals won with a close day in [start, end) of the company calendar."""
    span = Period(periods.MONTH, start, end, "", "")
    low, high = span.bounds()
    return Q(stage__kind=StageKind.WON, closed_at__gte=low, closed_at__lt=high)


def _won_sum(condition: Q) -> Subquery:
    return Subquery(
        Deal.objects.alive()
        .filter(condition, owner=OuterRef("pk"))
        .order_by()
        .values("owner")
        .annotate(total=Sum(company_amount(), output_field=MONEY))
        .values("total")[:1],
        output_field=MONEY,
    )


def _count(queryset: QuerySet[Any], condition: Q) -> Subquery:
    return Subquery(
        queryset.filter(condition, owner=OuterRef("pk"))
        .order_by()
        .values("owner")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def _quota(span: Period) -> Any:
    """The person's quota for `span`: the row of that kind and start; for a quarter without
    one, the sum of the month rows inside it (NULL when none)."""
    kind = QuotaPeriodKind.MONTH if span.kind == periods.MONTH else QuotaPeriodKind.QUARTER
    own = Subquery(
        Quota.objects.filter(user=OuterRef("pk"), period_kind=kind, period_start=span.start)
        .order_by()
        .values("amount")[:1],
        output_field=MONEY,
    )
    if span.kind == periods.MONTH:
        return own
    months = Subquery(
        Quota.objects.filter(
            user=OuterRef("pk"),
            period_kind=QuotaPeriodKind.MONTH,
            period_start__gte=span.start,
            period_start__lt=span.end,
        )
        .order_by()
        .values("user")
        .annotate(total=Sum("amount"))
        .values("total")[:1],
        output_field=MONEY,
    )
    return Coalesce(own, months)


def previous_windows(span: Period, today: date | None = None) -> list[tuple[date, date]]:
    """The same stretch of the previous BASELINE_PERIODS periods of the span's kind: whole
    periods for a period that is over, the first `elapsed` days of each for the current."""
    today = today or timezone.localdate()
    elapsed = (min(span.end, today + timedelta(days=1)) - span.start).days
    start_month = fiscal_start_month()
    windows = []
    cursor = span
    for _ in range(BASELINE_PERIODS):
        cursor = periods.period_of(cursor.start - timedelta(days=1), span.kind, start_month)
        end = (
            cursor.end
            if span.end <= today
            else min(cursor.end, cursor.start + timedelta(days=max(elapsed, 0)))
        )
        windows.append((cursor.start, end))
    return windows


def current_window(span: Period, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return span.start, min(span.end, today + timedelta(days=1))


def _population(restrict: list[str] | None, team: Team | None) -> QuerySet[User]:
    people = User.objects.filter(can_own_q())
    if restrict is not None:
        scope = Q(pk__in=[])
        for path in restrict:
            scope |= Q(team__path__startswith=path)
        people = people.filter(scope)
    if team is not None:
        people = people.filter(team__path__startswith=team.path)
    return people


def audience_paths(actor: User, board: str, settings: ReportingSettings) -> list[str] | None:
    """The team paths `actor` sees ranked on `board` (None: the whole company); raises
    PermissionDenied when the board is not theirs to see."""
    if board not in Board.values:
        raise NotFound("No such leaderboard.")
    if actor.is_admin:
        return None
    audience = settings.audience(board)
    if audience == BoardAudience.MANAGERS and not actor.is_manager:
        raise PermissionDenied("This leaderboard is for managers and admins.")
    if audience == BoardAudience.TEAM:
        if actor.is_manager:
            paths = list(Team.objects.filter(manager=actor).values_list("path", flat=True))
            if actor.team_id is not None:
                paths.append(actor.team.path)  # type: ignore[union-attr]
            return paths
        return [actor.team.path] if actor.team_id is not None else []  # type: ignore[union-attr]
    return None


def boards_for(actor: User, settings: ReportingSettings | None = None) -> list[str]:
    settings = settings or reporting_settings()
    shown = []
    for board in Board.values:
        try:
            audience_paths(actor, board, settings)
        except PermissionDenied:
            continue
        shown.append(board)
    return shown


def _linkable_owner_ids(actor: User) -> set[int] | None:
    """Whose records the viewer may open (None: everyone's)."""
    if actor.is_admin:
        return None
    ids = {actor.pk}
    if actor.is_manager:
        ids |= set(subtree_user_ids(actor).values_list("id", flat=True))
    return ids


def leaderboard(
    *,
    actor: User,
    board: str,
    span: Period | None = None,
    team: Team | None = None,
    today: date | None = None,
) -> Leaderboard:
    """One board, ranked in one query (plus one for the viewer's scope when a manager)."""
    settings = reporting_settings()
    restrict = audience_paths(actor, board, settings)
    if (
        team is not None
        and restrict is not None
        and not any(team.path.startswith(path) for path in restrict)
    ):
        raise NotFound("That team is not on your leaderboard.", field="team")
    span = span or board_period()
    today = today or timezone.localdate()
    start, end = (
        current_window(span, today) if board == Board.IMPROVEMENT else (span.start, span.end)
    )
    won_now = _bounds(span.start, span.end)
    people = _population(restrict, team).annotate(
        lb_won=Coalesce(_won_sum(won_now), Value(ZERO), output_field=MONEY),
        lb_deals=Coalesce(_count(Deal.objects.alive(), won_now), Value(0)),
    )
    people = people.filter(lb_deals__gte=settings.leaderboard_min_deals)
    if board == Board.REVENUE:
        people = people.annotate(score=F("lb_won"))
    elif board == Board.ATTAINMENT:
        people = people.annotate(lb_quota=_quota(span)).filter(lb_quota__gt=0)
        people = people.annotate(
            score=ExpressionWrapper(
                Cast(F("lb_won"), FloatField()) * 100.0 / Cast(F("lb_quota"), FloatField()),
                output_field=FloatField(),
            )
        )
    elif board == Board.ACTIVITY:
        low, high = Period(periods.MONTH, span.start, span.end, "", "").bounds()
        logged = Q(
            occurred_at__gte=low,
            occurred_at__lt=high,
            kind__in=[ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING],
        )
        done = Q(done_at__gte=low, done_at__lt=high)
        people = people.annotate(
            calls=Coalesce(
                _count(
                    Activity.objects.filter(ON_LIVE_RECORDS), logged & Q(kind=ActivityKind.CALL)
                ),
                Value(0),
            ),
            emails=Coalesce(
                _count(
                    Activity.objects.filter(ON_LIVE_RECORDS), logged & Q(kind=ActivityKind.EMAIL)
                ),
                Value(0),
            ),
            meetings=Coalesce(
                _count(
                    Activity.objects.filter(ON_LIVE_RECORDS), logged & Q(kind=ActivityKind.MEETING)
                ),
                Value(0),
            ),
            tasks_done=Coalesce(_count(Task.objects.filter(ON_LIVE_RECORDS), done), Value(0)),
        ).annotate(score=F("calls") + F("emails") + F("meetings") + F("tasks_done"))
    elif board == Board.IMPROVEMENT:
        windows = previous_windows(span, today)
        before = Q(pk__in=[])
        for w_start, w_end in windows:
            before |= _bounds(w_start, w_end)
        people = people.annotate(
            won_so_far=Coalesce(_won_sum(_bounds(start, end)), Value(ZERO), output_field=MONEY),
            baseline=ExpressionWrapper(
                Cast(Coalesce(_won_sum(before), Value(ZERO), output_field=MONEY), FloatField())
                / float(len(windows)),
                output_field=FloatField(),
            ),
        ).filter(baseline__gt=0)
        people = people.annotate(
            score=ExpressionWrapper(
                (Cast(F("won_so_far"), FloatField()) - F("baseline")) * 100.0 / F("baseline"),
                output_field=FloatField(),
            )
        )
    else:  # pragma: no cover - audience_paths refused it
        raise NotFound("No such leaderboard.")
    ranked = (
        people.annotate(rank=Window(Rank(), order_by=F("score").desc()))
        .select_related("team")
        .order_by("rank", "first_name", "last_name", "id")
    )
    linkable = _linkable_owner_ids(actor)
    filters = period_filters(span)
    rows = [_row(board, user, filters, linkable is None or user.pk in linkable) for user in ranked]
    scope = "the company"
    if team is not None:
        scope = team.name
    elif restrict is not None:
        scope = (
            ", ".join(
                Team.objects.filter(path__in=restrict)
                .order_by("path")
                .values_list("name", flat=True)
            )
            or "you alone"
        )
    return Leaderboard(
        board=board,
        title=Board(board).label,
        formula=FORMULAS[Board(board)],
        unit=UNITS[Board(board)],
        period=span,
        min_deals=settings.leaderboard_min_deals,
        audience=settings.audience(board),
        scope=scope,
        rows=rows,
    )


def _row(board: str, user: Any, filters: ReportFilters, linkable: bool) -> BoardRow:
    won = Decimal(user.lb_won).quantize(Decimal("0.01"))
    value: Decimal | float | int
    if board == Board.REVENUE:
        value = won
        detail = f"{user.lb_deals} deals won"
    elif board == Board.ATTAINMENT:
        value = round(float(user.score), 1)
        detail = f"{won:,.0f} won of a {Decimal(user.lb_quota):,.0f} quota"
    elif board == Board.ACTIVITY:
        value = int(user.score)
        detail = (
            f"{user.calls} calls, {user.emails} emails, {user.meetings} meetings, "
            f"{user.tasks_done} tasks done"
        )
    else:
        value = round(float(user.score), 1)
        detail = (
            f"{Decimal(user.won_so_far):,.0f} won so far vs {user.baseline:,.0f} on average "
            f"over the same days of the last {BASELINE_PERIODS} periods"
        )
    url = deals_url(filters, status="won", group_by="owner", key=user.pk) if linkable else ""
    return BoardRow(
        rank=int(user.rank),
        user_id=user.pk,
        name=user.full_name or user.email,
        team=user.team.name if user.team_id else "",
        value=value,
        deals=int(user.lb_deals),
        won=won,
        detail=detail,
        url=url,
    )


__all__ = [
    "BASELINE_PERIODS",
    "BoardRow",
    "Leaderboard",
    "board_period",
    "boards_for",
    "leaderboard",
    "previous_windows",
]
