"""API for the administrators' lead settings, and privacy requests about a lead."""

from typing import Any

import pytest

from crm.models import AuditEntry
from crm.models.audit import AuditAction
from leads.models import AssignmentRule, LeadSettings, LeadSource, TemperatureRule, WebForm
from tests.conftest import Org
from tests.conftest import api_client_for as api
from tests.crm.factories import ActivityFactory
from tests.leads.factories import (
    AssignmentRuleFactory,
    LeadFactory,
    LeadSourceFactory,
    WebFormFactory,
)

pytestmark = pytest.mark.django_db

ADMIN_ONLY_LISTS = (
    "/api/v1/assignment-rules/",
    "/api/v1/temperature-rules/",
    "/api/v1/web-forms/",
    "/api/v1/lead-settings/",
)


def audited(obj: Any, action: str) -> bool:
    return AuditEntry.objects.filter(object_id=str(obj.pk), action=action).exists()


def test_reps_and_managers_neither_read_nor_change_rules_forms_or_settings(org: Org) -> None:
    for user in (org.rep, org.manager):
        client = api(user)
        for url in ADMIN_ONLY_LISTS:
            assert client.get(url).status_code == 403, url
        response = client.post("/api/v1/assignment-rules/", {"name": "x", "action": "user"})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert not AssignmentRule.objects.exists()


def test_an_admin_creates_reorders_and_deletes_an_assignment_rule(
    org: Org, django_assert_max_num_queries: Any
) -> None:
    client = api(org.admin)
    created = client.post(
        "/api/v1/assignment-rules/",
        {"name": "Germany", "country": "Germany", "action": "user", "user": org.rep.pk},
    )
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    other = AssignmentRuleFactory(user=org.teammate, position=5)
    moved = client.patch(f"/api/v1/assignment-rules/{rule_id}/", {"position": 9})
    assert moved.json()["position"] == 9
    with django_assert_max_num_queries(3):
        listed = client.get("/api/v1/assignment-rules/").json()
    assert [r["id"] for r in listed] == [other.pk, rule_id]
    assert client.delete(f"/api/v1/assignment-rules/{rule_id}/").status_code == 204
    rule = AssignmentRule(pk=rule_id)
    assert audited(rule, "create")
    assert audited(rule, "update")
    assert audited(rule, "delete")


def test_a_team_rule_without_a_team_is_refused_on_the_field(org: Org) -> None:
    response = api(org.admin).post(
        "/api/v1/assignment-rules/", {"name": "RR", "action": "round_robin"}
    )
    assert response.status_code == 400
    assert "team" in response.json()["error"]["fields"]
    assert not AssignmentRule.objects.exists()


def test_an_admin_edits_a_temperature_rule(org: Org) -> None:
    rule = TemperatureRule.objects.get(timeframe="later")
    response = api(org.admin).patch(
        f"/api/v1/temperature-rules/{rule.pk}/", {"temperature": "warm", "engaged_within_days": 10}
    )
    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.temperature, rule.engaged_within_days) == ("warm", 10)
    assert audited(rule, "update")
    bad = api(org.admin).patch(f"/api/v1/temperature-rules/{rule.pk}/", {"temperature": "lava"})
    assert bad.status_code == 400


