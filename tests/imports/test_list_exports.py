"""Each list page offers a background export that holds the rows that page shows: the
list's own selector, filters and visibility."""

import csv
import io

import pytest

from crm.imports import exporting
from crm.imports.models import ExportJob
from pipeline.models import StageKind
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory, ContactFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory, make_pipeline

pytestmark = pytest.mark.django_db


def _export_rows(org: Org, kind: str, query: str) -> list[list[str]]:
    job = exporting.export_job_create(actor=org.manager, kind=kind, query=query, file_format="csv")
    done = exporting.run_export(job.pk)
    assert done is not None
    assert done.status == "done"
    return list(csv.reader(io.StringIO(done.file.open("rb").read().decode("utf-8-sig"))))[1:]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/leads/", "leads"),
        ("/accounts/", "accounts"),
        ("/contacts/", "contacts"),
        ("/deals/", "deals"),
    ],
)
def test_every_list_page_has_the_background_export_button(org: Org, path: str, kind: str) -> None:
    page = client_for(org.rep).get(path + "?q=abc").content.decode()
    assert 'action="/imports/exports/new/"' in page
    assert f'name="kind" value="{kind}"' in page
    assert 'name="query" value="q=abc"' in page


def test_a_deal_export_applies_the_deal_lists_status_filter(org: Org) -> None:
    pipeline = make_pipeline()
    won = pipeline.stages.get(kind=StageKind.WON)
    first_open = pipeline.stages.filter(kind=StageKind.OPEN).order_by("position").first()
    DealFactory(owner=org.rep, stage=won, name="Won deal")
    DealFactory(owner=org.rep, stage=first_open, name="Open deal")
    DealFactory(owner=org.stranger, stage=won, name="Someone else's win")
    rows = _export_rows(org, "deals", "status=won")
    assert [r[0] for r in rows] == ["Won deal"]


def test_a_lead_export_applies_the_lead_lists_filters(org: Org) -> None:
    LeadFactory(owner=org.rep, company="Keep Co", status="mql")
    LeadFactory(owner=org.rep, company="Drop Co", status="suspect")
    LeadFactory(owner=org.stranger, company="Hidden Co", status="mql")
    rows = _export_rows(org, "leads", "status=mql")
    assert ["Keep Co" in " ".join(r) for r in rows] == [True]


def test_account_and_contact_exports_use_their_lists_filters(org: Org) -> None:
    acme = AccountFactory(owner=org.rep, name="Acme")
    AccountFactory(owner=org.teammate, name="Other")
    ContactFactory(owner=org.rep, account=acme, last_name="Inside")
    ContactFactory(owner=org.rep, last_name="Outside")
    assert [r[0] for r in _export_rows(org, "accounts", f"owner={org.rep.pk}")] == ["Acme"]
    contacts = _export_rows(org, "contacts", f"account={acme.pk}")
    assert len(contacts) == 1
    assert "Inside" in " ".join(contacts[0])
    assert ExportJob.objects.count() == 2


@pytest.mark.parametrize(
    ("path", "stream_url"),
    [
        ("/leads/", "/leads/export.csv"),
        ("/accounts/", "/accounts/export.csv"),
        ("/contacts/", "/contacts/export.csv"),
        ("/deals/", "/deals/export.csv"),
    ],
)
def test_every_list_page_has_one_export_menu_with_the_streamed_csv_in_it(
    org: Org, path: str, stream_url: str
) -> None:
    page = client_for(org.rep).get(path + "?q=abc").content.decode()
    menu = page[page.index('<i class="bi bi-download"') :]
    menu = menu[: menu.index("</form>")]

    assert page.count('<i class="bi bi-download"') == 1
    assert "Export CSV" not in page
    assert "Export file" not in page
    assert f'href="{stream_url}?q=abc"' in menu
    assert 'action="/imports/exports/new/"' in menu


def test_the_contacts_export_menu_offers_the_mailing_csv(org: Org) -> None:
    page = client_for(org.rep).get("/contacts/?q=abc").content.decode()
    assert 'href="/contacts/export.csv?q=abc&amp;purpose=mailing"' in page
    page = client_for(org.rep).get("/contacts/").content.decode()
    assert 'href="/contacts/export.csv?purpose=mailing"' in page
