"""Temperature from the timeframe and engagement, admin-editable rules, per-lead override."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.errors import DomainError, PermissionDenied
from crm.models import AuditEntry
from leads.models import Temperature, TemperatureRule, Timeframe
from leads.services.capture import lead_create
from leads.services.temperature import (
    lead_set_temperature_override,
    leads_recompute_temperature,
    temperature_rule_update,
)
from tests.conftest import Org
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("timeframe", "expected"),
    [
        (Timeframe.IMMEDIATE, Temperature.HOT),
        (Timeframe.WITHIN_2_MONTHS, Temperature.WARM),
        (Timeframe.NONE, Temperature.COLD),
        (Timeframe.UNKNOWN, Temperature.COLD),
    ],
)
def test_a_new_lead_gets_its_temperature_from_the_timeframe(
    org: Org, timeframe: str, expected: str
) -> None:
    lead = lead_create(actor=org.rep, last_name="Ng", company="Acme", timeframe=timeframe)
    assert lead.temperature == expected


def test_recent_engagement_warms_a_lead_by_one_level(org: Org) -> None:
    lead = LeadFactory(
        owner=org.rep, timeframe=Timeframe.WITHIN_2_MONTHS, last_activity_at=timezone.now()
    )
    stale = LeadFactory(
        owner=org.rep,
        timeframe=Timeframe.WITHIN_2_MONTHS,
        last_activity_at=timezone.now() - timedelta(days=60),
    )
    leads_recompute_temperature()
    lead.refresh_from_db()
    stale.refresh_from_db()
    assert lead.temperature == Temperature.HOT
    assert stale.temperature == Temperature.WARM


def test_an_admin_edits_a_rule_and_the_nightly_job_applies_it(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, timeframe=Timeframe.NONE, temperature=Temperature.COLD)
    rule = TemperatureRule.objects.get(timeframe=Timeframe.NONE)
    temperature_rule_update(
        actor=org.admin, rule=rule, temperature=Temperature.WARM, engaged_within_days=None
    )
    assert leads_recompute_temperature() >= 1
    lead.refresh_from_db()
    assert lead.temperature == Temperature.WARM


def test_only_admins_edit_temperature_rules(org: Org) -> None:
    rule = TemperatureRule.objects.get(timeframe=Timeframe.NONE)
    with pytest.raises(PermissionDenied):
        temperature_rule_update(
            actor=org.manager, rule=rule, temperature=Temperature.HOT, engaged_within_days=None
        )


def test_an_override_is_recorded_and_survives_the_nightly_job_until_cleared(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, timeframe=Timeframe.NONE)
    pinned = lead_set_temperature_override(
        actor=org.rep, lead=lead, temperature=Temperature.HOT, reason="Called us twice today"
    )
    assert (pinned.temperature_overridden, pinned.temperature_override_by) == (True, org.rep)
    assert pinned.temperature_override_reason == "Called us twice today"
    assert AuditEntry.objects.filter(object_id=str(lead.pk), action="update").exists()
    leads_recompute_temperature()
    lead.refresh_from_db()
    assert lead.temperature == Temperature.HOT
    cleared = lead_set_temperature_override(actor=org.rep, lead=lead, temperature=None)
    assert (cleared.temperature, cleared.temperature_overridden) == (Temperature.COLD, False)


def test_an_override_needs_a_reason(org: Org) -> None:
    lead = LeadFactory(owner=org.rep)
    with pytest.raises(DomainError):
        lead_set_temperature_override(actor=org.rep, lead=lead, temperature="hot", reason="")