def test_a_web_form_answers_with_its_public_key_and_embed_snippet(org: Org) -> None:
    source = LeadSourceFactory()
    client = api(org.admin)
    created = client.post(
        "/api/v1/web-forms/",
        {"name": "Demo request", "source": source.pk, "allowed_origins": "https://www.acme.test"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    form = WebForm.objects.get(pk=body["id"])
    assert body["public_key"] == form.public_key
    assert f'value="{form.public_key}"' in body["embed_snippet"]
    assert 'action="http://testserver/w2l/"' in body["embed_snippet"]
    listed = client.get("/api/v1/web-forms/").json()
    assert listed[0]["embed_snippet"] == body["embed_snippet"]
    off = client.patch(f"/api/v1/web-forms/{form.pk}/", {"is_active": False})
    assert off.json()["is_active"] is False
    assert off.json()["embed_snippet"]
    assert audited(form, "create")
    assert audited(form, "update")


def test_a_web_form_with_a_bad_origin_is_refused_and_not_saved(org: Org) -> None:
    response = api(org.admin).post(
        "/api/v1/web-forms/", {"name": "X", "allowed_origins": "www.acme.test/contact"}
    )
    assert response.status_code == 400
    assert "allowed_origins" in response.json()["error"]["fields"]
    assert not WebForm.objects.exists()
    assert api(org.admin).delete(f"/api/v1/web-forms/{WebFormFactory().pk}/").status_code == 405


def test_everyone_reads_lead_sources_but_only_admins_add_or_rename_them(org: Org) -> None:
    assert api(org.rep).get("/api/v1/lead-sources/").status_code == 200
    assert api(org.rep).post("/api/v1/lead-sources/", {"name": "Fair"}).status_code == 403
    created = api(org.admin).post("/api/v1/lead-sources/", {"name": "Trade fair"})
    assert created.status_code == 201
    assert created.json()["slug"] == "trade-fair"
    renamed = api(org.admin).patch(
        f"/api/v1/lead-sources/{created.json()['id']}/", {"is_active": False}
    )
    assert renamed.json()["name"] == "Trade fair"
    assert renamed.json()["is_active"] is False
    duplicate = api(org.admin).post("/api/v1/lead-sources/", {"name": "Trade fair"})
    assert duplicate.status_code == 409
    assert LeadSource.objects.filter(name="Trade fair").count() == 1


def test_an_admin_sets_the_fallback_owner(org: Org) -> None:
    client = api(org.admin)
    response = client.patch("/api/v1/lead-settings/", {"fallback_owner": org.manager.pk})
    assert response.status_code == 200
    assert response.json()["fallback_owner"] == org.manager.pk
    settings = LeadSettings.objects.get(pk=1)
    assert settings.fallback_owner == org.manager
    assert audited(settings, "update")
    assert client.get("/api/v1/lead-settings/").json()["fallback_owner"] == org.manager.pk
    org.rep.is_active = False
    org.rep.save()
    refused = client.patch("/api/v1/lead-settings/", {"fallback_owner": org.rep.pk})
    assert refused.status_code == 400
    assert "fallback_owner" in refused.json()["error"]["fields"]


# Privacy: leads (API and page)


def test_an_admin_exports_and_erases_a_lead_through_the_api(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, email="sam@prospect.example", company="Acme")
    activity = ActivityFactory(owner=org.rep, lead=lead, subject="Call with Sam")
    client = api(org.admin)
    exported = client.get(f"/api/v1/leads/{lead.pk}/personal-data/")
    assert exported.json()["record"]["email"] == "sam@prospect.example"
    as_csv = client.get(f"/api/v1/leads/{lead.pk}/personal-data/", {"format": "csv"})
    assert "sam@prospect.example" in as_csv.content.decode()
    assert client.post(f"/api/v1/leads/{lead.pk}/erase/").status_code == 200
    lead.refresh_from_db()
    activity.refresh_from_db()
    assert (lead.email, lead.last_name, lead.company) == ("", "[erased]", "Acme")
    assert activity.subject == "Details erased (privacy request)"
    assert audited(lead, AuditAction.EXPORT)
    assert audited(lead, AuditAction.ERASE)


def test_lead_privacy_is_403_for_non_admins_who_see_it_and_404_when_hidden(org: Org) -> None:
    theirs = LeadFactory(owner=org.rep)
    hidden = LeadFactory(owner=org.stranger)
    for user in (org.rep, org.manager):
        client = api(user)
        assert client.get(f"/api/v1/leads/{theirs.pk}/personal-data/").status_code == 403
        assert client.post(f"/api/v1/leads/{theirs.pk}/erase/").status_code == 403
        assert client.get(f"/api/v1/leads/{hidden.pk}/personal-data/").status_code == 404
        assert client.post(f"/api/v1/leads/{hidden.pk}/erase/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.erased_at is None


def test_the_lead_page_offers_privacy_actions_to_admins_only(org: Org) -> None:
    from tests.conftest import client_for

    lead = LeadFactory(owner=org.rep)
    admin_page = client_for(org.admin).get(f"/leads/{lead.pk}/").content.decode()
    assert f"/leads/{lead.pk}/privacy/erase/" in admin_page
    rep_page = client_for(org.rep).get(f"/leads/{lead.pk}/").content.decode()
    assert "privacy/erase" not in rep_page
    assert client_for(org.rep).get(f"/leads/{lead.pk}/privacy/export/").status_code == 403
    assert client_for(org.rep).post(f"/leads/{lead.pk}/privacy/erase/").status_code == 403


def test_an_admin_erases_a_lead_from_its_page(org: Org) -> None:
    lead = LeadFactory(owner=org.rep, email="sam@prospect.example")
    client = client_for_admin(org)
    assert client.get(f"/leads/{lead.pk}/privacy/erase/").status_code == 200
    export = client.get(f"/leads/{lead.pk}/privacy/export/", {"format": "csv"})
    assert "sam@prospect.example" in export.content.decode()
    response = client.post(f"/leads/{lead.pk}/privacy/erase/")
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.email == ""
    assert lead.erased_at is not None
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Personal data erased" in page


def client_for_admin(org: Org) -> Any:
    from tests.conftest import client_for

    return client_for(org.admin)
