"""Reads on leads, always through `crm.visibility`."""

from .lists import (
    COUNT_CAP,
    FUNNEL_REACHED,
    SORTS,
    LeadFilters,
    LeadPage,
    branch_base,
    capped_count,
    funnel_reached,
    lead_export_rows,
    lead_list,
    lead_page,
)
from .myday import hot_leads_for_my_day, new_leads_for_my_day
from .records import (
    lead_detail,
    lead_duplicates,
    lead_for_actor,
    lead_transitions,
)
from .scoped import LeadPlan, lead_plan

__all__ = [
    "COUNT_CAP",
    "FUNNEL_REACHED",
    "SORTS",
    "LeadFilters",
    "LeadPage",
    "LeadPlan",
    "branch_base",
    "capped_count",
    "funnel_reached",
    "hot_leads_for_my_day",
    "lead_detail",
    "lead_duplicates",
    "lead_export_rows",
    "lead_for_actor",
    "lead_list",
    "lead_page",
    "lead_plan",
    "lead_transitions",
    "new_leads_for_my_day",
]
