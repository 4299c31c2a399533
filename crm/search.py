"""Global search: a registry of providers, each answering with one visibility-scoped query.

crm registers accounts and contacts below; leads and pipeline register theirs from their
AppConfig.ready():

    from crm.search import register
    register(LeadSearch())

A provider has `kind` (plural label shown as the group heading), `icon` and
`search(actor=, terms=, limit=)` returning `SearchResult`s, best first. The helpers
`prefix_query`, `fuzzy_match` and `best_of` give the same typo tolerance everywhere: a
full-text prefix match on a generated `search_document` column (GIN), a substring of a
lower-case column such as email (GIN trigram), or trigram word similarity to a name column
(GiST trigram, walked nearest-first so a misspelled word never ranks thousands of rows).
"""

import re
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramWordDistance,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import F, FloatField, Model, Q, QuerySet, Value
from django.db.models.functions import Greatest, Lower
from django.urls import reverse

from crm.models import Account, Contact, User
from crm.visibility import visible

# Word similarity of a term to the best-matching part of a name. Looser than pg_trgm's
# default 0.6 so one typo in a short name ("Jonh" -> "John", 0.4) still matches.
WORD_SIMILARITY_THRESHOLD = 0.4
MAX_TERMS = 5
CANDIDATES = 100  # rows fetched per index branch; the union of branches is then ranked
FUZZY_MIN_LENGTH = 3  # shorter terms only match as prefixes or substrings
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


def external_id_hits(queryset: QuerySet[Any], terms: list[str], limit: int) -> list[Any]:
    """Records whose external id is the (one-word) query, ignoring case: someone pasting an
    id from another system. Uses each kind's index on lower(external_id). Only a word with
    a digit is looked up (ids have them; names rarely do), so name searches cost nothing more."""
    if len(terms) != 1 or not any(c.isdigit() for c in terms[0]):
        return []
    return list(
        queryset.alias(external_id_lower=Lower("external_id")).filter(external_id_lower=terms[0])[
            :limit
        ]
    )


def search(*, actor: User, query: str, limit: int = 8) -> list[SearchGroup]:
    """Every provider's best matches among the records `actor` may see."""
    terms = terms_of(query)
    if not terms:
        return []
    groups = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(WORD_SIMILARITY_THRESHOLD)],
            )
        for provider in providers():
            results = provider.search(actor=actor, terms=terms, limit=limit)
            if results:
                groups.append(SearchGroup(provider.kind, provider.icon, results))
    return groups


def prefix_query(terms: list[str]) -> SearchQuery:
    """All terms as word prefixes ("smi" finds "Smith"). Terms are \\w+ only, so safe raw."""
    return SearchQuery(" & ".join(f"{t}:*" for t in terms), search_type="raw", config="simple")


@dataclass(frozen=True)
class Fields:
    """Where a provider looks: the tsvector column, name columns compared by trigram word
    similarity (GiST `gist_trgm_ops`) and lower-case columns searched for substrings (GIN)."""

    document: str
    similar: tuple[str, ...]
    contains: tuple[str, ...] = ()


def fuzzy_match(terms: list[str], fields: Fields) -> tuple[Q, Any]:
    """(filter, rank) for a queryset. Every term must hit: as a word prefix in the document,
    word-similar to one of the name columns (a typo), or inside one of the contains columns.
    Used on the few candidate rows `candidates` found, so it needs no index of its own."""
    match = Q()
    rank: Any = SearchRank(F(fields.document), prefix_query(terms))
    for term in terms:
        hit = Q(**{fields.document: prefix_query([term])})
        for name in fields.similar:
            hit |= Q(**{f"{name}__trigram_word_similar": term})
        for name in fields.contains:
            hit |= Q(**{f"{name}__contains": term})  # stored lower case
        match &= hit
        similarities = [TrigramWordSimilarity(term, name) for name in fields.similar]
        best = Greatest(*similarities) if len(similarities) > 1 else similarities[0]
        rank = rank + best
    return match, rank


def candidates[M: Model](scoped: QuerySet[M, Any], terms: list[str], fields: Fields) -> list[Any]:
    """Primary keys of a superset of the best matches: one UNION of short index-driven
    branches of at most CANDIDATES rows each: all terms as prefixes (GIN full text), the
    longest term as a substring (GIN trigram), and per term and name column the nearest
    names by trigram word distance (GiST KNN: `ORDER BY 'smiht' <<-> name LIMIT k` stops
    after k index entries instead of rechecking every row that shares a trigram).

    Sequential scans are switched off for this one statement: with a LIMIT the planner
    otherwise bets on finding matches early in a table scan and, for a word that matches
    nothing, reads all of it."""
    base = scoped.order_by()
    branches = [base.filter(**{fields.document: prefix_query(terms)})]
    longest = max(terms, key=len)
    if len(longest) >= FUZZY_MIN_LENGTH:
        branches += [base.filter(**{f"{c}__contains": longest}) for c in fields.contains]
    for term in [t for t in terms if len(t) >= FUZZY_MIN_LENGTH]:
        for name in fields.similar:
            near = base.filter(**{f"{name}__trigram_word_similar": term})
            branches.append(near.order_by(TrigramWordDistance(term, name)))
    first, *rest = [b.values_list("pk", flat=True)[:CANDIDATES] for b in branches]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        pks = list(first.union(*rest)) if rest else list(first)
        cursor.execute("SELECT set_config('enable_seqscan', 'on', true)")
    return pks


def best_of[M: Model](
    scoped: QuerySet[M, Any],
    terms: list[str],
    fields: Fields,
    *,
    order: tuple[str, ...],
    limit: int,
) -> QuerySet[Any, Any]:
    """The `limit` best rows of `scoped` for the terms: candidates first (one query), then
    every term checked and ranked on those few rows only (one query by primary key)."""
    match, rank = fuzzy_match(terms, fields)
    return (
        scoped.filter(pk__in=candidates(scoped, terms, fields))
        .filter(match)
        .annotate(rank=rank + Value(0.0, output_field=FloatField()))
        .order_by("-rank", *order)[:limit]
    )


ACCOUNT_FIELDS = Fields("search_document", similar=("name",), contains=("domain",))
CONTACT_FIELDS = Fields("search_document", similar=("first_name", "last_name"), contains=("email",))


class AccountSearch:
    kind = "Accounts"
    icon = "buildings"

    def search(self, *, actor: User, terms: list[str], limit: int) -> list[SearchResult]:
        scoped = visible(actor, Account.objects.alive())
        best = best_of(scoped, terms, ACCOUNT_FIELDS, order=("name", "id"), limit=limit).only(
            "id", "name", "domain", "country"
        )
        hits = external_id_hits(scoped.annotate(rank=Value(1.0)), terms, limit)
        rows = [*hits, *(a for a in best if a.pk not in {h.pk for h in hits})][:limit]
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
        scoped = visible(actor, Contact.objects.alive())
        best = (
            best_of(scoped, terms, CONTACT_FIELDS, order=("last_name", "id"), limit=limit)
            .select_related("account")
            .only("id", "first_name", "last_name", "email", "title", "account__name")
        )
        hits = external_id_hits(
            scoped.select_related("account").annotate(rank=Value(1.0)), terms, limit
        )
        rows = [*hits, *(c for c in best if c.pk not in {h.pk for h in hits})][:limit]
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
