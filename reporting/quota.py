"""The dashboards against quota: attainment and forecast vs quota, from the forecasting
app's roll-up (`forecasting.forecast.forecast`), so the figures are the forecast page's.

- **Period**: the fiscal quarter that holds the dashboard's last day (`to`; today by
  default), in the company's fiscal calendar.
- **Scope**: the rep's dashboard: the rep; the team dashboard: the rep picked, else the team
  picked (with its sub-teams), else the manager's first team (an admin: the company); the
  company dashboard: the company.
- **Attainment %** = closed won in the quarter / quota x 100; **gap** = quota - closed won;
  **forecast vs quota**: closed won + commit (the deals'), closed won + commit after the
  managers' adjustments, closed won + weighted open pipeline, each / quota x 100.

Set-based and constant in queries: the forecast is one GROUP BY over the deals plus one
query each for teams, people, quotas and adjustments, whatever the number of deals or reps.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from crm.errors import NotFound
from crm.models import User
from forecasting import periods
from forecasting.forecast import Forecast, Line, forecast
from forecasting.periods import Period
from forecasting.scopes import Scope, default_scope, resolve_scope
from forecasting.selectors import fiscal_start_month
from reporting.kpis import ReportFilters


def _percent(value: Decimal, quota: Decimal | None) -> Decimal | None:
    if not quota:
        return None
    return (value * 100 / quota).quantize(Decimal("0.1"))


@dataclass
class QuotaRow:
    label: str
    scope_key: str
    quota: Decimal | None
    won: Decimal
    percent: Decimal | None
    gap: Decimal | None
    won_url: str
    forecast_url: str
    depth: int = 0


@dataclass
class QuotaBlock:
    period: Period
    scope: Scope
    total: QuotaRow
    forecasts: list[dict[str, Any]] = field(default_factory=list)
    reps: list[QuotaRow] = field(default_factory=list)
    teams: list[QuotaRow] = field(default_factory=list)

    def chart(self) -> dict[str, Any]:
        """Attainment by rep, for static/js/reporting_quota.js (json_script)."""
        return {
            "labels": [r.label for r in self.reps],
            "attainment": [float(r.percent) if r.percent is not None else None for r in self.reps],
            "won": [float(r.won) for r in self.reps],
            "quota": [float(r.quota) if r.quota is not None else None for r in self.reps],
        }


def _row(line: Line, span: Period) -> QuotaRow:
    return QuotaRow(
        label=line.label,
        scope_key=line.scope.key,
        quota=line.quota,
        won=line.closed_won,
        percent=line.attainment,
        gap=line.gap,
        won_url=line.links.get("won", ""),
        forecast_url=f"/forecast/?scope={line.scope.key}&period={span.key}",
        depth=line.depth,
    )


def dashboard_scope(actor: User, kind: str, filters: ReportFilters) -> Scope:
    if kind == "rep":
        return Scope("user", user=actor)
    if kind == "admin":
        return Scope("company")
    for key in (
        f"user:{filters.owner}" if filters.owner else "",
        f"team:{filters.team.pk}" if filters.team is not None else "",
    ):
        if key:
            try:
                return resolve_scope(actor, key)
            except NotFound:
                continue
    return default_scope(actor)


def quota_block(*, actor: User, kind: str, filters: ReportFilters) -> QuotaBlock:
    """Attainment and forecast vs quota of the dashboard's scope for its fiscal quarter.
    The dashboards' filters have already checked the team and rep are the actor's to see."""
    span = periods.period_of(filters.date_to, periods.QUARTER, fiscal_start_month())
    scope = dashboard_scope(actor, kind, filters)
    result: Forecast = forecast(actor, scope, span)
    total = _row(result.total, span)
    sources = result.total.sources()
    forecasts = [
        {
            "key": key,
            "label": label,
            "how": how,
            "value": sources[key],
            "percent": _percent(sources[key], result.total.quota),
        }
        for key, label, how in (
            ("rep_commit", "Reps' commit", "closed won + the deals' commit"),
            ("manager", "Manager's number", "closed won + commit after adjustments"),
            ("weighted_pipeline", "Weighted pipeline", "closed won + open deals x probability"),
        )
    ]
    return QuotaBlock(
        period=span,
        scope=scope,
        total=total,
        forecasts=forecasts,
        reps=[_row(line, span) for line in result.reps] if kind != "rep" else [],
        teams=[_row(line, span) for line in result.teams] if kind == "admin" else [],
    )
