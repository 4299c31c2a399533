"""Lead KPIs: volume by source and period, and the funnel lead → MQL → SQL → deal → won.

The funnel follows the cohort of leads created in the period: a lead counts at a step when
it is there now or passed through it (a lifecycle transition into that status or a later
one), at "deal" when it was converted into a live deal, at "won" when that deal is won.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from crm.models import User
from leads.models import Lead
from leads.selectors import funnel_reached

from .scope import ReportFilters, group_expression, scoped_leads

FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("lead", "Leads"),
    ("mql", "MQL"),
    ("sql", "SQL"),
    ("deal", "Deal"),
    ("won", "Won"),
)


def reached(step: str) -> Q:
    """Leads that reached `step` of the funnel: the leads list's `reached` filter."""
    return funnel_reached(step)


def period_leads(actor: User, filters: ReportFilters) -> QuerySet[Lead]:
    return scoped_leads(actor, filters).filter(filters.in_period("created_at"))


def lead_volume(*, actor: User, filters: ReportFilters, group_by: str = "source") -> list[Any]:
    """Leads created in the period, per group: [(key, count)] (one query)."""
    expression = group_expression(group_by, date_field="created_at")
    rows = (
        period_leads(actor, filters)
        .order_by()
        .annotate(group_key=expression)
        .values("group_key")
        .annotate(n=Count("pk"))
        .order_by("group_key")
    )
    return [(row["group_key"], row["n"]) for row in rows]


@dataclass(frozen=True)
class FunnelStep:
    step: str
    label: str
    count: int
    conversion: float | None  # from the previous step, as a fraction
    overall: float | None  # from the first step
    drop_off: int  # leads lost since the previous step


def _funnel_counts(leads: QuerySet[Lead]) -> dict[str, Any]:
    return {
        step: Count("pk", filter=reached(step)) if step != "lead" else Count("pk")
        for step, _ in FUNNEL_STEPS
    }


def _steps(counts: dict[str, Any]) -> list[FunnelStep]:
    steps: list[FunnelStep] = []
    first = counts["lead"]
    previous: int | None = None
    for step, label in FUNNEL_STEPS:
        n = counts[step]
        steps.append(
            FunnelStep(
                step=step,
                label=label,
                count=n,
                conversion=(n / previous if previous else None) if previous is not None else None,
                overall=n / first if first else None,
                drop_off=(previous - n) if previous is not None else 0,
            )
        )
        previous = n
    return steps


def funnel(*, actor: User, filters: ReportFilters) -> list[FunnelStep]:
    """The funnel of the leads created in the period (one query)."""
    leads = period_leads(actor, filters).order_by()
    return _steps(leads.aggregate(**_funnel_counts(leads)))


def funnel_by(
    *, actor: User, filters: ReportFilters, group_by: str
) -> list[tuple[Any, list[FunnelStep]]]:
    """The funnel per group (source, owner, team, month, quarter), one query."""
    leads = period_leads(actor, filters).order_by()
    rows = (
        leads.annotate(group_key=group_expression(group_by, date_field="created_at"))
        .values("group_key")
        .annotate(**_funnel_counts(leads))
        .order_by("group_key")
    )
    return [(row["group_key"], _steps(dict(row))) for row in rows]
