"""Source return on the admin dashboard (htmx block), its drill-down list, and the spend
admin page."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from crm.access import ADMIN, AuthenticatedRequest, access
from crm.errors import DomainError
from crm.views.forms import apply_domain_error
from reporting.forms import ReportFilterForm

from . import services
from .forms import SpendForm
from .models import SourceSpend
from .selectors import KINDS, drill_deals, source_return

KIND_LABELS = {
    "new_customers": "New customers (their first won deal)",
    "won": "Deals won",
    "renewals_won": "Renewals won",
    "renewals_lost": "Renewals lost",
}


@access(ADMIN)
def block(request: AuthenticatedRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None, actor=request.user)
    result = source_return(actor=request.user, filters=form.filters())
    return render(
        request,
        "reporting/source_return/block.html",
        {"result": result, "company_currency": settings.DEFAULT_CURRENCY},
    )


@access(ADMIN)
def deals(request: AuthenticatedRequest) -> HttpResponse:
    """The deals behind a source-return figure; its count and total are the figure's."""
    kind = request.GET.get("kind", "")
    if kind not in KINDS:
        raise Http404("No such figure.")
    raw = request.GET.get("acquired", "none")
    if raw != "none" and not raw.isdigit():
        raise Http404("No such source.")
    source = int(raw) if raw.isdigit() else None
    form = ReportFilterForm(request.GET or None, actor=request.user)
    filters = form.filters()
    rows = drill_deals(actor=request.user, filters=filters, kind=kind, source=source)
    summary = rows.order_by().aggregate(total=Sum("amount_cc"))
    listed = rows.select_related("account", "owner", "stage").order_by("closed_at", "id")[:500]
    return render(
        request,
        "reporting/source_return/deals.html",
        {
            "deals": listed,
            "count": rows.count(),
            "total": summary["total"] or 0,
            "title": KIND_LABELS[kind],
            "filters": filters,
            "company_currency": settings.DEFAULT_CURRENCY,
            "nav_section": "reporting",
        },
    )


@access(ADMIN)
def spend_list(request: AuthenticatedRequest) -> HttpResponse:
    form = SpendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.spend_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "Spend saved.")
            return redirect("reporting:spend")
    rows = SourceSpend.objects.select_related("source").order_by("-month", "source__name")[:200]
    return render(
        request,
        "reporting/source_return/spend.html",
        {
            "form": form,
            "rows": rows,
            "company_currency": settings.DEFAULT_CURRENCY,
            "nav_section": "reporting",
        },
    )


@access(ADMIN)
def spend_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    spend = get_object_or_404(SourceSpend.objects.select_related("source"), pk=pk)
    initial = {
        "source": spend.source,
        "month": spend.month,
        "marketing": spend.marketing,
        "sales": spend.sales,
        "note": spend.note,
    }
    form = SpendForm(request.POST or None, initial=initial)
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                services.spend_delete(actor=request.user, spend=spend)
                messages.success(request, "Spend removed.")
                return redirect("reporting:spend")
            if form.is_valid():
                services.spend_update(actor=request.user, spend=spend, **form.cleaned_data)
                messages.success(request, "Spend saved.")
                return redirect("reporting:spend")
        except DomainError as exc:
            apply_domain_error(form, exc)
    return render(
        request,
        "reporting/source_return/spend_edit.html",
        {"form": form, "spend": spend, "nav_section": "reporting"},
    )
