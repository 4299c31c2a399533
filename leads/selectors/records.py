"""One lead and what its page shows; search."""

from typing import Any

from django.core.cache import cache

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
    return {"transitions": lead_transitions(lead), "deals": deals, "merges": merges}


DUPLICATES_CACHE_SECONDS = 300


def lead_duplicates(*, actor: User, lead: Lead) -> list[Any]:
    """The lead page's "Possible duplicates" (loaded after the page, through htmx), cached
    for a few minutes per viewer and per version of the lead: an edit asks again at once."""
    from leads.services.duplicates import find_duplicates

    if lead.status == "converted":
        return []
    key = f"lead-duplicates:{lead.pk}:{lead.updated_at.timestamp()}:{actor.pk}"
    found = cache.get(key)
    if found is None:
        found = [
            candidate
            for candidate in find_duplicates(
                actor=actor,
                email=lead.email,
                phone=lead.phone,
                first_name=lead.first_name,
                last_name=lead.last_name,
                company=lead.company,
                exclude_lead=lead,
            )
            if candidate.kind == "lead" or candidate.visible
        ]
        cache.set(key, found, DUPLICATES_CACHE_SECONDS)
    return list(found)
