"""The benchmark's data generator loads realistic rows that the pages can read."""

import pytest
from django.core.management import call_command

from leads.models import Lead
from pipeline.models import Deal
from tests.conftest import Org
from tests.pipeline.factories import make_pipeline

pytestmark = pytest.mark.django_db(transaction=True)


def test_generate_data_loads_leads_and_deals_in_bulk(org: Org) -> None:
    make_pipeline()
    call_command("generate_data", leads=300, deals=40, reps=5, seed=7)
    assert Lead.objects.count() >= 300
    assert Deal.objects.count() >= 40
    assert Lead.objects.filter(owner__isnull=True).count() == 0
