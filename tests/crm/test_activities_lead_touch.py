"""Logging an activity on a lead keeps the lead's last activity current."""

import pytest

from crm.services.activities import activity_log
from tests.conftest import Org
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_logging_a_call_on_a_lead_stamps_its_last_activity(org: Org) -> None:
    lead = LeadFactory(owner=org.rep)
    activity = activity_log(actor=org.rep, kind="call", subject="Intro call", lead=lead)
    lead.refresh_from_db()
    assert lead.last_activity_at == activity.occurred_at
