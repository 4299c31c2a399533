"""The one search engine: list searches (`q` on leads, accounts, contacts and deals, pages
and API), global search (`/search/`, the top bar's suggestions, `GET /api/v1/search/`).

How a query is answered, index-driven at a million records:

1. The query's words (`words_of`, at most MAX_WORDS) are expanded in ONE query to their
   close spellings: the nearest entries of `crm.SearchWord`, the small table of distinct
   words of every record, walked nearest-first on its GiST trigram index (`close_spellings`).
2. Every word must then match the record's `search_words` tsvector (GIN): as a word prefix
   ("smi" finds Smith) or as one of its close spellings ("Wrigth" finds Wright, "Soylnt"
   finds Soylent). `Match.filter()` adds `search_words @@ '…'::tsquery` to any queryset.

So list search is word-prefix, not substring: "mith" does not find Smith. The words of a
record are added to `SearchWord` from the change event; words no record uses any more stay
until `manage.py search_words` rebuilds the table (they cost nothing but a miss).

Each searchable kind is a provider registered here: crm registers accounts and contacts
below, leads and pipeline register theirs from their AppConfig.ready() (crm never imports
them):

    from crm.search import register
    register(LeadSearch())
"""

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib.postgres.search import SearchQueryField
from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Model, Q, QuerySet, Value
from django.db.models.functions import Cast, Lower
from django.urls import reverse

from crm import events
from crm.models import Account, Contact, SearchWord, User
from crm.request_cache import remembered
from crm.visibility import visible

MAX_WORDS = 5
MAX_WORD_LENGTH = 40
CLOSE_SPELLINGS = 5  # nearest known words tried per query word
COMPLETIONS = 30  # a word beginning more known words than this stays a prefix
FEW_MATCHES = 1000  # up to this many matches a list is read by their ids (see narrowed)
FUZZY_MIN_LENGTH = 3  # shorter words only match as prefixes
# Only plain words go into the word table: a vocabulary, not one entry per email address.
INDEXED_WORD = r"^[[:alpha:]]{3,40}$"
WORD = re.compile(r"[^\W_]+", re.UNICODE)  # as the text search parser splits words
PLAIN_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # letters only, as INDEXED_WORD


def words_of(query: str) -> list[str]:
    """The query's words, lower case, without repeats: at most MAX_WORDS, each cut short."""
    words: list[str] = []
    for word in WORD.findall(query.lower()):
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


# For each query word, in one statement: the nearest known words above pg_trgm's similarity
# threshold (0.3), a KNN walk of the GiST index that stops after CLOSE_SPELLINGS entries;
# and the known words it begins (a byte-wise range: the pattern index, whatever the
# collation), at most COMPLETIONS + 1.
EXPANSION_SQL = f"""
    SELECT q.word, near.word, false
    FROM unnest(%(fuzzy)s::text[]) AS q(word)
    CROSS JOIN LATERAL (
        SELECT s.word FROM {SearchWord._meta.db_table} s
        WHERE s.word %% q.word
        ORDER BY s.word <-> q.word
        LIMIT %(close)s
    ) AS near
    UNION ALL
    SELECT q.word, known.word, true
    FROM unnest(%(fuzzy)s::text[]) AS q(word)
    CROSS JOIN LATERAL (
        SELECT s.word FROM {SearchWord._meta.db_table} s
        WHERE s.word ~>=~ q.word AND s.word ~<~ (q.word || chr(1114111))
        LIMIT %(completions)s
    ) AS known
"""  # noqa: S608 - the table name comes from model metadata


@dataclass
class Expansion:
    close: list[str]  # close spellings, nearest first
    completions: list[str] | None  # the known words it begins; None: too many to list


def expand(words: Sequence[str]) -> dict[str, Expansion]:
    """For each plain word (letters only, FUZZY_MIN_LENGTH or more), its close spellings
    and the known words it is the beginning of, in one query over the word table."""
    fuzzy = [w for w in words if len(w) >= FUZZY_MIN_LENGTH and PLAIN_WORD.fullmatch(w)]
    found = {w: Expansion([], []) for w in fuzzy}
    if not fuzzy:
        return found
    with connection.cursor() as cursor:
        cursor.execute(
            EXPANSION_SQL,
            {"fuzzy": fuzzy, "close": CLOSE_SPELLINGS, "completions": COMPLETIONS + 1},
        )
        for word, known, is_completion in cursor.fetchall():
            expansion = found[word]
            if not is_completion:
                if known != word:
                    expansion.close.append(known)
            elif expansion.completions is not None:
                expansion.completions.append(known)
                if len(expansion.completions) > COMPLETIONS:
                    expansion.completions = None
    return found


def close_spellings(words: Sequence[str]) -> dict[str, list[str]]:
    """Known words close to each of `words` (trigram similarity), nearest first."""
    found = expand(words)
    return {w: found[w].close if w in found else [] for w in words}


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


