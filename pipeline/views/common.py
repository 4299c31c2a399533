"""Helpers the pipeline views share."""

from typing import Any

from django.forms import BaseForm
from django.http import QueryDict

from crm.access import AuthenticatedRequest
from crm.errors import DomainError
from crm.forms import valid_filters
from pipeline.forms import DealFilterForm
from pipeline.models import Deal
from pipeline.selectors import DealFilters

FILTER_KEYS = (
    "q",
    "pipeline",
    "stage",
    "owner",
    "team",
    "team_only",
    "status",
    "close_from",
    "close_to",
    "closed_from",
    "closed_to",
    "created_from",
    "created_to",
    "source",
    "amount_min",
    "amount_max",
    "forecast",
    "account",
    "contact",
)
CARD_RELATIONS = ("owner", "account", "stage", "pipeline", "updated_by")


def filters_from(
    request: AuthenticatedRequest, params: QueryDict, *, board: bool = False
) -> tuple[DealFilterForm, DealFilters, str]:
    """The filter form, the parsed filters and the sort; invalid filters are ignored."""
    form = DealFilterForm(params or None, actor=request.user, board=board)
    data: dict[str, Any] = valid_filters(form)
    return form, DealFilters.from_data(data), str(data.get("sort") or "-created")


def filter_querystring(params: QueryDict) -> str:
    """Only the filter parameters, url-encoded (for load-more links and moves)."""
    kept = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        for value in params.getlist(key):
            if value:
                kept.appendlist(key, value)
    return kept.urlencode()


def deal_queryset() -> Any:
    return Deal.objects.alive().select_related(*CARD_RELATIONS)


def show_error(form: BaseForm, error: DomainError) -> None:
    """A service refusal on the form: on its field when the form has it (any form class)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
