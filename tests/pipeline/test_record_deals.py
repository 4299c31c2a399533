"""Account and contact pages show their deals (open first, then closed, with totals) and
a "New deal" button that starts a deal for that account or contact."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from pipeline.models import Deal, StageKind
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import DealFactory, make_currency, make_pipeline, open_stages

pytestmark = pytest.mark.django_db


def _stages() -> tuple[Any, Any, Any]:
    pipeline = make_pipeline()
    return (
        open_stages(pipeline)[0],
        pipeline.stages.get(kind=StageKind.WON),
        pipeline.stages.get(kind=StageKind.LOST),
    )


def _closed(stage: Any, days_ago: int, **fields: Any) -> Deal:
    return DealFactory(stage=stage, closed_at=timezone.now() - timedelta(days=days_ago), **fields)


def test_the_account_page_lists_its_open_and_closed_deals_with_totals(org: Org) -> None:
    make_currency("EUR", "1.10")
    open_stage, won, lost = _stages()
    account = AccountFactory(owner=org.rep, name="Soylent")
    soon = timezone.localdate() + timedelta(days=5)
    later = timezone.localdate() + timedelta(days=40)
    DealFactory(
        owner=org.rep,
        account=account,
        stage=open_stage,
        name="Later deal",
        expected_close_date=later,
        amount=Decimal("300"),
    )
    DealFactory(
        owner=org.rep,
        account=account,
        stage=open_stage,
        name="Soon deal",
        expected_close_date=soon,
        amount=Decimal("100"),
        currency="EUR",
    )
    _closed(won, 3, owner=org.rep, account=account, name="Won deal", amount=Decimal("1000"))
    _closed(lost, 9, owner=org.rep, account=account, name="Lost deal", amount=Decimal("50"))
    DealFactory(owner=org.rep, name="Other account's deal")

    body = client_for(org.rep).get(f"/accounts/{account.pk}/").content.decode()

    assert body.index("Soon deal") < body.index("Later deal") < body.index("Won deal")
    assert body.index("Won deal") < body.index("Lost deal")
    assert "Other account&#x27;s deal" not in body
    assert "Other account's deal" not in body
    # Open 100 EUR at 1.10 + 300 USD; won and lost apart.
    assert "USD 410" in body
    assert "USD 1,000" in body
    assert "USD 50" in body
    assert f"/deals/new/?account={account.pk}" in body
    assert f"/deals/?account={account.pk}" in body


def test_deals_the_user_may_not_see_are_neither_listed_nor_counted(org: Org) -> None:
    open_stage, _, _ = _stages()
    account = AccountFactory(owner=org.rep)
    DealFactory(owner=org.rep, account=account, stage=open_stage, name="Mine", amount=Decimal("10"))
    DealFactory(
        owner=org.stranger, account=account, stage=open_stage, name="Theirs", amount=Decimal("7777")
    )
    deleted = DealFactory(owner=org.rep, account=account, stage=open_stage, name="Gone")
    deleted.deleted_at = timezone.now()
    deleted.save()

    body = client_for(org.rep).get(f"/accounts/{account.pk}/").content.decode()

    assert "Mine" in body
    assert "Theirs" not in body
    assert "7,777" not in body
    assert "Gone" not in body
    admin_body = client_for(org.admin).get(f"/accounts/{account.pk}/").content.decode()
    assert "Theirs" in admin_body
    assert "USD 7,787" in admin_body


def test_the_contact_page_shows_the_deals_it_is_the_primary_contact_of(org: Org) -> None:
    open_stage, won, _ = _stages()
    account = AccountFactory(owner=org.rep)
    contact = ContactFactory(owner=org.rep, account=account)
    DealFactory(
        owner=org.rep, account=account, primary_contact=contact, stage=open_stage, name="With her"
    )
    _closed(won, 1, owner=org.rep, primary_contact=contact, name="Won with her")
    DealFactory(owner=org.rep, account=account, stage=open_stage, name="Without her")

    body = client_for(org.rep).get(f"/contacts/{contact.pk}/").content.decode()

    assert "With her" in body
    assert "Won with her" in body
    assert "Without her" not in body
    assert f"/deals/new/?contact={contact.pk}&amp;account={account.pk}" in body


def test_an_account_without_deals_says_so_and_still_offers_a_new_deal(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    body = client_for(org.rep).get(f"/accounts/{account.pk}/").content.decode()
    assert "No deals yet." in body
    assert f"/deals/new/?account={account.pk}" in body


def test_the_panel_costs_the_same_queries_for_two_deals_or_twenty(org: Org) -> None:
    open_stage, won, _ = _stages()
    account = AccountFactory(owner=org.rep)
    client = client_for(org.rep)

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/accounts/{account.pk}/").status_code == 200
        return len(captured)

    DealFactory(owner=org.rep, account=account, stage=open_stage)
    _closed(won, 1, owner=org.rep, account=account)
    queries()  # warm: the first request also reads the session and per-process caches
    few = queries()
    DealFactory.create_batch(10, owner=org.rep, account=account, stage=open_stage)
    for day in range(10):
        _closed(won, day + 2, owner=org.rep, account=account)
    assert queries() == few


def test_new_deal_from_an_account_or_contact_page_is_prefilled(org: Org) -> None:
    account = AccountFactory(owner=org.rep, name="Prefill Inc")
    contact = ContactFactory(owner=org.rep, account=account)
    client = client_for(org.rep)
    form = client.get(f"/deals/new/?contact={contact.pk}&account={account.pk}").context["form"]
    assert form["account"].value() == account.pk
    assert form["primary_contact"].value() == contact.pk


def test_a_hidden_or_malformed_record_in_the_prefill_is_ignored(org: Org) -> None:
    hidden = AccountFactory(owner=org.stranger)
    client = client_for(org.rep)
    for query in (f"account={hidden.pk}", "account=abc", "account=99999999999999", "contact=-1"):
        response = client.get(f"/deals/new/?{query}")
        assert response.status_code == 200
        assert response.context["form"]["account"].value() is None


def test_the_deal_list_narrowed_to_an_account_names_it_and_offers_all_deals(org: Org) -> None:
    open_stage, _, _ = _stages()
    account = AccountFactory(owner=org.rep, name="Narrowed Ltd")
    DealFactory(owner=org.rep, account=account, stage=open_stage, name="Inside")
    DealFactory(owner=org.rep, stage=open_stage, name="Outside")
    client = client_for(org.rep)

    body = client.get(f"/deals/?account={account.pk}&status=open").content.decode()

    assert "Inside" in body
    assert "Outside" not in body
    assert "Deals of account" in body
    assert "Narrowed Ltd" in body
    assert "show all deals" in body
    assert 'href="/deals/?status=open"' in body
    # A filter link for an account the user can't see names nothing and shows nothing.
    hidden = AccountFactory(owner=org.stranger, name="Secret Corp")
    DealFactory(owner=org.stranger, account=hidden, stage=open_stage, name="Secret deal")
    body = client.get(f"/deals/?account={hidden.pk}").content.decode()
    assert "Secret" not in body


def test_the_deals_api_filters_by_account_and_primary_contact(org: Org) -> None:
    open_stage, _, _ = _stages()
    account = AccountFactory(owner=org.rep)
    contact = ContactFactory(owner=org.rep, account=account)
    mine = DealFactory(owner=org.rep, account=account, primary_contact=contact, stage=open_stage)
    DealFactory(owner=org.rep, stage=open_stage)
    client = client_for(org.rep)
    for query in (f"account={account.pk}", f"primary_contact={contact.pk}"):
        rows = client.get(f"/api/v1/deals/?{query}").json()["results"]
        assert [row["id"] for row in rows] == [mine.pk]
