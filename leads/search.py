"""Leads in the global search: every term inside name/company/email (GIN trigram index on
the generated `search_text`), or the whole query trigram-similar to "name company"."""

from django.db.models import Q
from django.urls import reverse

from crm.models import User
from crm.search import SearchResult, external_id_hits
from crm.visibility import visible
from leads.models import Lead
from leads.selectors.scoped import lead_plan, per_owner_rows


class LeadSearch:
    kind = "Leads"
    icon = "lightning-charge"

    def search(self, *, actor: User, terms: list[str], limit: int) -> list[SearchResult]:
        contains = Q()
        for term in terms:
            contains &= Q(search_text__contains=term)
        match = contains | Q(name_company__trigram_similar=" ".join(terms))
        leads = (
            visible(actor, Lead.objects.alive())
            .filter(match)
            .only("id", "first_name", "last_name", "company", "email", "status")
            .order_by("-created_at", "-id")
        )
        # A manager sees a few owners' leads among many: walk each owner's own index.
        plan = lead_plan(actor=actor)
        rows = per_owner_rows(leads, plan.scope, limit) if plan.scope else list(leads[:limit])
        scoped = visible(actor, Lead.objects.alive()).order_by("-created_at", "-id")
        hits = external_id_hits(scoped, terms, limit)
        rows = [*hits, *(lead for lead in rows if lead.pk not in {h.pk for h in hits})][:limit]
        return [
            SearchResult(
                title=lead.full_name or lead.email or lead.company,
                url=reverse("leads:detail", args=[lead.pk]),
                subtitle=" · ".join(
                    x for x in (lead.company, lead.email, lead.get_status_display()) if x
                ),
            )
            for lead in rows
        ]
