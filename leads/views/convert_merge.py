"""Converting an SQL lead, and merging two leads (plus an administrator's undo)."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from crm.access import ADMIN, AuthenticatedRequest, access, scoped
from crm.errors import Conflict, DomainError
from crm.models import Account
from crm.views.forms import apply_domain_error
from crm.visibility import visible
from leads import selectors
from leads.forms import ConvertForm
from leads.models import LeadMerge, LeadStatus
from leads.services.conversion import DealSpec, lead_convert
from leads.services.duplicates import find_duplicates
from leads.services.merge import MERGE_FIELDS, lead_merge, lead_merge_undo
from leads.views.records import _lead_or_404


@access(scoped("leads.Lead"))
def convert(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    if lead.status == LeadStatus.CONVERTED:
        messages.info(request, "This lead is already converted.")
        return redirect("leads:detail", pk=lead.pk)
    initial = {
        "account_name": lead.company or lead.full_name,
        "contact_first_name": lead.first_name,
        "contact_last_name": lead.last_name or lead.first_name,
        "contact_email": lead.email,
        "contact_phone": lead.phone,
        "deal_name": f"{lead.company or lead.full_name} - new business",
        "amount": lead.budget,
        "create_deal": True,
    }
    form = ConvertForm(request.POST or None, initial=initial)
    candidates = [
        c
        for c in find_duplicates(actor=request.user, company=lead.company or lead.full_name)
        if c.kind == "account"
    ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = lead_convert(
                actor=request.user,
                lead=lead,
                account=_chosen_account(request, data["account_choice"]),
                account_data={"name": data["account_name"]},
                contact_data={
                    "first_name": data["contact_first_name"],
                    "last_name": data["contact_last_name"],
                    "email": data["contact_email"],
                    "phone": data["contact_phone"],
                },
                deal=DealSpec(
                    pipeline=data["pipeline"],
                    stage=data["stage"],
                    name=data["deal_name"],
                    amount=data["amount"] or Decimal(0),
                    expected_close_date=data["expected_close_date"],
                )
                if data["create_deal"]
                else None,
            )
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("leads:detail", pk=lead.pk)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Converted: the account, contact and deal are ready.")
            if result.deal is not None:
                return redirect("leads:detail", pk=lead.pk)
            return redirect("leads:detail", pk=lead.pk)
    return render(
        request,
        "leads/convert.html",
        {"lead": lead, "form": form, "accounts": candidates, "nav_section": "leads"},
    )


def _chosen_account(request: AuthenticatedRequest, choice: str) -> Account | None:
    if not choice or choice == "new":
        return None
    if not choice.isdigit():
        raise DomainError("Pick an account from the list.", field="account_choice")
    account = visible(request.user, Account.objects.filter(pk=int(choice))).first()
    if account is None:
        raise DomainError("That account isn't visible to you.", field="account_choice")
    return account


def _shown(lead: Any, name: str) -> Any:
    """A field's value as people read it: "Within 2 months", not `within_2_months`."""
    field = lead._meta.get_field(name)
    value = getattr(lead, name)
    if getattr(field, "choices", None) and value not in ("", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


@access(scoped("leads.Lead"))
def merge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Merge another lead (?other=<id>) into this one, picking each field's value."""
    lead = _lead_or_404(request, pk)
    other_id = request.POST.get("other") or request.GET.get("other") or ""
    other = (
        selectors.lead_for_actor(actor=request.user, pk=int(other_id))
        if other_id.isdigit()
        else None
    )
    if other is None or other.pk == lead.pk:
        messages.info(request, "Pick a possible duplicate below to merge it into this lead.")
        return redirect("leads:detail", pk=lead.pk)
    rows = []
    for field in MERGE_FIELDS:
        name = field.removesuffix("_id")
        mine, theirs = getattr(lead, name), getattr(other, name)
        rows.append(
            {
                "name": name,
                "label": str(
                    getattr(lead._meta.get_field(name), "verbose_name", name)
                ).capitalize(),
                "winner": mine,
                "loser": theirs,
                "winner_shown": _shown(lead, name),
                "loser_shown": _shown(other, name),
                "pick": "loser" if mine in ("", None) and theirs not in ("", None) else "winner",
                "same": mine == theirs,
            }
        )
    if request.method == "POST":
        choices = {r["name"]: request.POST.get(f"pick_{r['name']}", "winner") for r in rows}
        try:
            lead_merge(actor=request.user, winner=lead, loser=other, choices=choices)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Merged {other} into this lead.")
            return redirect("leads:detail", pk=lead.pk)
    return render(
        request,
        "leads/merge.html",
        {"lead": lead, "other": other, "rows": rows, "nav_section": "leads"},
    )


@access(ADMIN)
@require_POST
def merge_undo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(LeadMerge, pk=pk)
    try:
        loser = lead_merge_undo(actor=request.user, merge=record)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("leads:detail", pk=record.winner_id)
    messages.success(request, f"Merge undone: {loser} is back.")
    return redirect("leads:detail", pk=loser.pk)
