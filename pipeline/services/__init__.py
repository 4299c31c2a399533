"""Every write to pipelines, stages and deals. Views, the API, tasks and other apps call these."""

from .config import (
    catalog_delete,
    catalog_save,
    pipeline_create,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_reorder,
    stage_shift,
    stage_update,
)
from .deals import (
    deal_close_lost,
    deal_close_won,
    deal_create,
    deal_delete,
    deal_move,
    deal_reopen,
    deal_to_dict,
    deal_update,
)
from .line_items import line_item_add, line_item_remove

__all__ = [
    "catalog_delete",
    "catalog_save",
    "deal_close_lost",
    "deal_close_won",
    "deal_create",
    "deal_delete",
    "deal_move",
    "deal_reopen",
    "deal_to_dict",
    "deal_update",
    "line_item_add",
    "line_item_remove",
    "pipeline_create",
    "pipeline_update",
    "stage_create",
    "stage_delete",
    "stage_reorder",
    "stage_shift",
    "stage_update",
]
