"""Global search for accounts and contacts: candidates from short index branches (prefix,
substring, nearest names by trigram word distance), then ranked; typo tolerant, scoped."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.search import CANDIDATES, AccountSearch, search, terms_of
from tests.conftest import Org
from tests.crm.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def titles(org_user: object, query: str, kind: str) -> list[str]:
    return [
        r.title
        for g in search(actor=org_user, query=query)  # type: ignore[arg-type]
        if g.kind == kind
        for r in g.results
    ]


def test_a_misspelled_word_finds_it_inside_a_longer_account_name(org: Org) -> None:
    AccountFactory(owner=org.rep, name="Smith Holdings International")
    AccountFactory(owner=org.rep, name="Jones Partners")

    assert titles(org.rep, "smiht", "Accounts") == ["Smith Holdings International"]
    assert titles(org.rep, "jonh", "Accounts") == ["Jones Partners"]
    assert titles(org.rep, "holdngs smiht", "Accounts") == ["Smith Holdings International"]


def test_the_closest_spelling_ranks_first_and_strangers_rows_stay_hidden(org: Org) -> None:
    ContactFactory(owner=org.rep, first_name="Anna", last_name="Smithers")
    ContactFactory(owner=org.rep, first_name="Ben", last_name="Smith")
    ContactFactory(owner=org.stranger, first_name="Cleo", last_name="Smith")

    assert titles(org.rep, "smiht", "Contacts") == ["Ben Smith", "Anna Smithers"]
    assert titles(org.admin, "smiht", "Contacts")[:2] == ["Ben Smith", "Cleo Smith"]


def test_prefixes_and_email_substrings_still_match(org: Org) -> None:
    ContactFactory(owner=org.rep, first_name="Ola", last_name="Nordmann", email="ola@fjord.no")

    assert titles(org.rep, "nor", "Contacts") == ["Ola Nordmann"]
    assert titles(org.rep, "fjord", "Contacts") == ["Ola Nordmann"]
    assert titles(org.rep, "o", "Contacts") == ["Ola Nordmann"]


def test_many_near_misses_cost_the_same_few_queries_and_keep_the_best(org: Org) -> None:
    for i in range(CANDIDATES + 20):
        AccountFactory(owner=org.admin, name=f"Smith Holdings {i}")
    AccountFactory(owner=org.admin, name="Smiht")

    with CaptureQueriesContext(connection) as few:
        AccountSearch().search(actor=org.admin, terms=terms_of("smiht"), limit=8)
    with CaptureQueriesContext(connection) as one_term_more:
        AccountSearch().search(actor=org.admin, terms=terms_of("smiht holdings"), limit=8)

    def statements(ctx: CaptureQueriesContext) -> int:
        return sum("set_config" not in q["sql"] for q in ctx.captured_queries)

    # one query for the candidates, one to rank them (admins need no visibility lookups)
    assert statements(few) == 2
    assert statements(one_term_more) == 2
    assert titles(org.admin, "smiht", "Accounts")[0] == "Smiht"
