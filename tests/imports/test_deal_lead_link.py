"""A deal row may name the lead it came from (external id, else email): the lead is then
converted into that deal, as a conversion on the page would link them."""

import pytest

from leads.models import Lead, LeadStatus
from pipeline.models import Deal
from tests.conftest import Org
from tests.imports.conftest import assert_counts_add_up, import_file
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import make_pipeline

pytestmark = pytest.mark.django_db


def test_deal_rows_link_their_leads_by_external_id_or_email(org: Org) -> None:
    by_id = LeadFactory(owner=org.admin, external_id="0b8a2f", email="")
    by_email = LeadFactory(owner=org.admin, email="shop@example.com", external_id="")
    options = {"pipeline": str(make_pipeline().pk)}
    content = "mql_id,Deal,Stage\n0B8A2F,First,Won\nshop@example.com,Second,Won\nnobody,Third,Won\n"
    job = import_file(org.admin, "deals", content, options=options)
    assert job.mapping["mql_id"] == "lead"
    assert_counts_add_up(job, 3)
    assert (job.imported, job.rejected) == (2, 1)
    assert "Lead" in job.rows.get(row_number=3).message
    by_id.refresh_from_db()
    by_email.refresh_from_db()
    assert by_id.converted_deal == Deal.objects.get(name="First")
    assert by_email.converted_deal == Deal.objects.get(name="Second")
    assert by_id.status == LeadStatus.CONVERTED
    assert by_id.converted_at == by_id.converted_deal.created_at


def test_a_lead_already_converted_keeps_its_deal(org: Org) -> None:
    options = {"pipeline": str(make_pipeline().pk)}
    lead = LeadFactory(owner=org.admin, external_id="L1")
    import_file(org.admin, "deals", "Deal,lead\nOne,L1\n", options=options)
    import_file(org.admin, "deals", "Deal,lead\nTwo,L1\n", options=options)
    lead.refresh_from_db()
    assert lead.converted_deal is not None
    assert lead.converted_deal.name == "One"
    assert Lead.objects.filter(converted_deal__isnull=False).count() == 1
