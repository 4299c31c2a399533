"""Leads in the one search engine (crm.search): names, company and email in the generated
`search_words` column, newest first."""

from django.urls import reverse

from crm.models import User
from crm.search import Match, SearchKind, SearchResult, joined, narrowed, with_id_hits
from crm.visibility import visible
from leads.models import Lead
from leads.selectors.scoped import lead_plan, per_owner_rows


class LeadSearch(SearchKind):
    kind = "lead"
    label = "Leads"
    icon = "lightning-charge"
    model = Lead
    word_fields = frozenset({"first_name", "last_name", "company", "email"})

    def search(self, *, actor: User, match: Match, limit: int) -> list[SearchResult]:
        scoped = visible(actor, Lead.objects.alive()).order_by("-created_at", "-id")
        leads = narrowed(scoped, match.filter(scoped)).only(
            "id", "first_name", "last_name", "company", "email", "status"
        )
        # A manager sees a few owners' leads among many: walk each owner's own index.
        plan = lead_plan(actor=actor)
        rows = per_owner_rows(leads, plan.scope, limit) if plan.scope else list(leads[:limit])
        rows = with_id_hits(scoped, match, rows, limit)
        return [
            SearchResult(
                kind=self.kind,
                id=lead.pk,
                title=lead.full_name or lead.email or lead.company,
                url=reverse("leads:detail", args=[lead.pk]),
                subtitle=joined(lead.company, lead.email, lead.get_status_display()),
            )
            for lead in rows
        ]
