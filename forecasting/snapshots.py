"""Weekly forecast snapshots and the "forecast changes" between a snapshot and now.

A snapshot slot is (period, week): `week` is the Monday of the company-time-zone week. Taking
a slot (`snapshot_take`) is set-based SQL in one transaction per period:
1. claim the slot: INSERT the company row … ON CONFLICT DO NOTHING RETURNING id; a second beat
   or a retried task finds the slot taken (it waits on the unique index until the first
   commits) and stops there;
2. INSERT … SELECT one `SnapshotDeal` row per deal of the period (won in it, or open with an
   expected close date in it), amount in the company currency rounded to the cent;
3. sum those rows into the company row and INSERT … SELECT one row per person and per team
   (each team with its subtree, by team path) … ON CONFLICT DO NOTHING.

`changes()` compares a scope's deal rows of a snapshot with the same rows computed now and
explains every cent of the difference deal by deal.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, DecimalField, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from crm.models import Role, Team, User
from crm.visibility import visible
from forecasting import periods
from forecasting.models import ForecastAdjustment, ForecastSnapshot, SnapshotDeal
from forecasting.periods import Period
from forecasting.scopes import Scope, resolve_scope
from forecasting.selectors import fiscal_start_month
from pipeline.models import Deal
from pipeline.selectors import forecast_bucket_q
from pipeline.selectors.money import company_amount

BUCKETS = ("won", "commit", "best_case", "pipeline", "omitted")
CENTS = DecimalField(max_digits=18, decimal_places=2)
ZERO = Decimal("0.00")


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def snapshot_periods(today: date | None = None) -> list[Period]:
    """What a weekly run snapshots: the current fiscal month and quarter."""
    start_month = fiscal_start_month()
    today = today or periods.company_day()
    return [
        periods.period_of(today, periods.MONTH, start_month),
        periods.period_of(today, periods.QUARTER, start_month),
    ]


def deal_rows(span: Period, deals: QuerySet[Deal, Any] | None = None) -> QuerySet[Any, Any]:
    """The deals of a period as snapshot rows (deal, owner, team path, bucket, amount in
    company currency to the cent, expected close date): the same SELECT the snapshot
    inserts and the changes view compares with."""
    start, end = span.bounds()
    in_period = (forecast_bucket_q("won") & Q(closed_at__gte=start, closed_at__lt=end)) | (
        Q(expected_close_date__gte=span.start, expected_close_date__lt=span.end)
        & (
            forecast_bucket_q("commit")
            | forecast_bucket_q("best_case")
            | forecast_bucket_q("pipeline")
            | forecast_bucket_q("omitted")
        )
    )
    bucket = Case(
        *[When(forecast_bucket_q(b), then=Value(b)) for b in BUCKETS],
        default=Value("omitted"),
        output_field=CharField(),
    )
    base = deals if deals is not None else Deal.objects.alive()
    return (
        base.filter(in_period)
        .annotate(
            s_deal=F("id"),
            s_owner=F("owner_id"),
            s_path=Coalesce(F("owner__team__path"), Value("")),
            s_bucket=bucket,
            s_amount=Cast(company_amount(), output_field=CENTS),
            s_close=F("expected_close_date"),
            s_probability=F("probability"),
        )
        .values("s_deal", "s_owner", "s_path", "s_bucket", "s_amount", "s_close", "s_probability")
        .order_by()
    )


_SUMS = ", ".join(
    [f"COALESCE(SUM(r.amount) FILTER (WHERE r.bucket = '{b}'), 0)" for b in BUCKETS]
    + [
        "COALESCE(SUM(r.amount * COALESCE(r.probability, 0) / 100.0)"
        " FILTER (WHERE r.bucket IN ('commit', 'best_case', 'pipeline')), 0)"
    ]
)
_FIGURES = "won, commit, best_case, pipeline, omitted, weighted"


def _take_period(span: Period, week: date) -> int:
    """One slot in one transaction; returns how many scope snapshots it wrote (0: taken).
    The time taken is the clock's, not the transaction's start (`now()` in SQL), so a deal
    created earlier in the same transaction is older than the snapshot."""
    taken_at = timezone.now()
    snap = ForecastSnapshot._meta.db_table
    rows = SnapshotDeal._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {snap} (scope, period_key, period_start, period_end, week, taken_at,"  # noqa: S608
            f" {_FIGURES}, deal_count)"
            " VALUES ('company', %s, %s, %s, %s, %s, 0, 0, 0, 0, 0, 0, 0)"
            " ON CONFLICT (scope, period_key, week) DO NOTHING RETURNING id",
            [span.key, span.start, span.end, week, taken_at],
        )
        claimed = cursor.fetchone()
        if claimed is None:
            return 0
        select_sql, params = deal_rows(span).query.sql_with_params()
        cursor.execute(
            f"INSERT INTO {rows} (period_key, week, deal_id, owner_id, team_path, bucket,"  # noqa: S608
            " amount, expected_close_date, probability)"
            f" SELECT %s, %s, q.* FROM ({select_sql}) q"
            " ON CONFLICT (period_key, week, deal_id) DO NOTHING",
            [span.key, week, *params],
        )
        slot: list[Any] = [span.key, week]
        cursor.execute(
            f"UPDATE {snap} s SET won = t.won, commit = t.commit, best_case = t.best_case,"  # noqa: S608
            " pipeline = t.pipeline, omitted = t.omitted, weighted = t.weighted,"
            " deal_count = t.n FROM ("
            f" SELECT {_SUMS}, COUNT(*) AS n FROM {rows} r"
            " WHERE r.period_key = %s AND r.week = %s)"
            f" t({_FIGURES}, n)"
            " WHERE s.id = %s",
            [*slot, claimed[0]],
        )
        cursor.execute(
            f"INSERT INTO {snap} (scope, period_key, period_start, period_end, week, taken_at,"  # noqa: S608
            f" {_FIGURES}, deal_count)"
            f" SELECT 'user:' || u.id, %s, %s, %s, %s, %s, {_SUMS}, COUNT(r.id)"
            f" FROM crm_user u LEFT JOIN {rows} r ON r.owner_id = u.id"
            " AND r.period_key = %s AND r.week = %s"
            " WHERE (u.is_active AND u.role <> %s) OR r.id IS NOT NULL"
            " GROUP BY u.id ON CONFLICT (scope, period_key, week) DO NOTHING",
            [span.key, span.start, span.end, week, taken_at, *slot, Role.ADMIN],
        )
        users = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {snap} (scope, period_key, period_start, period_end, week, taken_at,"  # noqa: S608
            f" {_FIGURES}, deal_count)"
            f" SELECT 'team:' || t.id, %s, %s, %s, %s, %s, {_SUMS}, COUNT(r.id)"
            f" FROM crm_team t LEFT JOIN {rows} r ON r.team_path LIKE t.path || '%%'"
            " AND r.period_key = %s AND r.week = %s"
            " GROUP BY t.id ON CONFLICT (scope, period_key, week) DO NOTHING",
            [span.key, span.start, span.end, week, taken_at, *slot],
        )
        teams = cursor.rowcount
        _store_adjusted(span, week)
        return 1 + users + teams


def _store_adjusted(span: Period, week: date) -> None:
    """Keep, beside each scope's commit, the commit after managers' adjustments as the
    forecast rolls them up (`forecast.forecast`): a line's own adjustment, else its direct
    members' and child teams' adjusted figures; the company sums its top teams and teamless
    people. Only rows whose figure differs are written (null means "as the deals say")."""
    adjustments = {
        a.scope_key: a.amount
        for a in ForecastAdjustment.objects.filter(
            period_kind=span.kind, period_start=span.start, category="commit"
        )
    }
    if not adjustments:
        return
    rows = list(ForecastSnapshot.objects.filter(period_key=span.key, week=week))
    commits = {row.scope: row.commit for row in rows}
    user_ids = [int(row.scope[5:]) for row in rows if row.scope.startswith("user:")]
    team_of = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "team_id"))
    teams = list(Team.objects.values_list("pk", "parent_id"))

    def person(pk: int) -> Decimal:
        key = f"user:{pk}"
        return adjustments.get(key, commits.get(key, ZERO))

    memo: dict[int, Decimal] = {}

    def team(pk: int) -> Decimal:
        if pk not in memo:
            own = adjustments.get(f"team:{pk}")
            memo[pk] = (
                own
                if own is not None
                else sum((person(u) for u, t in team_of.items() if t == pk), ZERO)
                + sum((team(c) for c, parent in teams if parent == pk), ZERO)
            )
        return memo[pk]

    changed = []
    for row in rows:
        kind, _, raw = row.scope.partition(":")
        if kind == "user":
            value = person(int(raw))
        elif kind == "team":
            value = team(int(raw))
        else:
            value = sum((team(t) for t, parent in teams if parent is None), ZERO) + sum(
                (person(u) for u, t in team_of.items() if t is None), ZERO
            )
        if value != row.commit:
            row.commit_adjusted = value
            changed.append(row)
    ForecastSnapshot.objects.bulk_update(changed, ["commit_adjusted"])


def snapshot_take(*, today: date | None = None, spans: list[Period] | None = None) -> int:
    """Take this week's snapshot of every rep, team and the company for the current month
    and quarter (or `spans`). Safe to run twice: a slot already taken is left alone."""
    today = today or periods.company_day()
    week = week_of(today)
    return sum(_take_period(span, week) for span in spans or snapshot_periods(today))


# Changes since a snapshot

REASONS = {
    "new": "New",
    "pulled_in": "Pulled in",
    "pushed_out": "Pushed out",
    "won": "Won",
    "lost": "Lost",
    "amount": "Amount changed",
    "category": "Category changed",
    "removed": "Removed or reassigned",
}


@dataclass
class DealChange:
    deal_id: int
    name: str
    reason: str
    before_bucket: str | None
    after_bucket: str | None
    before_amount: Decimal
    after_amount: Decimal
    before_close: date | None
    after_close: date | None
    delta: dict[str, Decimal] = field(default_factory=dict)

    @property
    def reason_label(self) -> str:
        return REASONS[self.reason]


@dataclass
class Changes:
    scope: Scope
    period: Period
    snapshot: ForecastSnapshot | None
    weeks: list[date]
    before: dict[str, Decimal]
    after: dict[str, Decimal]
    deals: list[DealChange]
    by_reason: dict[str, dict[str, Decimal]]

    @property
    def delta(self) -> dict[str, Decimal]:
        return {b: self.after[b] - self.before[b] for b in BUCKETS}

    @property
    def reconciles(self) -> bool:
        """before + the deals' contributions = after, to the cent, for every bucket."""
        return all(
            self.before[b] + sum((d.delta.get(b, ZERO) for d in self.deals), ZERO) == self.after[b]
            for b in BUCKETS
        )


