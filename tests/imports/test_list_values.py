"""List values the file names: created only for rows that import, matched by one
normalisation, and a record created as a lookup filled by its own row later in the file."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from crm.models import Account
from leads.models import Lead, LeadSource
from tests.conftest import Org
from tests.imports.conftest import assert_counts_add_up, import_file, run, upload
from tests.leads.factories import LeadSourceFactory

pytestmark = pytest.mark.django_db


def source(name: str) -> LeadSource:
    return LeadSource.objects.filter(name=name).first() or LeadSourceFactory(name=name)


CREATE_SOURCES = {"on_unknown": {"source": "__create__"}}


def test_a_run_that_rejects_every_row_creates_no_list_values(org: Org) -> None:
    before = LeadSource.objects.count()
    content = "Email,Lead Source\nnot-an-email,Olark Chat\nalso-bad,Welingak Website\n"
    job = import_file(org.admin, "leads", content, options=CREATE_SOURCES)
    assert_counts_add_up(job, 2)
    assert job.rejected == 2
    assert LeadSource.objects.count() == before


def test_only_the_values_of_rows_that_import_are_created(org: Org) -> None:
    content = "Email,Lead Source\nbad,Olark Chat\nok@x.example,Welingak Website\n"
    job = import_file(org.admin, "leads", content, options=CREATE_SOURCES)
    assert (job.imported, job.rejected) == (1, 1)
    assert LeadSource.objects.filter(name="Welingak Website").exists()
    assert not LeadSource.objects.filter(name="Olark Chat").exists()
    assert Lead.objects.get().source.name == "Welingak Website"


def test_a_value_created_once_serves_every_batch(org: Org) -> None:
    content = "Email,Lead Source\na@x.example,Olark Chat\nb@x.example,olark_chat\n"
    job = run(org.admin, upload(org.admin, "leads", content, options=CREATE_SOURCES), batch_size=1)
    assert job.imported == 2
    assert LeadSource.objects.filter(name__iexact="Olark Chat").count() == 1
    assert Lead.objects.values("source").distinct().count() == 1


def test_a_dry_run_creates_no_list_values(org: Org, tmp_path: Path) -> None:
    before = LeadSource.objects.count()
    path = tmp_path / "leads.csv"
    path.write_text("Email,Lead Source\na@x.example,Olark Chat\n")
    out = io.StringIO()
    call_command(
        "import", "leads", str(path), "--as", org.admin.email, "--dry-run", "--create-missing",
        stdout=out,
    )  # fmt: skip
    assert "1 imported" in out.getvalue()
    assert LeadSource.objects.count() == before


def test_names_match_ignoring_case_spaces_underscores_and_punctuation(org: Org) -> None:
    direct = source("Direct Traffic")
    referral = source("Referral")
    content = (
        "Email,Lead Source\n"
        "a@x.example,direct_traffic\n"
        "b@x.example,referral\n"
        "c@x.example,DIRECT-traffic.\n"
    )
    job = import_file(org.admin, "leads", content, options=CREATE_SOURCES)
    assert job.imported == 3
    assert set(Lead.objects.values_list("source", flat=True)) == {direct.pk, referral.pk}
    assert not LeadSource.objects.filter(name__in=["direct_traffic", "referral"]).exists()


def test_a_new_source_whose_short_name_is_taken_is_still_created(org: Org) -> None:
    LeadSourceFactory(name="Chat (live)", slug="live-chat")
    job = import_file(
        org.admin, "leads", "Email,Lead Source\na@x.example,Live Chat\n", options=CREATE_SOURCES
    )
    assert job.imported == 1
    assert Lead.objects.get().source.name == "Live Chat"


MAVEN_ACCOUNTS = (
    "account,sector,revenue,employees,office_location,subsidiary_of\n"
    "Golddex,software,52.5,1000,United States,Acme Corporation\n"
    "Conecom,technolgy,1005.5,2000,United States,Acme Corporation\n"
    "Acme Corporation,technolgy,1100.04,4000,United States,\n"
)


@pytest.mark.parametrize("batch_size", [1000, 1])
def test_a_parent_named_before_its_own_row_is_filled_by_it(org: Org, batch_size: int) -> None:
    job = upload(
        org.admin, "accounts", MAVEN_ACCOUNTS, options={"on_unknown": {"parent": "__create__"}}
    )
    job = run(org.admin, job, batch_size=batch_size)
    assert_counts_add_up(job, 3)
    assert (job.imported + job.updated, job.rejected) == (3, 0)
    assert Account.objects.filter(name="Acme Corporation").count() == 1
    acme = Account.objects.get(name="Acme Corporation")
    assert (acme.industry, acme.employee_count, acme.country) == (
        "technolgy",
        4000,
        "United States",
    )
    assert acme.annual_revenue is not None
    assert set(acme.subsidiaries.values_list("name", flat=True)) == {"Golddex", "Conecom"}
