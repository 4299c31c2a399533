"""Reading the workspace's lead and scoring settings writes nothing; the first save creates them."""

import pytest
from django.urls import reverse

from leads.models import LeadSettings
from leads.scoring.models import ScoringSettings
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as _api

pytestmark = pytest.mark.django_db


def test_opening_the_settings_pages_and_api_creates_no_settings_row(org: Org) -> None:
    LeadSettings.objects.all().delete()  # the migration seeds one; start from none
    ScoringSettings.objects.all().delete()
    assert client_for(org.admin).get(reverse("leads:admin")).status_code == 200
    assert _api(org.admin).get("/api/v1/lead-settings/").json()["new_lead_days"] == 7
    assert _api(org.admin).get("/api/v1/scoring/settings/").status_code == 200
    assert not LeadSettings.objects.exists()
    assert not ScoringSettings.objects.exists()


def test_the_first_save_creates_the_lead_settings(org: Org) -> None:
    LeadSettings.objects.all().delete()
    response = _api(org.admin).patch("/api/v1/lead-settings/", {"new_lead_days": 3})
    assert response.status_code == 200
    assert LeadSettings.objects.get().new_lead_days == 3