class WordsMatch(Func):
    """`search_words @@ '…'::tsquery`: the operator the GIN index on the column answers."""

    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


@dataclass(frozen=True)
class Match:
    """A parsed query: its words and the tsquery that requires every one of them."""

    words: tuple[str, ...]
    tsquery: str

    def __bool__(self) -> bool:
        return bool(self.tsquery)

    def q(self, field: str = "search_words") -> Q:
        """A filter for `field` (a tsvector); matches nothing for a query without words."""
        if not self.tsquery:
            return Q(pk__in=[])
        query = Cast(Value(self.tsquery), output_field=SearchQueryField())
        return Q(WordsMatch(F(field), query))

    def filter[M: Model](self, queryset: QuerySet[M, Any], field: str = "search_words") -> Any:
        return queryset.filter(self.q(field))


def parse(query: str) -> Match:
    """Every word of `query` as a prefix or one of its close spellings (one query, none
    for a query of only short words or words with digits; remembered for the request).

    A plain word that begins only a few known words is spelled out as those words rather
    than as a prefix: the planner estimates exact words from the column's statistics and
    so reads the GIN index for a rare word, where a prefix (`'quasr':*`) looks common and
    would send it walking the list's order index over the whole table. A word that begins
    many known words, a short word and a word with digits stay prefixes (`'smi':*`)."""
    words = words_of(query)
    if not words:
        return Match((), "")
    found = remembered(("crm.search", tuple(words)), lambda: expand(words))
    parts = []
    for word in words:
        expansion = found.get(word)
        if expansion is None or expansion.completions is None:
            alternatives = [f"{_lexeme(word)}:*"]
        else:
            alternatives = [_lexeme(known) for known in expansion.completions]
        if expansion is not None:
            alternatives += [_lexeme(near) for near in expansion.close]
        if not alternatives:  # a plain word that begins no known word and is close to none
            alternatives = [_lexeme(word)]
        parts.append("(" + " | ".join(dict.fromkeys(alternatives)) + ")")
    return Match(tuple(words), " & ".join(parts))


def filter_words[M: Model](queryset: QuerySet[M, Any], query: str) -> QuerySet[M, Any]:
    """`queryset` narrowed to records matching every word of `query` (typos allowed), or
    to the record whose external id is the query. Used by every list's `q`."""
    text = query.strip()
    match = parse(text)
    external = Q(external_id=text[:100]) if text else Q(pk__in=[])
    return narrowed(queryset, queryset.filter(match.q() | external))


def narrowed[M: Model](queryset: QuerySet[M, Any], matching: QuerySet[M, Any]) -> Any:
    """`matching` (a filter of `queryset`) as the planner should read it, whatever it
    guesses. Text-search estimates are rough: a word matching 3 of a million rows may be
    guessed at 5,000, and a list ordered by an index (newest first, by name) would then walk
    that index through the whole table to fill its page. So the matches are fetched first,
    without order (the GIN index, stopping after FEW_MATCHES + 1); when they are few the
    list is those ids (primary-key look-ups and a small sort), otherwise the filter stays
    as it is, and walking the order index is the right plan for a word that common."""
    ids = list(matching.order_by().values_list("pk", flat=True)[: FEW_MATCHES + 1])
    if len(ids) <= FEW_MATCHES:
        return queryset.filter(pk__in=ids)
    return matching


# Global search -------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    kind: str  # "lead", "deal", "account", "contact"
    id: int
    title: str
    url: str
    subtitle: str = ""


@dataclass
class SearchGroup:
    kind: str
    label: str
    icon: str
    results: list[SearchResult]


class SearchKind(ABC):
    """A searchable kind of record. `model` has a `search_words` tsvector with a GIN index;
    `word_fields` are the fields its words come from (a change to other fields doesn't
    touch the word table)."""

    kind: ClassVar[str]
    label: ClassVar[str]
    icon: ClassVar[str]
    model: ClassVar[type[Model]]
    word_fields: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def search(self, *, actor: User, match: Match, limit: int) -> list[SearchResult]: ...

    def refresh(self, ids: Sequence[int] | None) -> None:  # noqa: B027 - a default, not abstract
        """Bring a maintained `search_words` up to date (None: every row). Generated
        columns (leads, accounts, contacts) are kept by PostgreSQL and need nothing."""


_providers: dict[str, SearchKind] = {}


@dataclass(frozen=True)
class _IndexOnChange:
    """Change-event subscriber: refresh the changed records' words and learn new ones."""

    provider: SearchKind

    def __call__(self, event: events.ChangeEvent) -> None:
        fields = self.provider.word_fields
        if event.fields and fields and not event.fields & fields:
            return
        index_records(self.provider, event.ids)


def register(provider: SearchKind) -> SearchKind:
    """Add (or replace, by kind) a provider; its records' words follow the change event."""
    _providers[provider.kind] = provider
    events.subscribe(events.label_of(provider.model), _IndexOnChange(provider))
    return provider


