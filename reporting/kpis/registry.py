"""Every KPI by name, with its formula, its unit and the groupings it supports. The API
(/api/v1/reports/<kpi>/) and the dashboards' tables read from here."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from crm.models import User

from .activity import activities_by
from .deals import DealStats, deal_stats_by, time_in_stage
from .drill import deals_url, leads_url
from .labels import key_param, label_map
from .leads import funnel, lead_volume
from .scope import ReportFilters


@dataclass
class KpiRow:
    key: Any
    label: str
    value: Decimal | float | int | None
    count: int
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key_param(self) -> str:
        return key_param("", self.key)


@dataclass
class KpiTable:
    kpi: "Kpi"
    group_by: str
    rows: list[KpiRow]


@dataclass(frozen=True)
class Kpi:
    name: str
    title: str
    formula: str
    unit: str  # count, money, percent, days
    groupings: tuple[str, ...]
    default_group: str
    compute: Callable[[User, ReportFilters, str], list[KpiRow]]


DEAL_GROUPS = ("owner", "team", "source", "stage", "month", "quarter")
LEAD_GROUPS = ("owner", "team", "source", "month", "quarter")


def _deal_rows(
    value: Callable[[DealStats], Any],
    count: Callable[[DealStats], int],
    status: str,
    extra: Callable[[DealStats], dict[str, Any]] | None = None,
) -> Callable[[User, ReportFilters, str], list[KpiRow]]:
    def compute(actor: User, filters: ReportFilters, group_by: str) -> list[KpiRow]:
        stats = deal_stats_by(actor=actor, filters=filters, group_by=group_by)
        names = label_map(group_by, [s.key for s in stats])
        return [
            KpiRow(
                key=s.key,
                label=names.get(s.key, str(s.key)),
                value=value(s),
                count=count(s),
                url=deals_url(filters, status=status, group_by=group_by, key=s.key),
                extra=extra(s) if extra else {},
            )
            for s in stats
            if count(s) or s.open_count
        ]

    return compute


def _lead_volume(actor: User, filters: ReportFilters, group_by: str) -> list[KpiRow]:
    rows = lead_volume(actor=actor, filters=filters, group_by=group_by)
    names = label_map(group_by, [key for key, _ in rows])
    return [
        KpiRow(key, names.get(key, str(key)), n, n, leads_url(filters, group_by=group_by, key=key))
        for key, n in rows
    ]


def _funnel(actor: User, filters: ReportFilters, group_by: str) -> list[KpiRow]:
    return [
        KpiRow(
            key=step.step,
            label=step.label,
            value=step.count,
            count=step.count,
            url=leads_url(filters, reached=step.step),
            extra={
                "conversion": step.conversion,
                "overall": step.overall,
                "drop_off": step.drop_off,
            },
        )
        for step in funnel(actor=actor, filters=filters)
    ]


def _time_in_stage(actor: User, filters: ReportFilters, group_by: str) -> list[KpiRow]:
    return [
        KpiRow(
            key=row.stage_id,
            label=row.stage,
            value=row.median_days,
            count=row.moves,
            url="",
            extra={"avg_days": row.avg_days},
        )
        for row in time_in_stage(actor=actor, filters=filters)
    ]


def _activities(actor: User, filters: ReportFilters, group_by: str) -> list[KpiRow]:
    rows = activities_by(actor=actor, filters=filters, group_by=group_by)
    names = label_map(group_by, [r.key for r in rows])
    return [
        KpiRow(
            key=r.key,
            label=names.get(r.key, str(r.key)),
            value=r.total,
            count=r.total,
            extra={
                "calls": r.calls,
                "emails": r.emails,
                "meetings": r.meetings,
                "tasks_done": r.tasks_done,
            },
        )
        for r in rows
    ]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


KPIS: dict[str, Kpi] = {
    kpi.name: kpi
    for kpi in (
        Kpi(
            "lead_volume",
            "Lead volume",
            "count(leads created in the period), per source or period",
            "count",
            LEAD_GROUPS,
            "source",
            _lead_volume,
        ),
        Kpi(
            "funnel",
            "Funnel",
            "leads created in the period that reached each step (lead → MQL → SQL → deal → "
            "won); conversion = step ÷ previous step, drop-off = previous step - step",
            "count",
            (),
            "",
            _funnel,
        ),
        Kpi(
            "win_rate",
            "Win rate",
            "won ÷ (won + lost), deals closed in the period; by amount: won amount ÷ "
            "(won + lost amount) in the company currency",
            "percent",
            DEAL_GROUPS,
            "owner",
            _deal_rows(
                lambda s: _percent(s.win_rate),
                lambda s: s.closed_count,
                "closed",
                lambda s: {
                    "won": s.won_count,
                    "lost": s.lost_count,
                    "by_amount": _percent(s.win_rate_amount),
                },
            ),
        ),
        Kpi(
            "deal_size",
            "Average deal size",
            "sum(won amount) ÷ count(won), deals won in the period, in the company currency; "
            "median = the middle won amount",
            "money",
            DEAL_GROUPS,
            "owner",
            _deal_rows(
                lambda s: s.avg_won,
                lambda s: s.won_count,
                "won",
                lambda s: {"median": s.median_won},
            ),
        ),
        Kpi(
            "sales_cycle",
            "Sales cycle",
            "median(closed_at - created_at) in days of the deals won in the period",
            "days",
            DEAL_GROUPS,
            "owner",
            _deal_rows(
                lambda s: _days(s.median_cycle_days),
                lambda s: s.won_count,
                "won",
                lambda s: {"average": _days(s.avg_cycle_days)},
            ),
        ),
        Kpi(
            "velocity",
            "Pipeline velocity",
            "open deals * win rate * average deal size ÷ average sales cycle (days): "
            "expected won revenue per day",
            "money",
            ("owner", "team", "source", "stage"),
            "owner",
            _deal_rows(
                lambda s: s.velocity,
                lambda s: s.open_count,
                "open",
                lambda s: {"open_amount": s.open_amount},
            ),
        ),
        Kpi(
            "won_revenue",
            "Won revenue",
            "sum(amount * the currency's rate) of the deals won in the period",
            "money",
            DEAL_GROUPS,
            "owner",
            _deal_rows(lambda s: s.won_amount, lambda s: s.won_count, "won"),
        ),
        Kpi(
            "time_in_stage",
            "Time in stage",
            "median days a deal spent in a stage before moving on, moves in the period "
            "(stage history)",
            "days",
            ("stage",),
            "stage",
            _time_in_stage,
        ),
        Kpi(
            "activities",
            "Activities",
            "calls + emails + meetings logged and tasks done in the period, per rep",
            "count",
            ("owner", "team", "month", "quarter"),
            "owner",
            _activities,
        ),
    )
}


def kpi_table(*, actor: User, kpi: Kpi, filters: ReportFilters, group_by: str = "") -> KpiTable:
    group_by = group_by or kpi.default_group
    if kpi.groupings and group_by not in kpi.groupings:
        raise ValueError(group_by)
    return KpiTable(kpi=kpi, group_by=group_by, rows=kpi.compute(actor, filters, group_by))
