"""Deals import into the pipeline the user picks on the mapping page."""

import io

import pytest

from crm.imports import engine
from crm.imports.models import ImportJob
from pipeline.models import Deal
from tests.conftest import Org, client_for
from tests.pipeline.factories import make_pipeline

pytestmark = pytest.mark.django_db

DEALS = "Deal,Stage,Amount\nBig renewal,Step 2,1200\n"


def test_the_mapping_page_offers_the_pipelines_and_deals_land_in_the_chosen_one(
    org: Org,
) -> None:
    make_pipeline("Direct sales")
    renewals = make_pipeline("Renewals")
    client = client_for(org.manager)
    file = io.BytesIO(DEALS.encode())
    file.name = "deals.csv"
    client.post("/imports/new/", {"kind": "deals", "file": file})
    job = ImportJob.objects.get()

    page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert "Pipeline the deals go into" in page
    assert "Renewals" in page

    response = client.post(
        f"/imports/{job.pk}/mapping/",
        {
            "map-0": "name",
            "map-1": "stage",
            "map-2": "amount",
            "pipeline": str(renewals.pk),
            "unknown_owner": "importer",
        },
    )
    assert response["Location"] == f"/imports/{job.pk}/preview/"
    client.post(f"/imports/{job.pk}/preview/", {"policy": "skip"})
    engine.run_import(job.pk)

    deal = Deal.objects.get(name="Big renewal")
    assert deal.pipeline == renewals
    assert (deal.stage.pipeline, deal.stage.name) == (renewals, "Step 2")
