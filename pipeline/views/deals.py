"""The deal page and its forms: create, edit (with conflict display), close, reopen."""

from typing import Any

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm.access import AUTHENTICATED, AuthenticatedRequest, access, get_visible_or_404, scoped
from crm.errors import DomainError, StaleVersion
from crm.forms.custom_fields import split_custom
from crm.forms.relationships import ActivityForm, TaskForm
from crm.models import Account, Contact
from crm.selectors.custom_fields import custom_rows
from crm.selectors.timeline import tasks_for, timeline_for
from crm.visibility import can_edit, visible
from pipeline import selectors, services
from pipeline.forms import CloseForm, DealForm, LineItemForm, ReopenForm
from pipeline.models import Deal, DealLineItem, Product, StageKind

from .common import deal_queryset, show_error

EDIT_FIELDS = (
    "name",
    "account",
    "primary_contact",
    "owner",
    "amount",
    "currency",
    "amount_follows_line_items",
    "expected_close_date",
    "probability",
    "forecast_category",
    "deal_type",
    "next_step",
    "external_id",
)


@access(AUTHENTICATED)
def deal_create(request: AuthenticatedRequest) -> HttpResponse:
    form = DealForm(request.POST or None, actor=request.user, initial=_prefill(request))
    if request.method == "POST" and form.is_valid():
        data = split_custom({k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
        try:
            deal = services.deal_create(actor=request.user, **data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Deal “{deal.name}” created.")
            return redirect("pipeline:deal_detail", pk=deal.pk)
    return render(
        request,
        "pipeline/deal_form.html",
        {"form": form, "title": "New deal", "nav_section": "pipeline"},
    )


def _prefill(request: AuthenticatedRequest) -> dict[str, Any]:
    """`?account=` / `?contact=` from an account or contact page: the new deal's account and
    primary contact, when the user may see them (anything else is ignored)."""
    initial: dict[str, Any] = {}
    account = _visible_pick(request, Account.objects.alive(), "account")
    if account is not None:
        initial["account"] = account
    contact = _visible_pick(request, Contact.objects.alive(), "contact")
    if contact is not None:
        initial["primary_contact"] = contact
    return initial


def _visible_pick[M: Model](request: AuthenticatedRequest, rows: QuerySet[M], key: str) -> M | None:
    raw = request.GET.get(key, "")
    if not raw.isdigit() or len(raw) > 9:
        return None
    return visible(request.user, rows).filter(pk=int(raw)).first()


@access(scoped("pipeline.Deal"))
def deal_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = get_visible_or_404(request, deal_queryset(), pk=pk)
    return render(request, "pipeline/deal_detail.html", _detail_context(request, deal))


def _detail_context(request: AuthenticatedRequest, deal: Deal) -> dict[str, Any]:
    closed_kind = deal.stage.kind if deal.closed_at else ""
    return {
        "deal": deal,
        "custom_rows": custom_rows("pipeline.Deal", deal.custom),
        "can_edit": can_edit(request.user, deal),
        "history": selectors.deal_history(deal)[:100],
        "source_lead": selectors.source_lead(request.user, deal),
        "line_items": deal.line_items.select_related("product"),
        "timeline": timeline_for(actor=request.user, deal=deal),
        "tasks": tasks_for(actor=request.user, deal=deal),
        "activity_form": ActivityForm(initial={"deal": deal.pk}),
        "task_form": TaskForm(initial={"deal": deal.pk}, actor=request.user),
        "here": request.get_full_path(),
        "close_form": CloseForm(initial={"version": deal.version}),
        "reopen_form": ReopenForm(initial={"version": deal.version})
        if closed_kind == StageKind.LOST
        else None,
        "item_form": LineItemForm(initial={"version": deal.version})
        if Product.objects.filter(is_active=True).exists()
        else None,
        "nav_section": "pipeline",
    }


def _initial(deal: Deal) -> dict[str, Any]:
    initial = {field: getattr(deal, field) for field in EDIT_FIELDS}
    initial["version"] = deal.version
    return initial


@access(scoped("pipeline.Deal"))
def deal_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = get_visible_or_404(request, deal_queryset(), pk=pk)
    form = DealForm(
        request.POST or None,
        initial=_initial(deal),
        actor=request.user,
        editing=True,
        custom=deal.custom,
    )
    conflict: list[selectors.deals.Change] = []
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in EDIT_FIELDS}
        data.update(split_custom({k: v for k, v in form.cleaned_data.items() if k not in data}))
        data = {k: v for k, v in data.items() if k in EDIT_FIELDS or k == "custom"}
        for optional in ("probability", "forecast_category", "deal_type"):
            if data.get(optional) in (None, ""):
                data.pop(optional, None)
        try:
            deal = services.deal_update(
                actor=request.user,
                deal=deal,
                expected_version=form.cleaned_data["version"],
                data=data,
            )
        except StaleVersion as error:
            conflict = selectors.conflict_changes(deal, since_version=form.cleaned_data["version"])
            # Keep what the user typed; saving again now knowingly replaces the other change.
            resubmit = request.POST.copy()
            resubmit["version"] = str(error.details["current"]["version"])
            form.data = resubmit
            form.add_error(None, error.message)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("pipeline:deal_detail", pk=deal.pk)
    return render(
        request,
        "pipeline/deal_form.html",
        {
            "form": form,
            "title": deal.name,
            "deal": deal,
            "conflict": conflict,
            "nav_section": "pipeline",
        },
    )


def _after_action(
    request: AuthenticatedRequest, deal: Deal, action: Any, success: str
) -> HttpResponse:
    try:
        action()
    except StaleVersion as error:
        who = error.details["current"].get("updated_by") or "Someone"
        messages.error(request, f"{who} changed this deal meanwhile. Review it and try again.")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("pipeline:deal_detail", pk=deal.pk)


@access(scoped("pipeline.Deal"))
@require_POST
def deal_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = get_visible_or_404(request, deal_queryset(), pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose won or lost.")
        return redirect("pipeline:deal_detail", pk=deal.pk)
    data = form.cleaned_data
    won = data["outcome"] == "won"
    close = services.deal_close_won if won else services.deal_close_lost
    return _after_action(
        request,
        deal,
        lambda: close(
            actor=request.user,
            deal=deal,
            expected_version=data["version"],
            reason=data.get("won_reason" if won else "lost_reason"),
            note=data.get("note", ""),
        ),
        "Closed as won. Well done!" if won else "Closed as lost.",
    )


@access(scoped("pipeline.Deal"))
@require_POST
def deal_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = get_visible_or_404(request, deal_queryset(), pk=pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an open stage.")
        return redirect("pipeline:deal_detail", pk=deal.pk)
    return _after_action(
        request,
        deal,
        lambda: services.deal_reopen(
            actor=request.user,
            deal=deal,
            expected_version=form.cleaned_data["version"],
            stage=form.cleaned_data.get("stage"),
        ),
        "Re-opened. Its history is kept.",
    )


@access(scoped("pipeline.Deal"))
@require_POST
def deal_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = get_visible_or_404(request, deal_queryset(), pk=pk)
    version = request.POST.get("version", "")
    try:
        services.deal_delete(
            actor=request.user,
            deal=deal,
            expected_version=int(version) if version.isdigit() else None,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("pipeline:deal_detail", pk=deal.pk)
    messages.success(request, f"Deal “{deal.name}” deleted.")
    return redirect("pipeline:deal_list")


@access(scoped("pipeline.Deal"))
@require_POST
def line_item_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = get_visible_or_404(request, deal_queryset(), pk=pk)
    form = LineItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the product, quantity, price and discount.")
        return redirect("pipeline:deal_detail", pk=deal.pk)
    data = form.cleaned_data
    return _after_action(
        request,
        deal,
        lambda: services.line_item_add(
            actor=request.user,
            deal=deal,
            expected_version=data["version"],
            product=data["product"],
            quantity=data["quantity"],
            unit_price=data.get("unit_price"),
            discount_percent=data.get("discount_percent"),
        ),
        "Line item added.",
    )


@access(scoped("pipeline.Deal"))
@require_POST
def line_item_remove(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    deal = get_visible_or_404(request, deal_queryset(), pk=pk)
    item = DealLineItem.objects.filter(pk=item_pk, deal=deal).first()
    version = request.POST.get("version", "")
    if item is None:
        messages.error(request, "That line item is already gone.")
        return redirect("pipeline:deal_detail", pk=deal.pk)
    return _after_action(
        request,
        deal,
        lambda: services.line_item_remove(
            actor=request.user,
            deal=deal,
            expected_version=int(version) if version.isdigit() else None,
            item=item,
        ),
        "Line item removed.",
    )
