"""The forecast of a scope for a period: closed won, commit, best case, pipeline and omitted
(amounts and counts, company currency), against quota, per rep and per team rolled up the
team tree. Set-based: one GROUP BY over the deals, one query for quotas, one for teams and
one for people, whatever the number of deals.

Definitions (docs/features-forecasting.md):
- closed won: won deals whose closed_at falls in the period (company time zone);
- commit / best case / pipeline / omitted: open deals whose expected close date falls in the
  period, by forecast category (an open deal marked "closed" counts as commit);
- open pipeline = commit + best case + pipeline;
- attainment % = closed won / quota x 100; gap = quota - closed won;
- coverage = open pipeline / (quota - closed won), none when the quota is met or unset.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from crm.models import Team, User
from crm.visibility import visible
from forecasting import periods
from forecasting.models import ForecastAdjustment
from forecasting.periods import Period
from forecasting.scopes import Scope, resolve_scope
from forecasting.selectors import ZERO, fiscal_start_month, quota_rows, resolve_quota
from pipeline.models import Deal
from pipeline.selectors import forecast_bucket_q
from pipeline.selectors.money import company_amount

MONEY = DecimalField(max_digits=20, decimal_places=2)
BUCKETS = ("won", "commit", "best_case", "pipeline", "omitted")
ADJUSTABLE = ("commit", "best_case")
BUCKET_LABELS = {
    "won": "Closed won",
    "commit": "Commit",
    "best_case": "Best case",
    "pipeline": "Pipeline",
    "omitted": "Omitted",
}


@dataclass
class Figures:
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    # open deals of the period (commit, best case, pipeline) x their probability
    weighted: Decimal = ZERO

    def add(self, other: "Figures") -> None:
        self.weighted += other.weighted
        for bucket in BUCKETS:
            self.amounts[bucket] += other.amounts[bucket]
            self.counts[bucket] += other.counts[bucket]

    @property
    def open_amount(self) -> Decimal:
        return self.amounts["commit"] + self.amounts["best_case"] + self.amounts["pipeline"]

    @property
    def open_count(self) -> int:
        return self.counts["commit"] + self.counts["best_case"] + self.counts["pipeline"]


@dataclass
class Line:
    """One row of the forecast: a rep, a team (rolled up through its subtree) or the total."""

    scope: Scope
    label: str
    figures: Figures
    quota: Decimal | None
    depth: int = 0
    links: dict[str, str] = field(default_factory=dict)
    # commit and best case after managers' adjustments (equal to the deals' figures when
    # nobody adjusted anything in or under this line)
    adjusted: dict[str, Decimal] = field(default_factory=dict)
    adjustments: dict[str, ForecastAdjustment] = field(default_factory=dict)  # on this line
    adjustable_by_me: bool = False

    @property
    def open_adjusted(self) -> Decimal:
        f = self.figures
        commit = self.adjusted.get("commit", f.amounts["commit"])
        best = self.adjusted.get("best_case", f.amounts["best_case"])
        return commit + best + f.amounts["pipeline"]

    @property
    def cells(self) -> list[dict[str, Any]]:
        """Per bucket: key, label, amount, count and the deal list link (for templates)."""
        return [
            {
                "bucket": bucket,
                "label": BUCKET_LABELS[bucket],
                "amount": self.figures.amounts[bucket],
                "count": self.figures.counts[bucket],
                "link": self.links.get(bucket, ""),
                "adjusted": self.adjusted.get(bucket),
                "is_adjusted": bucket in self.adjusted
                and self.adjusted[bucket] != self.figures.amounts[bucket],
                "adjustment": self.adjustments.get(bucket),
            }
            for bucket in BUCKETS
        ]

    @property
    def closed_won(self) -> Decimal:
        return self.figures.amounts["won"]

    def sources(self) -> dict[str, Decimal]:
        """What each source says the period will close at: closed won plus the reps' commit
        (the deals' commit), plus the manager's commit (after adjustments), plus the open
        deals weighted by their probability."""
        won = self.closed_won
        return {
            "rep_commit": won + self.figures.amounts["commit"],
            "manager": won + self.adjusted.get("commit", self.figures.amounts["commit"]),
            "weighted_pipeline": (won + self.figures.weighted).quantize(Decimal("0.01")),
        }

    @property
    def attainment(self) -> Decimal | None:
        if not self.quota:
            return None
        return (self.closed_won * 100 / self.quota).quantize(Decimal("0.1"))

    @property
    def gap(self) -> Decimal | None:
        return None if self.quota is None else self.quota - self.closed_won

    @property
    def remaining(self) -> Decimal | None:
        gap = self.gap
        return None if gap is None else max(gap, ZERO)

    @property
    def coverage(self) -> Decimal | None:
        remaining = self.remaining
        if not remaining:
            return None
        return (self.open_adjusted / remaining).quantize(Decimal("0.01"))

    def as_dict(self) -> dict[str, Any]:
        f = self.figures
        return {
            "scope": self.scope.key,
            "name": self.label,
            **{
                bucket: {
                    "amount": str(f.amounts[bucket]),
                    "count": f.counts[bucket],
                    "deals": self.links.get(bucket, ""),
                }
                for bucket in BUCKETS
            },
            "open_pipeline": {
                "amount": str(f.open_amount),
                "count": f.open_count,
                "deals": self.links.get("open", ""),
            },
            "adjusted": {
                bucket: {
                    "amount": str(self.adjusted.get(bucket, f.amounts[bucket])),
                    "original": str(f.amounts[bucket]),
                    "adjustment": self.adjustments[bucket].pk
                    if bucket in self.adjustments
                    else None,
                    "note": self.adjustments[bucket].note if bucket in self.adjustments else "",
                }
                for bucket in ADJUSTABLE
            },
            "open_pipeline_adjusted": str(self.open_adjusted),
            "weighted_pipeline": str(self.figures.weighted.quantize(Decimal("0.01"))),
            "forecasts": {name: str(value) for name, value in self.sources().items()},
            "quota": None if self.quota is None else str(self.quota),
            "attainment_percent": None if self.attainment is None else str(self.attainment),
            "gap_to_quota": None if self.gap is None else str(self.gap),
            "coverage": None if self.coverage is None else str(self.coverage),
        }


@dataclass
class Forecast:
    scope: Scope
    period: Period
    total: Line
    teams: list[Line]
    reps: list[Line]
    statistical: Any = None  # forecasting.statistical.period.PeriodEstimate, when asked for


def _figures(rows: list[dict[str, Any]], key: str) -> dict[Any, Figures]:
    found: dict[Any, Figures] = {}
    for row in rows:
        figures = found.setdefault(row[key], Figures())
        for bucket in BUCKETS:
            figures.amounts[bucket] += Decimal(row[f"{bucket}_amount"] or 0).quantize(
                Decimal("0.01")
            )
            figures.counts[bucket] += row[f"{bucket}_count"]
        figures.weighted += Decimal(row["weighted"] or 0)
    return found


def deals_link(scope: Scope, span: Period, bucket: str) -> str:
    params: dict[str, Any] = {
        "forecast": bucket,
        "close_from": span.start.isoformat(),
        "close_to": span.last_day.isoformat(),
    }
    if scope.team is not None:
        params["team"] = scope.team.pk
    elif scope.user is not None:
        params["owner"] = scope.user.pk
    return "/deals/?" + urlencode(params)


def forecast_deals(actor: User, scope: Scope) -> Any:
    """The deals of a scope `actor` may see (live ones)."""
    return visible(actor, Deal.objects.alive()).filter(scope.owner_q())


def forecast(actor: User, scope: Scope | str, span: Period) -> Forecast:
    """The forecast of `scope` for `span`; a scope `actor` can't see raises NotFound."""
    found = scope if isinstance(scope, Scope) else resolve_scope(actor, scope)
    start, end = span.bounds()
    in_period = (forecast_bucket_q("won") & Q(closed_at__gte=start, closed_at__lt=end)) | (
        Q(expected_close_date__gte=span.start, expected_close_date__lt=span.end)
        & ~forecast_bucket_q("won")
    )
    deals = visible(actor, Deal.objects.alive()).filter(found.owner_q(), in_period)
    amount = company_amount()
    aggregates: dict[str, Any] = {}
    for bucket in BUCKETS:
        q = forecast_bucket_q(bucket)
        aggregates[f"{bucket}_amount"] = Coalesce(
            Sum(amount, filter=q, output_field=MONEY), Value(ZERO)
        )
        aggregates[f"{bucket}_count"] = Count("pk", filter=q)
    aggregates["weighted"] = Coalesce(
        Sum(
            amount * F("probability") / Value(100),
            filter=forecast_bucket_q("open"),
            output_field=MONEY,
        ),
        Value(ZERO),
    )
    rows: list[dict[str, Any]] = list(
        deals.values("owner_id", "owner__team_id").annotate(**aggregates).order_by()  # type: ignore[arg-type]
    )
    by_owner = _figures(rows, "owner_id")
    by_team = _figures(rows, "owner__team_id")

    # The teams of the scope, in tree order; each team's figures include its subtree.
    all_teams = {t.pk: t for t in Team.objects.order_by("path")}
    if found.team is not None:
        teams = [t for t in all_teams.values() if t.path.startswith(found.team.path)]
    elif found.user is not None:
        teams = []
    else:
        teams = list(all_teams.values())
    rolled: dict[int, Figures] = {}
    for team in teams:  # teams are few; deals were summed in SQL
        figures = Figures()
        for other in teams:
            if other.path.startswith(team.path) and other.pk in by_team:
                figures.add(by_team[other.pk])
        rolled[team.pk] = figures

    owner_ids = set(by_owner)
    members = found.members().values_list("pk", flat=True)
    people = {
        u.pk: u
        for u in User.objects.filter(Q(pk__in=owner_ids) | Q(pk__in=members)).select_related("team")
    }
    start_month = fiscal_start_month()
    quota_targets = Q(user_id__in=list(people)) | Q(team_id__in=[t.pk for t in teams])
    if found.kind == "company":
        quota_targets |= Q(user__isnull=True, team__isnull=True)
    quotas = quota_rows(quota_targets, span)

    def quota_of(key: str) -> Decimal | None:
        return resolve_quota(quotas.get(key, []), span, start_month)

    adjustments = {
        (a.scope_key, a.category): a
        for a in ForecastAdjustment.objects.filter(
            Q(user_id__in=list(people)) | Q(team_id__in=[t.pk for t in teams]),
            period_kind=span.kind,
            period_start=span.start,
        ).select_related("adjusted_by")
    }

    def adjusted_user(pk: int, bucket: str) -> Decimal:
        own = adjustments.get((f"user:{pk}", bucket))
        return own.amount if own else by_owner.get(pk, Figures()).amounts[bucket]

    memo: dict[tuple[int, str], Decimal] = {}

    def adjusted_team(team: Team, bucket: str) -> Decimal:
        """The team's adjustment, else its direct members' and child teams' (each adjusted)."""
        if (team.pk, bucket) not in memo:
            own = adjustments.get((f"team:{team.pk}", bucket))
            if own:
                memo[team.pk, bucket] = own.amount
            else:
                total = sum(
                    (adjusted_user(pk, bucket) for pk, u in people.items() if u.team_id == team.pk),
                    ZERO,
                )
                total += sum(
                    (adjusted_team(child, bucket) for child in teams if child.parent_id == team.pk),
                    ZERO,
                )
                memo[team.pk, bucket] = total
        return memo[team.pk, bucket]

    def adjusted_of(scope: Scope) -> dict[str, Decimal]:
        if scope.user is not None:
            return {b: adjusted_user(scope.user.pk, b) for b in ADJUSTABLE}
        if scope.team is not None:
            return {b: adjusted_team(scope.team, b) for b in ADJUSTABLE}
        tops = [t for t in teams if t.parent_id is None]
        loose = [pk for pk, u in people.items() if u.team_id is None]
        return {
            b: sum((adjusted_team(t, b) for t in tops), ZERO)
            + sum((adjusted_user(pk, b) for pk in loose), ZERO)
            for b in ADJUSTABLE
        }

    def line(scope: Scope, label: str, figures: Figures, depth: int = 0) -> Line:
        links = {bucket: deals_link(scope, span, bucket) for bucket in (*BUCKETS, "open")}
        own = {b: adjustments[scope.key, b] for b in ADJUSTABLE if (scope.key, b) in adjustments}
        above = manager_above(scope, all_teams)
        return Line(
            scope,
            label,
            figures,
            quota_of(scope.key),
            depth,
            links,
            adjusted_of(scope),
            own,
            above is not None and above == actor.pk,
        )

    base_depth = found.team.depth if found.team is not None else 0
    team_lines = [
        line(Scope("team", team=t), t.name, rolled[t.pk], t.depth - base_depth) for t in teams
    ]
    rep_lines = sorted(
        (
            line(Scope("user", user=u), u.full_name, by_owner.get(u.pk, Figures()))
            for u in people.values()
        ),
        key=lambda ln: (-ln.closed_won, ln.label),
    )
    total_figures = Figures()
    for figures in by_owner.values():
        total_figures.add(figures)
    total = line(found, found.label, total_figures)
    return Forecast(found, span, total, team_lines, rep_lines)


def manager_above(scope: Scope, teams: dict[int, Team]) -> int | None:
    """Who may adjust a scope's forecast: for a rep, the manager of their team (or, when the
    rep manages it or it has none, of the nearest team above with a manager); for a team, the
    manager of the nearest team above it with one. The company: nobody."""
    if scope.user is not None:
        team = teams.get(scope.user.team_id) if scope.user.team_id else None
        skip = scope.user.pk
    elif scope.team is not None:
        team = teams.get(scope.team.parent_id) if scope.team.parent_id else None
        skip = None
    else:
        return None
    while team is not None:
        if team.manager_id and team.manager_id != skip:
            return team.manager_id
        team = teams.get(team.parent_id) if team.parent_id else None
    return None


def period_choices(start_month: int, around: Period) -> list[Period]:
    """The periods offered in the picker: this fiscal year's quarters and months and the
    years around it."""
    year = (
        int(around.key[2:6])
        if around.key.startswith("FY")
        else periods.fiscal_year_of(around.start, start_month)
    )
    choices: list[Period] = []
    for y in (year - 1, year, year + 1):
        choices.append(periods.year_period(y, start_month))
        choices.extend(periods.quarters_of(y, start_month))
    choices.extend(periods.months_of(periods.year_period(year, start_month)))
    return choices
