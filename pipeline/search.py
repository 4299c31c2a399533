"""Deals in the one search engine (crm.search): the deal's name and its account's name.

Unlike the other kinds, a deal's `search_words` can't be a generated column (the account
name lives in another table), so it is kept here: after every change of deals, and of
accounts' names, from the change event; `manage.py search_words` recomputes all of them."""

from collections.abc import Sequence

from django.db import connection
from django.urls import reverse

from crm import events
from crm.models import Account, User
from crm.search import Match, SearchKind, SearchResult, best_rows, index_records, joined
from pipeline.models import Deal
from pipeline.selectors import deals_visible
from pipeline.templatetags.pipeline_tags import money


class DealSearch(SearchKind):
    kind = "deal"
    label = "Deals"
    icon = "kanban"
    model = Deal
    word_fields = frozenset({"name", "account"})

    def search(self, *, actor: User, match: Match, limit: int) -> list[SearchResult]:
        scoped = deals_visible(actor).select_related("stage", "account")
        rows = best_rows(scoped, match, order=("closed_at", "-updated_at", "-id"), limit=limit)
        return [
            SearchResult(
                kind=self.kind,
                id=deal.pk,
                title=deal.name,
                url=reverse("pipeline:deal_detail", args=[deal.pk]),
                subtitle=joined(
                    deal.account.name if deal.account else "",
                    deal.stage.name,
                    money(deal.amount, deal.currency),
                ),
            )
            for deal in rows
        ]

    def refresh(self, ids: Sequence[int] | None) -> None:
        where = "WHERE d.id = ANY(%s)" if ids is not None else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {Deal._meta.db_table} d SET search_words = to_tsvector(
                    'simple'::regconfig,
                    d.name || ' ' || translate(d.name, '@.-_+', '     ') || ' ' || coalesce(
                        (SELECT a.name FROM {Account._meta.db_table} a WHERE a.id = d.account_id),
                        ''
                    )
                )
                {where}
                """,  # noqa: S608 - table names come from model metadata
                [list(ids)] if ids is not None else [],
            )


DEAL_SEARCH = DealSearch()


def accounts_renamed(event: events.ChangeEvent) -> None:
    """An account's new name is a word of its deals too."""
    if event.fields and "name" not in event.fields:
        return
    ids = Deal.objects.filter(account_id__in=event.ids).values_list("id", flat=True)
    index_records(DEAL_SEARCH, list(ids))
