"""Badges: milestones computed from the data on read, never stored.

Why on read rather than stored awards from a beat job: a badge is a fact about the deals and
quotas (the first won deal, a quota period reached, a run of weeks with a won deal), and
those facts change under it (a deal reopened or deleted, a quota corrected, a close date
fixed). Computing them from the live rows keeps every badge true to the data, needs no job,
and is idempotent by construction: asking twice gives the same badges, never a second award
of the same one. Three small queries per person (indexed on the owner), so it is cheap
enough for the dashboard and the person page.

- **First deal won**: the person's earliest won live deal (its close day).
- **Quota reached**: each month or quarter quota row of the person whose won revenue in
  that period (company time zone) reached its amount (amount > 0).
- **Streak**: each run of at least `streak_weeks` consecutive weeks (Monday to Sunday,
  company time zone) with at least one won deal; gaps-and-islands in SQL (week minus
  ROW_NUMBER() x 7 days is constant along a run).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from crm.models import User
from forecasting import periods
from forecasting.models import Quota, QuotaPeriodKind
from pipeline.models import Deal, StageKind
from pipeline.selectors import company_amount

from .settings import reporting_settings

MONEY = DecimalField(max_digits=20, decimal_places=2)


@dataclass(frozen=True)
class Badge:
    kind: str  # first_deal, quota, streak
    title: str
    detail: str
    earned_on: date


def won_deals(user: User) -> QuerySet[Deal]:
    return Deal.objects.alive().filter(
        owner=user, stage__kind=StageKind.WON, closed_at__isnull=False
    )


def _close_day() -> TruncDate:
    return TruncDate("closed_at", tzinfo=periods.company_zone())


def first_deal(user: User) -> Badge | None:
    first = won_deals(user).order_by("closed_at", "id").values("name", "closed_at").first()
    if first is None:
        return None
    day = periods.company_day(first["closed_at"])
    return Badge("first_deal", "First deal won", f"{first['name']} on {day:%d %b %Y}", day)


def quota_badges(user: User) -> list[Badge]:
    """One query: each quota row reached, with the won revenue of its period beside it."""
    won = Subquery(
        won_deals(user)
        .annotate(day=_close_day())
        .filter(day__gte=OuterRef("period_start"), day__lt=OuterRef("period_end"))
        .order_by()
        .values("owner")
        .annotate(total=Sum(company_amount(), output_field=MONEY))
        .values("total")[:1],
        output_field=MONEY,
    )
    rows = (
        Quota.objects.filter(user=user, amount__gt=0)
        .annotate(won=Coalesce(won, Decimal(0), output_field=MONEY))
        .filter(won__gte=F("amount"))
        .order_by("period_start", "period_kind")
        .values("period_kind", "period_key", "period_start", "period_end", "amount", "won")
    )
    badges = []
    for row in rows:
        kind = "month" if row["period_kind"] == QuotaPeriodKind.MONTH else "quarter"
        percent = (Decimal(row["won"]) * 100 / Decimal(row["amount"])).quantize(Decimal("1"))
        badges.append(
            Badge(
                "quota",
                f"Quota reached: {row['period_key']}",
                f"{percent}% of the {kind}'s quota ({Decimal(row['won']):,.0f} won of "
                f"{Decimal(row['amount']):,.0f} {settings.DEFAULT_CURRENCY})",
                row["period_end"] - timedelta(days=1),
            )
        )
    return badges


def streaks(user: User, weeks: int) -> list[tuple[date, date, int]]:
    """Runs of at least `weeks` consecutive weeks with a won deal: (first Monday, last
    Monday, weeks), oldest first (one query)."""
    inner, params = won_deals(user).order_by().values("closed_at").query.sql_with_params()
    sql = f"""
        WITH won AS ({inner}),
        weeks AS (
            SELECT DISTINCT date_trunc('week', won.closed_at AT TIME ZONE %s)::date AS week
            FROM won
        ),
        runs AS (
            SELECT week, week - (ROW_NUMBER() OVER (ORDER BY week))::int * 7 AS run
            FROM weeks
        )
        SELECT MIN(week), MAX(week), COUNT(*) FROM runs
        GROUP BY run HAVING COUNT(*) >= %s ORDER BY MIN(week)
    """  # noqa: S608 - the inner query is Django's, with its parameters passed through
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, settings.TIME_ZONE, weeks])
        return [(row[0], row[1], int(row[2])) for row in cursor.fetchall()]


def badges_for(user: User) -> list[Badge]:
    """Every badge the person holds, newest first."""
    weeks = reporting_settings().streak_weeks
    found: list[Badge] = []
    first = first_deal(user)
    if first is not None:
        found.append(first)
    found.extend(quota_badges(user))
    for start, last, length in streaks(user, weeks):
        found.append(
            Badge(
                "streak",
                f"{length}-week streak",
                f"a deal won every week from {start:%d %b %Y} to the week of {last:%d %b %Y}",
                start + timedelta(weeks=weeks - 1, days=6),
            )
        )
    return sorted(found, key=lambda badge: badge.earned_on, reverse=True)


def badge_dict(badge: Badge) -> dict[str, Any]:
    return {
        "kind": badge.kind,
        "title": badge.title,
        "detail": badge.detail,
        "earned_on": badge.earned_on,
    }
