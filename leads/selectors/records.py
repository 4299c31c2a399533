"""One lead and what its page shows; search."""

from typing import Any

from django.db.models import QuerySet

from crm.models import User
from crm.visibility import visible
from leads.models import Lead, LeadMerge, LeadTransition
from pipeline.models import Deal


def lead_for_actor(*, actor: User, pk: int) -> Lead | None:
    return (
        visible(actor, Lead.objects.alive())
        .select_related(
            "owner",
            "source",
            "converted_account",
            "converted_contact",
            "temperature_override_by",
        )
        .filter(pk=pk)
        .first()
    )


def lead_transitions(lead: Lead) -> list[LeadTransition]:
    return list(lead.transitions.select_related("actor").order_by("-at", "-id")[:50])


def lead_detail(*, actor: User, lead: Lead) -> dict[str, Any]:
    """Everything the lead page shows besides the lead itself, in a fixed number of queries."""
    from leads.services.duplicates import find_duplicates

    deals: list[Any] = []
    if lead.converted_deal_id:
        deals = list(
            visible(actor, Deal.objects.filter(pk=lead.converted_deal_id)).select_related(
                "stage", "pipeline"
            )
        )
    merges = list(
        LeadMerge.objects.filter(winner=lead).select_related("loser", "actor").order_by("-at")[:10]
    )
    duplicates = (
        []
        if lead.status == "converted"
        else find_duplicates(
            actor=actor,
            email=lead.email,
            phone=lead.phone,
            first_name=lead.first_name,
            last_name=lead.last_name,
            company=lead.company,
            exclude_lead=lead,
        )
    )
    return {
        "transitions": lead_transitions(lead),
        "deals": deals,
        "merges": merges,
        "duplicates": [d for d in duplicates if d.kind == "lead" or d.visible],
    }


def lead_search(*, actor: User, query: str, limit: int = 20) -> QuerySet[Lead]:
    """Leads whose name, company or email contain `query` (GIN trigram index)."""
    text = query.strip().lower()
    leads = visible(actor, Lead.objects.alive()).select_related("owner")
    if len(text) < 2:
        return leads.none()
    return leads.filter(search_text__contains=text).order_by("-created_at", "-id")[:limit]
