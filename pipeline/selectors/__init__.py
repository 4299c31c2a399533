"""Reads for pipelines and deals, always starting from `crm.visibility.visible`."""

from .board import (
    BoardColumn,
    board_column_page,
    board_column_stats,
    board_stages,
    pipeline_board,
)
from .deals import (
    FORECAST_BUCKETS,
    DealFilters,
    conflict_changes,
    deal_history,
    deal_list,
    deal_list_summary,
    deal_page,
    deals_closing_this_month,
    deals_visible,
    first_lead_source,
    forecast_bucket_q,
    source_lead,
    source_lead_ids,
    won_between_q,
)
from .money import company_amount, rate_map, to_company_currency

__all__ = [
    "FORECAST_BUCKETS",
    "BoardColumn",
    "DealFilters",
    "board_column_page",
    "board_column_stats",
    "board_stages",
    "company_amount",
    "conflict_changes",
    "deal_history",
    "deal_list",
    "deal_list_summary",
    "deal_page",
    "deals_closing_this_month",
    "deals_visible",
    "first_lead_source",
    "forecast_bucket_q",
    "pipeline_board",
    "rate_map",
    "source_lead",
    "source_lead_ids",
    "to_company_currency",
    "won_between_q",
]
