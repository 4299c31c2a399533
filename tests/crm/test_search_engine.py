"""One search engine for the list searches of leads, accounts, contacts and deals, global
search, the top bar's suggestions and the API: every word a prefix or a close spelling of
a known word, only among the records the searcher may see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import SearchWord
from crm.search import COMPLETIONS, parse, rebuild_words, search
from crm.services.accounts import account_update
from leads.models import Lead
from leads.services.capture import lead_create
from tests.conftest import Org, api_client_for, client_for
from tests.crm.factories import AccountFactory, ContactFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory

pytestmark = pytest.mark.django_db


def _titles(user: object, query: str, kind: str | None = None) -> list[str]:
    return [
        r.title
        for g in search(actor=user, query=query)  # type: ignore[arg-type]
        if kind is None or g.kind == kind
        for r in g.results
    ]


def test_a_typo_in_the_list_search_finds_the_record_of_every_kind(org: Org) -> None:
    soylent = AccountFactory(owner=org.rep, name="Soylent Robotics", domain="soylent.example")
    ContactFactory(owner=org.rep, first_name="Maya", last_name="Wright", account=soylent)
    LeadFactory(owner=org.rep, first_name="Olive", last_name="Wright", company="Soylent Robotics")
    DealFactory(owner=org.rep, name="Wright renewal", account=soylent)
    AccountFactory(owner=org.rep, name="Initech")
    rep = client_for(org.rep)

    for url, query, expected in [
        (reverse("leads:list"), "Wrigth", "Olive"),
        (reverse("leads:list"), "Soylnt Robotics", "Olive"),
        (reverse("crm:account_list"), "Soylnt", "Soylent Robotics"),
        (reverse("crm:contact_list"), "Wrigth", "Maya"),
        (reverse("pipeline:deal_list"), "Wrigth", "Wright renewal"),
        (reverse("pipeline:deal_list"), "Soylnt", "Wright renewal"),  # its account's name
    ]:
        body = rep.get(url, {"q": query}).content.decode()
        assert expected in body, (url, query)
    assert "Initech" not in rep.get(reverse("crm:account_list"), {"q": "Soylnt"}).content.decode()


def test_one_misspelled_word_finds_it_in_global_search(org: Org) -> None:
    AccountFactory(owner=org.rep, name="Soylent Robotics")
    LeadFactory(owner=org.rep, first_name="Olive", last_name="Wright", company="Acme")

    assert _titles(org.rep, "Soylnt", "account") == ["Soylent Robotics"]
    assert _titles(org.rep, "Wrigth", "lead") == ["Olive Wright"]


def test_every_word_of_the_query_must_match(org: Org) -> None:
    AccountFactory(owner=org.rep, name="Soylent Robotics")
    AccountFactory(owner=org.rep, name="Soylent Foods")
    AccountFactory(owner=org.rep, name="Acme Robotics")

    assert _titles(org.rep, "Soylnt Robotics", "account") == ["Soylent Robotics"]
    assert _titles(org.rep, "soy", "account") == ["Soylent Foods", "Soylent Robotics"]
    body = client_for(org.rep).get(reverse("crm:account_list"), {"q": "robotics acme"})
    assert "Acme Robotics" in body.content.decode()
    assert "Soylent Robotics" not in body.content.decode()


def test_words_match_from_their_start_not_in_the_middle(org: Org) -> None:
    ContactFactory(owner=org.rep, first_name="Ola", last_name="Nordmann", email="ola@fjord.no")

    assert _titles(org.rep, "nor", "contact") == ["Ola Nordmann"]
    assert _titles(org.rep, "fjord", "contact") == ["Ola Nordmann"]  # a word of the email
    assert _titles(org.rep, "ola@fjord.no", "contact") == ["Ola Nordmann"]
    assert _titles(org.rep, "ordm", "contact") == []  # not a word start, nor close to a word


def test_a_rep_never_finds_others_hidden_records_in_lists_search_suggestions_or_the_api(
    org: Org,
) -> None:
    LeadFactory(owner=org.stranger, first_name="Hidden", last_name="Wright", company="Zorg")
    AccountFactory(owner=org.stranger, name="Wright Hidden Industries")
    mine = LeadFactory(owner=org.rep, first_name="Olive", last_name="Wright", company="Acme")
    rep = client_for(org.rep)

    assert _titles(org.rep, "Wrigth") == ["Olive Wright"]
    listed = rep.get(reverse("leads:list"), {"q": "Wrigth"}).content.decode()
    assert "Olive" in listed
    assert "Hidden" not in listed
    suggested = rep.get(reverse("crm:search_suggest"), {"q": "Wrigth"}).content.decode()
    assert reverse("leads:detail", args=[mine.pk]) in suggested
    assert "Hidden" not in suggested
    found = api_client_for(org.rep).get("/api/v1/search/", {"q": "Wrigth"}).json()
    assert [(r["kind"], r["id"]) for r in found["results"]] == [("lead", mine.pk)]
    everyone = {r.title for g in search(actor=org.admin, query="Wrigth") for r in g.results}
    assert everyone == {"Olive Wright", "Hidden Wright", "Wright Hidden Industries"}


def test_suggestions_are_the_options_of_a_listbox_ending_with_all_results(org: Org) -> None:
    account = AccountFactory(owner=org.rep, name="Soylent Robotics")
    rep = client_for(org.rep)

    body = rep.get(reverse("crm:search_suggest"), {"q": "Soylnt"}).content.decode()
    assert 'role="option"' in body
    assert f'data-href="{reverse("crm:account_detail", args=[account.pk])}"' in body
    assert "All results for “Soylnt”" in body
    assert 'href="/search/?q=Soylnt"' in body
    assert rep.get(reverse("crm:search_suggest"), {"q": ""}).content.strip() == b""
    assert "No matches" in rep.get(reverse("crm:search_suggest"), {"q": "qqqzzz"}).content.decode()
    # the top bar's box asks for them while typing, as a combobox
    page = rep.get(reverse("crm:account_list")).content.decode()
    assert 'role="combobox"' in page
    assert 'hx-get="/search/suggest/"' in page


def test_the_api_answers_typed_results_and_documents_them(org: Org) -> None:
    account = AccountFactory(owner=org.rep, name="Brightwater Logistics")
    api = api_client_for(org.rep)

    body = api.get("/api/v1/search/", {"q": "Brigthwater"}).json()
    assert body["query"] == "Brigthwater"
    [result] = body["results"]
    assert result["kind"] == "account"
    assert result["id"] == account.pk
    assert result["title"] == "Brightwater Logistics"
    assert result["url"] == f"http://testserver/accounts/{account.pk}/"
    assert set(result) == {"kind", "id", "title", "subtitle", "url"}
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/search/" in schema["paths"]
    kinds = schema["components"]["schemas"]["SearchResultKindEnum"]["enum"]
    assert set(kinds) == {"lead", "deal", "account", "contact"}


def test_a_record_written_through_a_service_teaches_search_its_words(
    org: Org, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        lead_create(actor=org.rep, first_name="Quentin", last_name="Zebulon", company="Xylo")
    assert SearchWord.objects.filter(word__in=["quentin", "zebulon", "xylo"]).count() == 3
    assert _titles(org.rep, "Zebulom Quentn", "lead") == ["Quentin Zebulon"]


def test_renaming_an_account_makes_its_deals_findable_by_the_new_name(
    org: Org, django_capture_on_commit_callbacks: object
) -> None:
    account = AccountFactory(owner=org.rep, name="Old Name Ltd")
    DealFactory(owner=org.rep, name="Big order", account=account)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        account_update(actor=org.rep, account=account, data={"name": "Quasar Dynamics"})

    assert _titles(org.rep, "Quasr", "deal") == ["Big order"]
    assert _titles(org.rep, "Old Name", "deal") == []


def test_the_rebuild_drops_words_no_record_uses_any_more(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, first_name="Ignatius", last_name="Wright")
    Lead.objects.filter(pk=lead.pk).update(first_name="Olive")
    assert SearchWord.objects.filter(word="ignatius").exists()

    rebuild_words()

    assert not SearchWord.objects.filter(word="ignatius").exists()
    assert SearchWord.objects.filter(word="olive").exists()


def test_global_search_costs_a_few_queries_whatever_the_number_of_words(org: Org) -> None:
    for i in range(5):
        AccountFactory(owner=org.rep, name=f"Soylent Robotics {i}")

    def queries(query: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            search(actor=org.rep, query=query)
        return len(ctx.captured_queries)

    # the spellings of every word at once, then per kind its matching ids and its rows
    # (none for a kind with no match)
    few = queries("soylnt")
    assert few <= 1 + 2 * 4 + 2  # + the rep's shares and teams
    assert queries("soylnt robotcs industries green blue") <= few


def test_a_query_without_words_finds_nothing_and_quotes_are_just_characters(org: Org) -> None:
    AccountFactory(owner=org.rep, name="O'Brien & Sons")

    assert search(actor=org.rep, query="'); drop table --") == []
    assert search(actor=org.rep, query="  !!! ") == []
    assert _titles(org.rep, "o'brien", "account") == ["O'Brien & Sons"]


def test_a_word_beginning_many_known_words_stays_a_prefix_and_a_rare_one_is_spelled_out(
    org: Org,
) -> None:
    endings = [a + b for a in "ab" for b in "abcdefghijklmnopqrstuvwxyz"]
    for ending in endings[: COMPLETIONS + 1]:
        AccountFactory(owner=org.rep, name=f"Smith{ending} Holdings")
    AccountFactory(owner=org.rep, name="Quasar Dynamics")

    assert parse("smith").tsquery.startswith("('smith':*")
    assert parse("quas").tsquery == "('quasar')"
    assert parse("quasar dyn").tsquery == "('quasar') & ('dynamics')"
    assert _titles(org.rep, "quas dyn", "account") == ["Quasar Dynamics"]
