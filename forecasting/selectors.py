"""Reads for forecasting: the fiscal calendar, quotas and attainment.

Public interface used by other apps (reporting):
- ``fiscal_start_month()``, ``period(key)``, ``current_period(kind)``;
- ``quota_for(actor, scope, period)`` → Decimal or None;
- ``attainment(actor, scope, period)`` → ``Attainment`` (quota, closed won, %, gap);
- ``visible_quotas(actor)``.

Scopes are ``forecasting.scopes.Scope`` objects or their keys (``company``, ``team:<id>``,
``user:<id>``); a scope the actor can't see raises ``crm.errors.NotFound``.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from crm.models import User
from crm.models.users import can_own_q
from crm.visibility import subtree_team_ids, visible
from forecasting import periods
from forecasting.models import ForecastSettings, Quota, QuotaPeriodKind
from forecasting.periods import Period
from forecasting.scopes import Scope, resolve_scope
from pipeline.models import Deal, StageKind
from pipeline.selectors.money import company_amount

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=20, decimal_places=2)


FISCAL_CACHE_KEY = "forecasting:fiscal_start_month"


def fiscal_start_month() -> int:
    """The fiscal year start month (1 = January); kept in the cache, cleared on change."""
    cached = cache.get(FISCAL_CACHE_KEY)
    if isinstance(cached, int):
        return cached
    row = ForecastSettings.objects.filter(pk=1).values_list("fiscal_year_start_month", flat=True)
    month = next(iter(row), 1)
    cache.set(FISCAL_CACHE_KEY, month, 3600)
    return month


def forecast_settings() -> ForecastSettings:
    return ForecastSettings.objects.filter(pk=1).first() or ForecastSettings(pk=1)


def period(key: str, *, start_month: int | None = None, field: str = "period") -> Period:
    return periods.parse_period(key, start_month or fiscal_start_month(), field=field)


def current_period(kind: str = periods.QUARTER, *, start_month: int | None = None) -> Period:
    return periods.current(kind, start_month or fiscal_start_month())


def _scope(actor: User, scope: Scope | str) -> Scope:
    return scope if isinstance(scope, Scope) else resolve_scope(actor, scope)


# Quotas


def visible_quotas(actor: User) -> QuerySet[Quota, Any]:
    """Admins: every quota. Managers: their own, their subtree's people and teams. Reps: their
    own. Company quotas: admins only."""
    quotas = Quota.objects.select_related("user", "team")
    if actor.is_admin:
        return quotas
    people = visible(actor, quotas.filter(user__isnull=False))
    if not actor.is_manager:
        return people
    return people | quotas.filter(team__in=subtree_team_ids(actor))


def _target_key(user_id: int | None, team_id: int | None) -> str:
    if user_id:
        return f"user:{user_id}"
    if team_id:
        return f"team:{team_id}"
    return "company"


def quota_rows(targets: Q, span: Period) -> dict[str, list[tuple[str, Any, Decimal]]]:
    """Quota rows (kind, start, amount) per target key that fall inside `span` (one query)."""
    rows = Quota.objects.filter(
        targets, period_start__gte=span.start, period_end__lte=span.end
    ).values_list("user_id", "team_id", "period_kind", "period_start", "amount")
    found: dict[str, list[tuple[str, Any, Decimal]]] = defaultdict(list)
    for user_id, team_id, kind, start, amount in rows:
        found[_target_key(user_id, team_id)].append((kind, start, amount))
    return found


def resolve_quota(
    rows: Iterable[tuple[str, Any, Decimal]], span: Period, start_month: int
) -> Decimal | None:
    """A period's quota from one target's quota rows:
    - a month: its month quota;
    - a quarter: its quarter quota, else the sum of the month quotas set inside it;
    - a year: the sum of its quarters, each resolved as above.
    None when nothing is set."""
    rows = list(rows)
    if span.kind == periods.MONTH:
        values = [
            a for kind, start, a in rows if kind == QuotaPeriodKind.MONTH and start == span.start
        ]
        return values[0] if values else None
    if span.kind == periods.QUARTER:
        quarter = [
            a for kind, start, a in rows if kind == QuotaPeriodKind.QUARTER and start == span.start
        ]
        if quarter:
            return quarter[0]
        months = [
            a
            for kind, start, a in rows
            if kind == QuotaPeriodKind.MONTH and span.start <= start < span.end
        ]
        return sum(months, ZERO) if months else None
    resolved = [
        resolve_quota(rows, q, start_month)
        for q in periods.quarters_of(int(span.key[2:6]), start_month)
    ]
    known = [value for value in resolved if value is not None]
    return sum(known, ZERO) if known else None


def target_q(scope: Scope) -> Q:
    if scope.user is not None:
        return Q(user_id=scope.user.pk)
    if scope.team is not None:
        return Q(team_id=scope.team.pk)
    return Q(user__isnull=True, team__isnull=True)


def quota_for(actor: User, scope: Scope | str, span: Period) -> Decimal | None:
    """The quota of `scope` for `span` (see `resolve_quota`), None when none is set."""
    found = _scope(actor, scope)
    start_month = fiscal_start_month()
    rows = quota_rows(target_q(found), span)
    return resolve_quota(rows.get(found.key, []), span, start_month)


# Attainment


def won_q(span: Period) -> Q:
    """Deals won inside the period (closed_at in the period, company time zone)."""
    start, end = span.bounds()
    return Q(stage__kind=StageKind.WON, closed_at__gte=start, closed_at__lt=end)


def scope_deals(actor: User, scope: Scope) -> QuerySet[Deal, Any]:
    return visible(actor, Deal.objects.alive()).filter(scope.owner_q())


def closed_won(actor: User, scope: Scope | str, span: Period) -> Decimal:
    found = _scope(actor, scope)
    total = (
        scope_deals(actor, found)
        .filter(won_q(span))
        .aggregate(total=Coalesce(Sum(company_amount(), output_field=MONEY), Value(ZERO)))
    )["total"]
    return Decimal(total).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Attainment:
    scope: Scope
    period: Period
    quota: Decimal | None
    closed_won: Decimal

    @property
    def percent(self) -> Decimal | None:
        """Closed won ÷ quota x 100 (one decimal); None without a positive quota."""
        if not self.quota:
            return None
        return (self.closed_won * 100 / self.quota).quantize(Decimal("0.1"))

    @property
    def gap(self) -> Decimal | None:
        """Quota - closed won (negative when over quota); None without a quota."""
        if self.quota is None:
            return None
        return self.quota - self.closed_won


def attainment(actor: User, scope: Scope | str, span: Period) -> Attainment:
    found = _scope(actor, scope)
    return Attainment(found, span, quota_for(actor, found, span), closed_won(actor, found, span))


# The quota grid (admin page)


@dataclass
class GridRow:
    target: str  # "user:<id>", "team:<id>", "company"
    label: str
    depth: int
    kind: str  # "user", "team", "company"
    cells: list[Decimal | None]
    allocated: list[Decimal | None]  # teams and company: what their members add up to

    def allocation_notes(self) -> list[tuple[Decimal | None, Decimal | None, Decimal | None]]:
        """(own quota, allocated, own - allocated) per column."""
        notes = []
        for own, given in zip(self.cells, self.allocated, strict=True):
            delta = None if own is None or given is None else own - given
            notes.append((own, given, delta))
        return notes


@dataclass
class QuotaGrid:
    year: Period
    columns: list[Period]
    rows: list[GridRow]


def quota_grid(*, fiscal_year: Period, by: str) -> QuotaGrid:
    """Every active non-admin person, every team (tree order) and the company, against the
    months or quarters of `fiscal_year`. Two queries for people and teams, one for quotas.
    A team's "allocated" figure is the sum of its direct members' quotas and its child
    teams' quotas; the company's is the sum of the top teams' and teamless people's."""
    from crm.models import Role, Team

    start_month = fiscal_start_month()
    columns = (
        periods.months_of(fiscal_year)
        if by == periods.MONTH
        else periods.quarters_of(int(fiscal_year.key[2:6]), start_month)
    )
    teams = list(Team.objects.order_by("path"))
    people = list(
        User.objects.filter(can_own_q())
        .exclude(role=Role.ADMIN)
        .select_related("team")
        .order_by("team__path", "first_name", "last_name", "id")
    )
    found = quota_rows(Q(), fiscal_year)

    def values(key: str) -> list[Decimal | None]:
        return [resolve_quota(found.get(key, []), column, start_month) for column in columns]

    def add(total: list[Decimal | None], part: list[Decimal | None]) -> list[Decimal | None]:
        return [
            a if b is None else (b if a is None else a + b)
            for a, b in zip(total, part, strict=True)
        ]

    own = {f"user:{p.pk}": values(f"user:{p.pk}") for p in people}
    own.update({f"team:{t.pk}": values(f"team:{t.pk}") for t in teams})
    own["company"] = values("company")
    empty: list[Decimal | None] = [None] * len(columns)
    allocated: dict[str, list[Decimal | None]] = {}
    for team in teams:
        total = empty
        for person in people:
            if person.team_id == team.pk:
                total = add(total, own[f"user:{person.pk}"])
        for child in teams:
            if child.parent_id == team.pk:
                total = add(total, own[f"team:{child.pk}"])
        allocated[f"team:{team.pk}"] = total
    company_total = empty
    for team in teams:
        if team.parent_id is None:
            company_total = add(company_total, own[f"team:{team.pk}"])
    for person in people:
        if person.team_id is None:
            company_total = add(company_total, own[f"user:{person.pk}"])
    rows = [GridRow("company", "Company", 0, "company", own["company"], company_total)]
    for team in teams:
        key = f"team:{team.pk}"
        rows.append(GridRow(key, team.name, team.depth, "team", own[key], allocated[key]))
        for person in people:
            if person.team_id == team.pk:
                key = f"user:{person.pk}"
                rows.append(GridRow(key, person.full_name, team.depth + 1, "user", own[key], empty))
    for person in people:
        if person.team_id is None:
            key = f"user:{person.pk}"
            rows.append(GridRow(key, f"{person.full_name} (no team)", 0, "user", own[key], empty))
    return QuotaGrid(fiscal_year, columns, rows)


# My day


def my_quota(*, actor: User, person: User, team_view: bool = False) -> list[Attainment]:
    """Quota and attainment for My day: the current fiscal month and quarter of `person`
    (a manager's team view: of the first team they manage). At most three queries whatever
    the data: the team, the quotas and the won amounts. `person` is the actor or someone
    from the actor's My day choices, so the owner filter alone is the visibility rule here
    (a deal shared with the actor but owned by someone else is no part of anyone's quota)."""
    from crm.models import Team

    start_month = fiscal_start_month()
    today = periods.company_day()
    month = periods.period_of(today, periods.MONTH, start_month)
    quarter = periods.period_of(today, periods.QUARTER, start_month)
    scope = Scope("user", user=person)
    if team_view and actor.is_manager:
        team = Team.objects.filter(manager=actor).order_by("path").first()
        if team is not None:
            scope = Scope("team", team=team)
    rows = quota_rows(target_q(scope), quarter).get(scope.key, [])
    month_start, month_end = month.bounds()
    totals = (
        Deal.objects.alive()
        .filter(scope.owner_q(), won_q(quarter))
        .aggregate(
            quarter=Coalesce(Sum(company_amount(), output_field=MONEY), Value(ZERO)),
            month=Coalesce(
                Sum(
                    company_amount(),
                    filter=Q(closed_at__gte=month_start, closed_at__lt=month_end),
                    output_field=MONEY,
                ),
                Value(ZERO),
            ),
        )
    )
    return [
        Attainment(scope, month, resolve_quota(rows, month, start_month), _cents(totals["month"])),
        Attainment(
            scope, quarter, resolve_quota(rows, quarter, start_month), _cents(totals["quarter"])
        ),
    ]


def _cents(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def visible_adjustments(actor: User) -> QuerySet[Any, Any]:
    """Adjustments on scopes `actor` may see: admins all; managers their subtree's people and
    teams and their own; reps their own."""
    from forecasting.models import ForecastAdjustment

    rows = ForecastAdjustment.objects.select_related("user", "team", "adjusted_by")
    if actor.is_admin:
        return rows
    people = visible(actor, rows.filter(user__isnull=False))
    if not actor.is_manager:
        return people
    return people | rows.filter(team__in=subtree_team_ids(actor))
