"""Lists say how many rows match: exactly up to a cap, past it PostgreSQL's estimate marked
"about" (never "more than 1000" with no figure)."""

import pytest

from crm.models import Account
from crm.pagination import count_or_estimate
from leads.models import Lead
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_a_count_under_the_cap_is_exact(org: Org) -> None:
    AccountFactory.create_batch(3, owner=org.rep)
    assert count_or_estimate(Account.objects.all(), cap=5) == (3, False)


def test_past_the_cap_the_count_is_an_estimate_marked_about(org: Org) -> None:
    AccountFactory.create_batch(4, owner=org.rep)
    count, about = count_or_estimate(Account.objects.all(), cap=2)
    assert about
    assert count >= 3


def test_the_account_and_contact_lists_say_how_many_match(org: Org) -> None:
    AccountFactory.create_batch(3, owner=org.rep)
    AccountFactory(owner=org.stranger)
    client = client_for(org.rep)
    assert "3 accounts match" in client.get("/accounts/").content.decode()
    assert "0 contacts match" in client.get("/contacts/").content.decode()


def test_a_lead_list_past_the_cap_gives_an_estimate_not_more_than(org: Org) -> None:
    Lead.objects.bulk_create(
        Lead(owner=org.rep, last_name=f"Bulk{i}", email=f"bulk{i}@example.com") for i in range(1005)
    )
    body = client_for(org.rep).get("/leads/").content.decode()
    assert "About " in body
    assert "More than" not in body