def _scope_rows_q(scope: Scope) -> Q:
    if scope.user is not None:
        return Q(owner_id=scope.user.pk)
    if scope.team is not None:
        return Q(team_path__startswith=scope.team.path)
    return Q()


def changes(actor: User, scope: Scope | str, span: Period, since: date | None = None) -> Changes:
    """How the scope's figures moved since the snapshot of week `since` (default: the latest)
    and which deals moved them."""
    found = scope if isinstance(scope, Scope) else resolve_scope(actor, scope)
    snapshots = ForecastSnapshot.objects.filter(scope=found.key, period_key=span.key)
    weeks = list(snapshots.order_by("-week").values_list("week", flat=True))
    chosen = snapshots.filter(week=since).first() if since else snapshots.order_by("-week").first()
    before_rows: dict[int, dict[str, Any]] = {}
    if chosen is not None:
        for row in SnapshotDeal.objects.filter(
            _scope_rows_q(found), period_key=span.key, week=chosen.week
        ).values("deal_id", "bucket", "amount", "expected_close_date"):
            before_rows[row["deal_id"]] = dict(row)
    now_deals = visible(actor, Deal.objects.alive()).filter(found.owner_q())
    after_rows = {r["s_deal"]: r for r in deal_rows(span, now_deals)}
    before = {b: getattr(chosen, b) if chosen else ZERO for b in BUCKETS}
    after = dict.fromkeys(BUCKETS, ZERO)
    for row in after_rows.values():
        after[row["s_bucket"]] += row["s_amount"]
    touched = set(before_rows) | set(after_rows)
    facts: dict[int, dict[str, Any]] = {
        d["pk"]: dict(d)
        for d in Deal.objects.filter(pk__in=touched).values(
            "pk", "name", "stage__kind", "expected_close_date", "created_at", "deleted_at"
        )
    }
    result: list[DealChange] = []
    for deal_id in sorted(touched):  # the deals that are or were in the period, one scope
        b, a = before_rows.get(deal_id), after_rows.get(deal_id)
        b_bucket, a_bucket = (b["bucket"] if b else None), (a["s_bucket"] if a else None)
        b_amount, a_amount = (b["amount"] if b else ZERO), (a["s_amount"] if a else ZERO)
        if b_bucket == a_bucket and b_amount == a_amount:
            continue
        fact: dict[str, Any] = facts.get(deal_id, {})
        close = fact.get("expected_close_date")
        reason = _reason(b_bucket, a_bucket, fact, chosen, span, close)
        delta: dict[str, Decimal] = {}
        if b_bucket:
            delta[b_bucket] = delta.get(b_bucket, ZERO) - b_amount
        if a_bucket:
            delta[a_bucket] = delta.get(a_bucket, ZERO) + a_amount
        result.append(
            DealChange(
                deal_id,
                fact.get("name", f"Deal {deal_id}"),
                reason,
                b_bucket,
                a_bucket,
                b_amount,
                a_amount,
                b["expected_close_date"] if b else None,
                close,
                {k: v for k, v in delta.items() if v},
            )
        )
    by_reason: dict[str, dict[str, Decimal]] = {}
    for change in result:
        sums = by_reason.setdefault(change.reason, dict.fromkeys(BUCKETS, ZERO))
        for bucket, value in change.delta.items():
            sums[bucket] += value
    return Changes(found, span, chosen, weeks, before, after, result, by_reason)


def _reason(
    b_bucket: str | None,
    a_bucket: str | None,
    fact: dict[str, Any],
    chosen: ForecastSnapshot | None,
    span: Period,
    close: date | None,
) -> str:
    if b_bucket is None:
        created = fact.get("created_at")
        if chosen is None or (created is not None and created > chosen.taken_at):
            return "new"
        return "pulled_in"
    if a_bucket is None:
        if not fact or fact.get("deleted_at"):
            return "removed"
        if fact.get("stage__kind") == "lost":
            return "lost"
        if close is not None and close >= span.end:
            return "pushed_out"
        if close is not None and close < span.start:
            return "pulled_in"
        return "removed"
    if a_bucket == "won" and b_bucket != "won":
        return "won"
    if a_bucket != b_bucket:
        return "category"
    return "amount"
