"""Global search: a registry of providers, each answering with one visibility-scoped query.

crm registers accounts and contacts below; leads and pipeline register theirs from their
AppConfig.ready():

    from crm.search import register
    register(LeadSearch())

A provider has `kind` (plural label shown as the group heading), `icon` and
`search(actor=, terms=, limit=)` returning `SearchResult`s, best first. The helpers
`prefix_query` and `fuzzy_match` give the same typo tolerance everywhere: full-text prefix
match on a generated `search_document` column, or trigram similarity on name columns
(both GIN-indexed).
"""

import re
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
)
from django.db import connection, transaction
from django.db.models import F, FloatField, Model, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.urls import reverse

from crm.models import Account, Contact, User
from crm.visibility import visible

# Looser than pg_trgm's default 0.3 so one typo in a short name ("Jonh") still matches.
SIMILARITY_THRESHOLD = 0.2
MAX_TERMS = 5
CANDIDATES = 300  # rows ranked per provider; the filters already keep only real matches
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    subtitle: str = ""
    score: float = 0.0


class SearchProvider(Protocol):
    kind: str
    icon: str

    def search(self, *, actor: User, terms: list[str], limit: int) -> list[SearchResult]: ...


@dataclass
class SearchGroup:
    kind: str
    icon: str
    results: list[SearchResult]


_providers: dict[str, SearchProvider] = {}


def register(provider: SearchProvider) -> SearchProvider:
    """Add (or replace, by kind) a provider; returns it so it can decorate an instance."""
    _providers[provider.kind] = provider
    return provider


def providers() -> list[SearchProvider]:
    return list(_providers.values())


def terms_of(query: str) -> list[str]:
    """Words of the query, lower case, at most MAX_TERMS of at most 40 characters."""
    return [w.lower()[:40] for w in WORD.findall(query)][:MAX_TERMS]


def search(*, actor: User, query: str, limit: int = 8) -> list[SearchGroup]:
    """Every provider's best matches among the records `actor` may see."""
    terms = terms_of(query)
    if not terms:
        return []
    groups = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
                [str(SIMILARITY_THRESHOLD)],
            )
        for provider in providers():
            results = provider.search(actor=actor, terms=terms, limit=limit)
            if results:
                groups.append(SearchGroup(provider.kind, provider.icon, results))
    return groups


def prefix_query(terms: list[str]) -> SearchQuery:
    """All terms as word prefixes ("smi" finds "Smith"). Terms are \\w+ only, so safe raw."""
    return SearchQuery(" & ".join(f"{t}:*" for t in terms), search_type="raw", config="simple")


def fuzzy_match(
    terms: list[str], *, document: str, similar: tuple[str, ...], contains: tuple[str, ...] = ()
) -> tuple[Q, Any]:
    """(filter, rank) for a queryset. Every term must hit: as a word prefix in `document`,
    trigram-similar to one of `similar` (a typo), or inside one of `contains` (lower-case
    columns such as email). Each arm is GIN-indexed, so PostgreSQL combines bitmap scans."""
    match = Q()
    rank: Any = SearchRank(F(document), prefix_query(terms))
    for term in terms:
        hit = Q(**{document: prefix_query([term])})
        for name in similar:
            hit |= Q(**{f"{name}__trigram_similar": term})
        for name in contains:
            hit |= Q(**{f"{name}__contains": term})  # stored lower case: trigram-indexed LIKE
        match &= hit
        similarities = [TrigramSimilarity(name, term) for name in similar]
        best = Greatest(*similarities) if len(similarities) > 1 else similarities[0]
        rank = rank + best
    return match, rank


def best_of[M: Model](
    scoped: QuerySet[M, Any], match: Q, rank: Any, *, order: tuple[str, ...], limit: int
) -> QuerySet[Any, Any]:
    """Rank at most CANDIDATES matching rows (a short index-driven subquery), best first."""
    candidates = scoped.filter(match).order_by().values("pk")[:CANDIDATES]
    return (
        scoped.filter(pk__in=candidates)
        .annotate(rank=rank + Value(0.0, output_field=FloatField()))
        .order_by("-rank", *order)[:limit]
    )


class AccountSearch:
    kind = "Accounts"
    icon = "buildings"

    def search(self, *, actor: User, terms: list[str], limit: int) -> list[SearchResult]:
        match, rank = fuzzy_match(
            terms, document="search_document", similar=("name",), contains=("domain",)
        )
        scoped = visible(actor, Account.objects.filter(deleted_at__isnull=True))
        rows = best_of(scoped, match, rank, order=("name", "id"), limit=limit).only(
            "id", "name", "domain", "country"
        )
        return [
            SearchResult(
                title=a.name,
                url=reverse("crm:account_detail", args=[a.pk]),
                subtitle=" · ".join(x for x in (a.domain, a.country) if x),
                score=float(a.rank),  # type: ignore[attr-defined]
            )
            for a in rows
        ]


class ContactSearch:
    kind = "Contacts"
    icon = "person-lines-fill"

    def search(self, *, actor: User, terms: list[str], limit: int) -> list[SearchResult]:
        match, rank = fuzzy_match(
            terms,
            document="search_document",
            similar=("first_name", "last_name"),
            contains=("email",),
        )
        scoped = visible(actor, Contact.objects.filter(deleted_at__isnull=True))
        rows = (
            best_of(scoped, match, rank, order=("last_name", "id"), limit=limit)
            .select_related("account")
            .only("id", "first_name", "last_name", "email", "title", "account__name")
        )
        return [
            SearchResult(
                title=c.full_name,
                url=reverse("crm:contact_detail", args=[c.pk]),
                subtitle=" · ".join(
                    x for x in (c.title, c.account.name if c.account else "", c.email) if x
                ),
                score=float(c.rank),  # type: ignore[attr-defined]
            )
            for c in rows
        ]


register(AccountSearch())
register(ContactSearch())