def providers() -> list[SearchKind]:
    return list(_providers.values())


def _insert_words(model: type[Model], ids: Sequence[int] | None) -> None:
    table = model._meta.db_table
    where = "AND t.id = ANY(%s)" if ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {SearchWord._meta.db_table} (word)
            SELECT DISTINCT w FROM {table} t, unnest(tsvector_to_array(t.search_words)) AS w
            WHERE w ~ %s {where}
            ORDER BY w
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 - table names come from model metadata
            [INDEXED_WORD, list(ids)] if ids is not None else [INDEXED_WORD],
        )


def index_records(provider: SearchKind, ids: Iterable[int]) -> None:
    """Refresh `ids`' search words and add the words new to the word table."""
    pks = sorted(set(ids))
    if not pks:
        return
    with transaction.atomic():
        provider.refresh(pks)
        _insert_words(provider.model, pks)


def index(model: type[Model], ids: Iterable[int]) -> None:
    """`index_records` for the provider of `model` (nothing for a kind search doesn't know)."""
    for provider in providers():
        if provider.model is model:
            index_records(provider, ids)


def rebuild_words() -> int:
    """Recompute every maintained `search_words` and the word table from scratch (drops
    words no record uses any more). Returns how many words the table holds."""
    with transaction.atomic():
        SearchWord.objects.all().delete()
        for provider in providers():
            provider.refresh(None)
            _insert_words(provider.model, None)
        return SearchWord.objects.count()


def external_id_hits(queryset: QuerySet[Any], words: Sequence[str], limit: int) -> list[Any]:
    """Records whose external id is the (one-word) query, ignoring case: someone pasting an
    id from another system. Uses each kind's index on lower(external_id). Only a word with
    a digit is looked up (ids have them; names rarely do), so name searches cost nothing more."""
    if len(words) != 1 or not any(c.isdigit() for c in words[0]):
        return []
    return list(
        queryset.alias(external_id_lower=Lower("external_id")).filter(external_id_lower=words[0])[
            :limit
        ]
    )


def with_id_hits(scoped: QuerySet[Any], match: Match, rows: list[Any], limit: int) -> list[Any]:
    """The external-id hits (if any) first, then `rows` without them, `limit` in all."""
    hits = external_id_hits(scoped, match.words, limit)
    seen = {h.pk for h in hits}
    return [*hits, *(r for r in rows if r.pk not in seen)][:limit]


def best_rows(
    scoped: QuerySet[Any], match: Match, *, order: Sequence[str], limit: int
) -> list[Any]:
    """The external-id hit (if any) and then the first matching rows in `order`."""
    rows = list(narrowed(scoped, match.filter(scoped)).order_by(*order)[:limit])
    return with_id_hits(scoped, match, rows, limit)


def search(*, actor: User, query: str, limit: int = 8) -> list[SearchGroup]:
    """Every provider's best matches among the records `actor` may see: one query for the
    close spellings, then one (or two, with an external-id lookup) per kind."""
    match = parse(query[:200])
    if not match:
        return []
    groups = []
    for provider in providers():
        results = provider.search(actor=actor, match=match, limit=limit)
        if results:
            groups.append(SearchGroup(provider.kind, provider.label, provider.icon, results))
    return groups


def joined(*parts: str | None) -> str:
    """A result's subtitle: its non-empty parts, dot-separated."""
    return " · ".join(p for p in parts if p)


class AccountSearch(SearchKind):
    kind = "account"
    label = "Accounts"
    icon = "buildings"
    model = Account
    word_fields = frozenset({"name", "domain"})

    def search(self, *, actor: User, match: Match, limit: int) -> list[SearchResult]:
        scoped = visible(actor, Account.objects.alive()).only("id", "name", "domain", "country")
        return [
            SearchResult(
                kind=self.kind,
                id=a.pk,
                title=a.name,
                url=reverse("crm:account_detail", args=[a.pk]),
                subtitle=joined(a.domain, a.country),
            )
            for a in best_rows(scoped, match, order=("name", "id"), limit=limit)
        ]


class ContactSearch(SearchKind):
    kind = "contact"
    label = "Contacts"
    icon = "person-lines-fill"
    model = Contact
    word_fields = frozenset({"first_name", "last_name", "email"})

    def search(self, *, actor: User, match: Match, limit: int) -> list[SearchResult]:
        scoped = (
            visible(actor, Contact.objects.alive())
            .select_related("account")
            .only("id", "first_name", "last_name", "email", "title", "account__name")
        )
        rows = best_rows(scoped, match, order=("last_name", "first_name", "id"), limit=limit)
        return [
            SearchResult(
                kind=self.kind,
                id=c.pk,
                title=c.full_name,
                url=reverse("crm:contact_detail", args=[c.pk]),
                subtitle=joined(c.title, c.account.name if c.account else "", c.email),
            )
            for c in rows
        ]


register(AccountSearch())
register(ContactSearch())
