"""Deals true to the file: line items only for a product the file gives, amounts from a list
price said per row, lost deals keep their amount; and bad input in one file: a message per
row, nothing half-written, the four counts adding up."""

from decimal import Decimal

import pytest

from crm.services.custom_fields import custom_field_create
from leads.models import Lead, LeadSource
from pipeline.models import Deal, DealLineItem
from tests.conftest import Org
from tests.imports.conftest import assert_counts_add_up, import_file
from tests.pipeline.factories import ProductFactory, make_pipeline

pytestmark = pytest.mark.django_db

DEALS = (
    "opportunity_id,product,deal_stage,engage_date,close_date,close_value\n"
    "OPP1,GTX Pro,Won,2016-10-20,2017-03-01,1054\n"
    "OPP2,GTX Pro,Step 1,2016-10-25,,\n"
    "OPP3,GTX Pro,Lost,2016-10-25,2017-03-07,0\n"
    "OPP4,,Step 1,2016-10-25,,\n"
    "OPP5,GTX Pro,Lost,2016-10-25,2017-03-07,\n"
)


@pytest.fixture
def options(org: Org) -> dict[str, object]:
    pipeline = make_pipeline(open_stages=1)
    ProductFactory(name="GTX Pro", list_price=Decimal("4821"))
    return {"pipeline": str(pipeline.pk)}


def test_lost_deals_keep_the_amount_the_file_gives(org: Org, options: dict) -> None:
    job = import_file(org.admin, "deals", DEALS, options=options)
    assert_counts_add_up(job, 5)
    assert job.imported == 5
    assert Deal.objects.get(name="OPP3").amount == Decimal(0)
    assert Deal.objects.get(name="OPP5").amount == Decimal(0)
    lost = DealLineItem.objects.get(deal__name="OPP3")
    assert lost.unit_price == Decimal(0)


def test_amounts_filled_from_a_list_price_are_said_per_row(org: Org, options: dict) -> None:
    job = import_file(org.admin, "deals", DEALS, options=options)
    assert Deal.objects.get(name="OPP2").amount == Decimal("4821")
    note = job.rows.get(row_number=2).message
    assert "Amount from the list price of GTX Pro: 4,821.00 USD." in note
    assert "list price" not in job.rows.get(row_number=1).message
    assert "list price" not in job.rows.get(row_number=3).message


def test_a_line_item_only_for_rows_whose_file_gives_a_product(org: Org, options: dict) -> None:
    import_file(org.admin, "deals", DEALS, options=options)
    assert set(DealLineItem.objects.values_list("deal__name", flat=True)) == {
        "OPP1",
        "OPP2",
        "OPP3",
        "OPP5",
    }
    assert DealLineItem.objects.get(deal__name="OPP1").unit_price == Decimal("1054")


def test_a_product_column_left_unmapped_adds_no_line_item(org: Org, options: dict) -> None:
    mapping = {
        "opportunity_id": "external_id",
        "deal_stage": "stage",
        "engage_date": "created_at",
        "close_date": "closed_at",
        "close_value": "amount",
    }
    job = import_file(org.admin, "deals", DEALS, options=options, mapping=mapping)
    assert job.imported == 5
    assert not DealLineItem.objects.exists()
    assert Deal.objects.get(name="OPP2").amount == Decimal(0)


def test_bad_input_in_one_file_is_reported_per_row_and_nothing_is_half_written(
    org: Org,
) -> None:
    custom_field_create(actor=org.admin, model_label="leads.Lead", name="Visits", type="number")
    before = LeadSource.objects.count()
    content = (
        "Prospect ID,Email,Visits,Owner,Lead Source\n"
        "P1,a@x.example,5,,Olark Chat\n"
        "P2,b@x.example,many,,Welingak\n"  # wrong type for a custom field
        "P1,c@x.example,3,,Reference\n"  # the same external id again
        "P3,d@x.example,1,Nobody Known,Google Ads X\n"  # an unknown person
    )
    job = import_file(org.admin, "leads", content, options={"on_unknown": {"source": "__create__"}})
    assert_counts_add_up(job, 4)
    assert (job.imported, job.skipped, job.rejected) == (1, 1, 2)
    messages = {r.row_number: r.message for r in job.rows.all()}
    assert "Visits" in messages[2]
    assert "not a number" in messages[2]
    assert messages[3] == "Duplicate of row 1."
    assert "Nobody Known" in messages[4]
    assert set(Lead.objects.values_list("external_id", flat=True)) == {"P1"}
    # Only the imported row's source was created.
    assert LeadSource.objects.count() == before + 1
    assert LeadSource.objects.filter(name="Olark Chat").exists()
