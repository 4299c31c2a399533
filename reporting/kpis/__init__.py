"""Sales KPIs, each one set-based SQL over `crm.visibility.visible()` querysets of live
records, amounts in the company currency, periods in the company time zone.

Formulas: see `registry.KPIS` (shown on the pages and in the API) and docs/features-reporting.md.
"""

from .activity import ActivityRow, activities_by
from .deals import (
    CYCLE_BUCKETS,
    DealStats,
    cycle_distribution,
    deal_stats,
    deal_stats_by,
    stuck_deals,
    time_in_stage,
)
from .drill import deals_url, leads_url
from .leads import FUNNEL_STEPS, FunnelStep, funnel, funnel_by, lead_volume, reached
from .registry import KPIS, Kpi, KpiRow, KpiTable, kpi_table
from .scope import GROUPINGS, ReportFilters

__all__ = [
    "CYCLE_BUCKETS",
    "FUNNEL_STEPS",
    "GROUPINGS",
    "KPIS",
    "ActivityRow",
    "DealStats",
    "FunnelStep",
    "Kpi",
    "KpiRow",
    "KpiTable",
    "ReportFilters",
    "activities_by",
    "cycle_distribution",
    "deal_stats",
    "deal_stats_by",
    "deals_url",
    "funnel",
    "funnel_by",
    "kpi_table",
    "lead_volume",
    "leads_url",
    "reached",
    "stuck_deals",
    "time_in_stage",
]
