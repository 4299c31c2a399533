"""Account and contact lists: filters, sort with keyset pages, saved views, CSV exports."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from crm.exports import safe_cell
from crm.models import SavedView
from crm.models.accounts import EmailConsent
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _csv(client: Client, url: str, params: dict[str, str] | None = None) -> list[list[str]]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_like_cells_are_escaped(prefix: str) -> None:
    assert safe_cell(f"{prefix}cmd|' /C calc'!A0") == f"'{prefix}cmd|' /C calc'!A0"
    assert safe_cell("Plain name") == "Plain name"


def test_the_account_export_escapes_formulas_and_holds_only_visible_rows(org: Org) -> None:
    AccountFactory(owner=org.rep, name='=HYPERLINK("http://evil","x")')
    AccountFactory(owner=org.rep, name="@SUM(A1)")
    AccountFactory(owner=org.stranger, name="Not yours")
    rows = _csv(client_for(org.rep), reverse("crm:account_export"))
    names = {row[1] for row in rows[1:]}
    assert names == {'\'=HYPERLINK("http://evil","x")', "'@SUM(A1)"}


def test_the_mailing_export_leaves_out_opted_out_and_erased_contacts(org: Org) -> None:
    ContactFactory(owner=org.rep, last_name="Yes", email_consent=EmailConsent.OPT_IN)
    ContactFactory(owner=org.rep, last_name="Unknown", email_consent=EmailConsent.UNKNOWN)
    ContactFactory(owner=org.rep, last_name="No", email_consent=EmailConsent.OPT_OUT)
    ContactFactory(owner=org.rep, last_name="NoMail", email="")
    client = client_for(org.rep)
    everyone = {r[2] for r in _csv(client, reverse("crm:contact_export"))[1:]}
    mailing = {
        r[2] for r in _csv(client, reverse("crm:contact_export"), {"purpose": "mailing"})[1:]
    }
    assert everyone == {"Yes", "Unknown", "No", "NoMail"}
    assert mailing == {"Yes", "Unknown"}


def test_exports_are_audited(org: Org) -> None:
    from crm.models import AuditEntry

    b"".join(client_for(org.rep).get(reverse("crm:contact_export")).streaming_content)
    assert AuditEntry.objects.filter(actor=org.rep, action="export").exists()


def test_list_filters_narrow_the_rows(org: Org) -> None:
    AccountFactory(owner=org.rep, name="Alpha", segment="enterprise", country="Germany")
    AccountFactory(owner=org.rep, name="Beta", segment="b2c", country="France")
    response = client_for(org.rep).get(reverse("crm:account_list"), {"segment": "enterprise"})
    names = [a.name for a in response.context["accounts"]]
    assert names == ["Alpha"]
    response = client_for(org.rep).get(reverse("crm:account_list"), {"country": "France"})
    assert [a.name for a in response.context["accounts"]] == ["Beta"]


def test_sorted_keyset_pages_walk_every_row_once(org: Org) -> None:
    for i in range(7):
        AccountFactory(owner=org.rep, name=f"Company {i % 3}")  # ties on the sort key
    client = client_for(org.rep)
    from crm import pagination

    seen: list[int] = []
    url: str | None = reverse("crm:account_list") + "?sort=-name"
    original = pagination.keyset_sorted_page.__kwdefaults__
    pagination.keyset_sorted_page.__kwdefaults__ = {**(original or {}), "size": 3}
    try:
        while url:
            response = client.get(url)
            seen += [a.pk for a in response.context["accounts"]]
            next_url = response.context["next_url"]
            url = reverse("crm:account_list") + next_url if next_url else None
        back = client.get(reverse("crm:account_list") + response.context["prev_url"])
    finally:
        pagination.keyset_sorted_page.__kwdefaults__ = original
    assert len(seen) == 7
    assert len(set(seen)) == 7
    assert [a.pk for a in back.context["accounts"]] == seen[3:6]


@pytest.mark.parametrize("url_name", ["crm:account_list", "crm:contact_list"])
def test_lists_take_the_same_number_of_queries_for_10_or_50_rows(
    org: Org, url_name: str, django_assert_num_queries: object
) -> None:
    client = client_for(org.manager)

    def make(n: int) -> None:
        for _ in range(n):
            account = AccountFactory(owner=org.rep)
            ContactFactory(owner=org.teammate, account=account)

    make(10)
    client.get(reverse(url_name))  # warm the session and content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ten:
        assert client.get(reverse(url_name)).status_code == 200
    make(40)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(reverse(url_name))
    rows = response.context["accounts" if "account" in url_name else "contacts"]
    assert len(rows) == 50
    assert len(fifty) == len(ten)


def test_a_saved_view_brings_back_the_filtered_list(org: Org) -> None:
    client = client_for(org.rep)
    response = client.post(
        reverse("crm:saved_view_create"),
        {"kind": "accounts", "name": "German enterprise",
         "querystring": "segment=enterprise&country=Germany&after=abc"},
    )  # fmt: skip
    view = SavedView.objects.get(user=org.rep)
    assert view.querystring == "segment=enterprise&country=Germany"
    assert response["Location"] == reverse("crm:account_list") + "?" + view.querystring
    page = client.get(reverse("crm:account_list"))
    assert b"German enterprise" in page.content
    assert (
        b"German enterprise"
        not in client_for(org.teammate).get(reverse("crm:account_list")).content
    )
    # someone else can't delete it
    other = client_for(org.teammate).post(reverse("crm:saved_view_delete", args=[view.pk]))
    assert other.status_code == 404
    client.post(reverse("crm:saved_view_delete", args=[view.pk]))
    assert not SavedView.objects.exists()
