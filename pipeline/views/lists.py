"""The deal list: filters, sort, keyset pages, saved views and CSV export."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from crm.access import AUTHENTICATED, AuthenticatedRequest, access
from crm.errors import DomainError
from crm.exports import queryset_export
from crm.models import Account, Contact, SavedView
from crm.services.saved_views import saved_view_delete, saved_view_save
from crm.visibility import visible
from pipeline import selectors
from pipeline.forms import SavedViewForm
from pipeline.models import Deal

from .common import filter_querystring, filters_from

EXPORT_HEADER = [
    "id",
    "name",
    "account",
    "pipeline",
    "stage",
    "status",
    "amount",
    "currency",
    "expected_close_date",
    "probability",
    "forecast_category",
    "owner",
    "next_step",
    "created_at",
    "closed_at",
]


@access(AUTHENTICATED)
def deal_list(request: AuthenticatedRequest) -> HttpResponse:
    form, filters, sort = filters_from(request, request.GET)
    deals = selectors.deal_list(actor=request.user, filters=filters, sort=sort)
    rows, next_cursor = selectors.deal_page(deals, sort=sort, cursor=request.GET.get("cursor", ""))
    params = request.GET.copy()
    params.pop("cursor", None)
    next_url = ""
    if next_cursor:
        params["cursor"] = next_cursor
        next_url = "?" + params.urlencode()
        params.pop("cursor")
    return render(
        request,
        "pipeline/deal_list.html",
        {
            "form": form,
            "deals": rows,
            "summary": selectors.deal_list_summary(deals),
            "company_currency": settings.DEFAULT_CURRENCY,
            "next_url": next_url,
            "first_url": "?" + params.urlencode() if request.GET.get("cursor") else "",
            "querystring": params.urlencode(),
            "saved_views": SavedView.objects.filter(user=request.user, kind="deals"),
            "save_form": SavedViewForm(initial={"querystring": params.urlencode()}),
            "nav_section": "pipeline",
            "record_filter": _record_filter(request, filters, params),
            "sort": sort,
        },
    )


def _record_filter(
    request: AuthenticatedRequest, filters: selectors.DealFilters, params: QueryDict
) -> dict[str, str] | None:
    """The notice over a list narrowed to one account's or contact's deals (named only
    when the user may see that record; the filter itself only ever shows visible deals)."""
    rows: QuerySet[Any]
    if filters.account:
        label, key, pk = "Deals of account", "account", filters.account
        rows = Account.objects.alive()
    elif filters.contact:
        label, key, pk = "Deals with contact", "contact", filters.contact
        rows = Contact.objects.alive()
    else:
        return None
    record = visible(request.user, rows).filter(pk=pk).first()
    rest = params.copy()
    rest.pop(key, None)
    return {
        "label": label,
        "name": str(record) if record else "you can't see",
        "url": reverse(f"crm:{key}_detail", args=[pk]) if record else "",
        "clear_url": reverse("pipeline:deal_list") + ("?" + rest.urlencode() if rest else ""),
    }


@access(AUTHENTICATED)
def deal_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """Every deal the list shows, as CSV; text that looks like a formula is escaped."""
    _, filters, sort = filters_from(request, request.GET)
    deals = selectors.deal_list(actor=request.user, filters=filters, sort=sort)
    return queryset_export(
        request,
        list_name="deals",
        query=filter_querystring(request.GET),
        filename=f"deals-{timezone.localdate().isoformat()}.csv",
        header=EXPORT_HEADER,
        queryset=deals,
        row=_export_row,
    )


def _export_row(deal: Deal) -> list[Any]:
    status = "Open" if deal.closed_at is None else deal.stage.get_kind_display()
    return [
        deal.pk,
        deal.name,
        deal.account.name if deal.account else "",
        deal.pipeline.name,
        deal.stage.name,
        status,
        deal.amount,
        deal.currency,
        deal.expected_close_date,
        deal.probability,
        deal.get_forecast_category_display(),
        deal.owner.full_name,
        deal.next_step,
        deal.created_at,
        deal.closed_at,
    ]


@access(AUTHENTICATED)
@require_POST
def saved_view_create(request: AuthenticatedRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    querystring = request.POST.get("querystring", "")
    if form.is_valid():
        try:
            saved_view_save(
                actor=request.user,
                kind="deals",
                name=form.cleaned_data["name"],
                querystring=querystring,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Saved view “{form.cleaned_data['name']}”.")
    else:
        messages.error(request, "Give the view a name.")
    return redirect(reverse("pipeline:deal_list") + ("?" + querystring if querystring else ""))


@access(AUTHENTICATED)
@require_POST
def saved_view_remove(request: AuthenticatedRequest) -> HttpResponse:
    view_id = request.POST.get("view", "")
    try:
        saved_view_delete(actor=request.user, view_id=int(view_id) if view_id.isdigit() else 0)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("pipeline:deal_list")
