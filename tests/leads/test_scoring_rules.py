"""Scoring rules: validation, set-based evaluation, reasons, preview, API and pages."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from crm.models import AuditEntry
from leads.models import Lead, LeadScore, ScoringRule, ScoringSettings
from leads.scoring import batches, services
from leads.scoring.engine import load_state, score_leads
from leads.scoring.preview import preview_rules
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as api
from tests.crm.factories import ActivityFactory
from tests.leads.factories import LeadFactory, LeadSourceFactory

pytestmark = pytest.mark.django_db


def rule(org: Org, **data: Any) -> ScoringRule:
    return services.scoring_rule_create(actor=org.admin, **{"name": "Rule", **data})


def make(**data: Any) -> Lead:
    lead: Any = LeadFactory(**data)
    return lead


def scored(lead: Lead) -> Any:
    score_leads([lead.pk])
    lead.refresh_from_db()
    return lead


def test_field_rules_add_up_and_explain_the_score(org: Org) -> None:
    referral = LeadSourceFactory(slug="referral", name="Referral")
    rule(
        org,
        name="Software",
        field="industry",
        operator="in",
        value=["software", "Retail"],
        points=20,
    )
    rule(org, name="Big", field="employee_count", operator="gte", value=200, points=30)
    rule(org, name="Referral", field="source", operator="eq", value="referral", points=40)
    rule(org, name="Free mail", field="email", operator="contains", value="@gmail.", points=-15)
    rule(org, name="No phone", field="phone", operator="empty", points=-5)
    good = make(
        owner=org.rep,
        industry="Software",
        employee_count=500,
        source=referral,
        phone="+1 555 1234567",
    )
    poor = make(owner=org.rep, email="someone@gmail.com", employee_count=None)

    good, poor = scored(good), scored(poor)

    assert good.rule_score == 90
    assert good.score == 90
    assert good.score_band == "A"
    assert {h["name"] for h in good.score_reasons["rules"]} == {"Software", "Big", "Referral"}
    assert [r["label"] for r in good.score_reasons["up"]] == ["Referral", "Big", "Software"]
    assert poor.rule_score == 0
    assert poor.score_band == "D"
    assert [r["label"] for r in poor.score_reasons["down"]] == ["Free mail", "No phone"]
    assert good.score_generation == ScoringSettings.objects.get().generation


def test_engagement_rules_count_activities_meetings_replies_and_web_forms(org: Org) -> None:
    now = timezone.now()
    rule(org, name="Held", field="engagement", activity="meeting_held", within_days=30, points=25)
    rule(
        org, name="Replied", field="engagement", activity="email_replied", within_days=14, points=15
    )
    rule(
        org,
        name="Calls",
        field="engagement",
        activity="call",
        within_days=7,
        min_count=2,
        points=10,
    )
    rule(org, name="Form", field="engagement", activity="web_form", within_days=30, points=5)
    lead = make(owner=org.rep)
    other = make(owner=org.rep)

    def log(kind: str, days: float, outcome: str = "", target: Lead = lead) -> None:
        ActivityFactory(
            kind=kind,
            lead=target,
            account=None,
            owner=org.rep,
            occurred_at=now - timedelta(days=days),
            outcome=outcome,
        )

    log("meeting", 3)
    log("meeting", -2, target=other)  # planned, not held
    log("email", 2, "Replied, wants a demo")
    log("email", 1, "Sent", target=other)
    log("call", 1)
    log("call", 2)
    log("call", 1, target=other)  # one call is not two
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Lead),
        object_id=str(lead.pk),
        object_repr="x",
        action="update",
        changes={"via": "web-to-lead"},
    )

    lead, other = scored(lead), scored(other)

    assert lead.rule_score == 55
    assert other.rule_score == 0


def test_a_decaying_rule_halves_its_points_every_half_life(org: Org) -> None:
    rule(
        org,
        name="Meeting",
        field="engagement",
        activity="meeting",
        within_days=90,
        points=40,
        decay_days=10,
    )
    rule(
        org,
        name="Software",
        field="industry",
        operator="eq",
        value="Software",
        points=20,
        decay_days=30,
    )
    lead = make(owner=org.rep, industry="software", created_at=timezone.now() - timedelta(days=30))
    ActivityFactory(
        kind="meeting",
        lead=lead,
        account=None,
        owner=org.rep,
        occurred_at=timezone.now() - timedelta(days=20),
    )

    lead = scored(lead)

    points = {h["name"]: h["points"] for h in lead.score_reasons["rules"]}
    assert points == pytest.approx({"Meeting": 10.0, "Software": 10.0}, abs=0.05)
    assert lead.rule_score == 20


def test_scoring_a_batch_costs_a_constant_number_of_queries(
    org: Org, django_assert_max_num_queries: Any
) -> None:
    rule(org, name="Software", field="industry", operator="eq", value="Software", points=20)
    rule(org, name="Held", field="engagement", activity="meeting_held", within_days=30, points=25)
    leads = [make(owner=org.rep, industry="Software" if i % 2 else "") for i in range(60)]
    state = load_state()
    with django_assert_max_num_queries(4):
        assert score_leads([lead.pk for lead in leads], state=state) == 60
    assert Lead.objects.filter(scoring__rule_score=20).count() == 30


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"field": "shoe_size", "operator": "eq", "value": 3}, "field", "not a lead field"),
        (
            {"field": "employee_count", "operator": "gte", "value": "lots"},
            "value",
            "needs a number",
        ),
        ({"field": "industry", "operator": "gte", "value": 3}, "operator", "can be tested with"),
        ({"field": "timeframe", "operator": "eq", "value": "someday"}, "value", "not a timeframe"),
        ({"field": "source", "operator": "in", "value": ["nowhere"]}, "value", "not a source"),
        ({"field": "industry", "operator": "eq", "value": {"a": 1}}, "value", "needs text"),
        ({"field": "engagement", "activity": "telepathy"}, "activity", ""),
        ({"field": "industry", "operator": "empty", "points": 0}, "points", "not be 0"),
    ],
)
def test_a_rule_on_an_unknown_field_or_with_a_wrong_value_is_a_400(
    org: Org, data: dict[str, Any], field: str, message: str
) -> None:
    response = api(org.admin).post(
        "/api/v1/scoring/rules/", {"name": "X", "points": 5, **data}, format="json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"], error
    assert message in error["message"]
    assert not ScoringRule.objects.exists()


def test_only_admins_read_or_write_scoring_rules(org: Org) -> None:
    for user in (org.rep, org.manager):
        assert api(user).get("/api/v1/scoring/rules/").status_code == 403
        assert api(user).post("/api/v1/scoring/rules/", {}, format="json").status_code == 403


def test_an_admin_creates_edits_and_deletes_a_rule_and_each_change_queues_a_rescore(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    client = api(org.admin)
    generation = ScoringSettings.objects.get_or_create(pk=1)[0].generation
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/api/v1/scoring/rules/",
            {
                "name": "Big",
                "field": "employee_count",
                "operator": "gte",
                "value": "250",
                "points": 30,
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["value"] == 250
    assert body["condition"] == "Employees ≥ 250"
    assert sum("enqueue_rescore_all" in getattr(c, "__qualname__", "") for c in callbacks) == 1
    rule_id = body["id"]
    assert (
        client.patch(f"/api/v1/scoring/rules/{rule_id}/", {"points": -10}, format="json").json()[
            "points"
        ]
        == -10
    )
    assert client.delete(f"/api/v1/scoring/rules/{rule_id}/").status_code == 204
    assert ScoringSettings.objects.get().generation == generation + 3


def test_the_preview_shows_how_open_leads_move_between_bands_without_saving(org: Org) -> None:
    rule(org, name="Software", field="industry", operator="eq", value="Software", points=60)
    software = [make(owner=org.rep, industry="Software") for _ in range(3)]
    others = [make(owner=org.rep, industry="Retail") for _ in range(2)]
    make(owner=org.rep, industry="Software", status="disqualified")  # not open
    score_leads([lead.pk for lead in [*software, *others]])

    response = api(org.admin).post(
        "/api/v1/scoring/rules/preview/",
        {"field": "industry", "operator": "in", "value": ["Software"], "points": 20},
        format="json",
    )

    assert response.status_code == 200, response.content
    result = response.json()
    assert result["leads"] == 5
    assert result["before"] == {"A": 0, "B": 3, "C": 0, "D": 2, "": 0}
    assert result["after"] == {"A": 3, "B": 0, "C": 0, "D": 2, "": 0}
    assert result["moves"]["B"]["A"] == 3
    assert result["moved"] == 3
    assert ScoringRule.objects.count() == 1
    # Editing the existing rule: the preview replaces it instead of adding to it.
    existing = ScoringRule.objects.get()
    edited = ScoringRule(
        **services.clean_rule(
            {
                "name": "Software",
                "field": "industry",
                "operator": "eq",
                "value": "Software",
                "points": 10,
            }
        )
    )
    edited.pk = existing.pk
    assert preview_rules(actor=org.admin, proposed=edited).after["D"] == 5


def test_the_reconciler_finds_unscored_stale_and_edited_leads(org: Org) -> None:
    rule(org, name="Software", field="industry", operator="eq", value="Software", points=20)
    fresh, edited, never = (make(owner=org.rep) for _ in range(3))
    score_leads([fresh.pk, edited.pk])
    scored_at = LeadScore.objects.get(pk=edited.pk).scored_at
    Lead.objects.filter(pk=edited.pk).update(updated_at=scored_at + timedelta(milliseconds=1))
    assert batches.stale_ids() == [edited.pk, never.pk]
    services.new_generation()
    assert batches.stale_ids() == [fresh.pk, edited.pk, never.pk]
    assert batches.score_all() == 3
    assert batches.stale_ids() == []


def test_the_lead_api_and_page_show_score_band_and_reasons(org: Org) -> None:
    rule(org, name="Big company", field="employee_count", operator="gte", value=100, points=80)
    lead = scored(make(owner=org.rep, employee_count=150))

    body = api(org.rep).get(f"/api/v1/leads/{lead.pk}/").json()
    assert body["score"] == 80
    assert body["score_band"] == "A"
    assert body["score_reasons"]["rules"][0]["name"] == "Big company"
    assert body["score_reasons"]["up"] == [{"kind": "rule", "label": "Big company", "points": 80.0}]

    page = client_for(org.rep).get(f"/leads/{lead.pk}/").content.decode()
    assert "A · 80" in page
    assert "Big company" in page
    assert 'data-pending="0"' in page
    listing = client_for(org.rep).get("/leads/?score_band=A").content.decode()
    assert "A 80" in listing
    assert client_for(org.rep).get("/leads/?score_band=D").content.decode().count("A 80") == 0


def test_an_edited_lead_shows_its_score_as_pending_until_rescored(org: Org) -> None:
    rule(org, name="Big company", field="employee_count", operator="gte", value=100, points=80)
    lead = scored(make(owner=org.rep, employee_count=150))
    Lead.objects.filter(pk=lead.pk).update(updated_at=timezone.now() + timedelta(seconds=1))
    card = client_for(org.rep).get(f"/leads/{lead.pk}/score/").content.decode()
    assert 'data-pending="1"' in card
    assert "hx-trigger" in card
    assert client_for(org.stranger).get(f"/leads/{lead.pk}/score/").status_code == 404


def test_an_admin_adds_previews_and_saves_a_rule_in_the_app(org: Org) -> None:
    make(owner=org.rep, industry="Software")
    client = client_for(org.admin)
    data = {
        "name": "Software",
        "field": "industry",
        "operator": "eq",
        "value": "Software",
        "points": "30",
        "is_active": "on",
    }
    page = client.post("/leads/manage/scoring/rules/new/", {**data, "preview": "1"})
    assert page.status_code == 200
    assert "would change band" in page.content.decode()
    assert not ScoringRule.objects.exists()
    bad = client.post("/leads/manage/scoring/rules/new/", {**data, "value": "", "save": "1"})
    assert "Give a value for Industry" in bad.content.decode()
    saved = client.post("/leads/manage/scoring/rules/new/", {**data, "save": "1"})
    assert saved.status_code == 302
    assert ScoringRule.objects.get().points == 30
    home = client.get("/leads/manage/scoring/").content.decode()
    assert "Industry = Software" in home
    assert client_for(org.rep).get("/leads/manage/scoring/").status_code == 403
