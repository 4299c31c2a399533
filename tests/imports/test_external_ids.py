"""Imports match on external ids first; the id is kept on the record."""

import pytest

from crm.models import Account
from leads.models import Lead
from pipeline.models import Deal
from tests.conftest import Org
from tests.imports.conftest import assert_counts_add_up, import_file
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import make_pipeline

pytestmark = pytest.mark.django_db


def test_the_external_id_column_is_guessed_and_kept(org: Org) -> None:
    content = "Prospect ID,Lead Origin,Email\nabc-1,API,a@example.com\nabc-2,API,\n"
    job = import_file(org.admin, "leads", content)
    assert job.mapping["Prospect ID"] == "external_id"
    assert_counts_add_up(job, 2)
    assert job.imported == 2
    assert set(Lead.objects.values_list("external_id", flat=True)) == {"abc-1", "abc-2"}


def test_a_rerun_matches_on_the_external_id_even_when_the_email_changed(org: Org) -> None:
    import_file(org.admin, "leads", "id,Email,Company\nL1,old@example.com,Acme\n")
    again = import_file(
        org.admin, "leads", "id,Email,Company\nL1,new@example.com,Acme Ltd\n", policy="update"
    )
    assert (again.imported, again.updated) == (0, 1)
    lead = Lead.objects.get()
    assert (lead.email, lead.company, lead.external_id) == ("new@example.com", "Acme Ltd", "L1")


def test_an_unknown_external_id_still_matches_a_record_without_one_by_email(org: Org) -> None:
    existing = LeadFactory(owner=org.admin, email="ada@example.com", external_id="")
    job = import_file(
        org.admin, "leads", "id,Email,Company\nX9,ada@example.com,Acme\n", policy="update"
    )
    assert job.updated == 1
    existing.refresh_from_db()
    assert existing.external_id == "X9"


def test_a_record_with_another_external_id_is_not_taken_over_by_email(org: Org) -> None:
    LeadFactory(owner=org.admin, email="ada@example.com", external_id="OTHER")
    job = import_file(org.admin, "leads", "id,Email\nX9,ada@example.com\n", policy="update")
    assert_counts_add_up(job, 1)
    assert job.rejected == 1
    assert Lead.objects.get().external_id == "OTHER"


def test_a_duplicate_external_id_in_one_file_is_one_record_with_a_clear_row_message(
    org: Org,
) -> None:
    content = "External ID,Name\nA-1,Acme\nA-1,Acme again\nA-2,Beta\n"
    job = import_file(org.admin, "accounts", content)
    assert_counts_add_up(job, 3)
    assert (job.imported, job.skipped) == (2, 1)
    assert job.rows.get(row_number=2).message == "Duplicate of row 1."
    assert Account.objects.get(external_id="A-1").name == "Acme"


def test_create_anyway_with_a_taken_external_id_rejects_the_row_with_the_reason(
    org: Org,
) -> None:
    import_file(org.admin, "accounts", "External ID,Name\nA-1,Acme\n")
    job = import_file(org.admin, "accounts", "External ID,Name\nA-1,Acme\n", policy="create")
    assert_counts_add_up(job, 1)
    assert job.rejected == 1
    assert "external id" in job.rows.get().message


def test_deals_named_only_by_an_opportunity_id_keep_it_as_external_id(org: Org) -> None:
    options = {"pipeline": str(make_pipeline().pk)}
    content = f"opportunity_id,deal_stage,sales_agent\n1C1I7A6R,Step 1,{org.admin.email}\n"
    job = import_file(org.admin, "deals", content, options=options)
    assert job.mapping["opportunity_id"] == "external_id"
    assert job.imported == 1, job.rows.get().message
    deal = Deal.objects.get()
    assert (deal.name, deal.external_id) == ("1C1I7A6R", "1C1I7A6R")
    again = import_file(org.admin, "deals", content, options=options)
    assert again.skipped == 1
