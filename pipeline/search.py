"""Deals in the global search (crm.search): name or account name, visibility-scoped."""

from functools import reduce
from operator import and_

from django.db.models import Q
from django.urls import reverse

from crm.models import User
from crm.search import SearchResult, external_id_hits
from pipeline.selectors import deals_visible
from pipeline.templatetags.pipeline_tags import money


class DealSearch:
    kind = "Deals"
    icon = "kanban"

    def search(self, *, actor: User, terms: list[str], limit: int) -> list[SearchResult]:
        match = reduce(and_, [Q(name__icontains=t) | Q(account__name__icontains=t) for t in terms])
        best = (
            deals_visible(actor)
            .filter(match)
            .select_related("stage", "account")
            .order_by("closed_at", "-updated_at", "-id")[:limit]
        )
        scoped = deals_visible(actor).select_related("stage", "account")
        hits = external_id_hits(scoped, terms, limit)
        rows = [*hits, *(d for d in best if d.pk not in {h.pk for h in hits})][:limit]
        return [
            SearchResult(
                title=deal.name,
                url=reverse("pipeline:deal_detail", args=[deal.pk]),
                subtitle=" · ".join(
                    x
                    for x in (
                        deal.account.name if deal.account else "",
                        deal.stage.name,
                        money(deal.amount, deal.currency),
                    )
                    if x
                ),
            )
            for deal in rows
        ]
