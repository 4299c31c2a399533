"""Custom fields in scoring: rules test them, the model learns from them, and both explain it."""

import math
import random
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from crm.errors import DomainError
from crm.services.custom_fields import custom_field_create
from leads.models import Lead, ScoringRule
from leads.scoring import services
from leads.scoring.engine import score_leads
from leads.scoring.training import train
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as api
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def field(org: Org, name: str, type_: str, **extra: Any) -> None:
    custom_field_create(actor=org.admin, model_label="leads.Lead", name=name, type=type_, **extra)


def rule(org: Org, **data: Any) -> ScoringRule:
    return services.scoring_rule_create(actor=org.admin, **{"name": "Rule", "points": 10, **data})


def score_of(org: Org, **custom: Any) -> int:
    lead: Any = LeadFactory(owner=org.rep, custom=custom)
    score_leads([lead.pk])
    lead.refresh_from_db()
    return int(lead.score)


@pytest.fixture
def fields(org: Org) -> None:
    field(org, "Total visits", "number")
    field(org, "Deal budget", "money")
    field(org, "Occupation", "choice", choices=["Student", "Working professional"])
    field(org, "Interests", "multi_choice", choices=["Pricing", "Demo", "Docs"])
    field(org, "Do not call", "boolean")
    field(org, "Last visit", "date")
    field(org, "Notes", "text")


@pytest.mark.parametrize(
    ("condition", "hit", "miss"),
    [
        (
            {"field": "custom.total_visits", "operator": "gte", "value": 5},
            {"total_visits": 7},
            {"total_visits": 4},
        ),
        (
            {"field": "custom.total_visits", "operator": "in", "value": [1, 2]},
            {"total_visits": 2},
            {"total_visits": 3},
        ),
        (
            {"field": "custom.deal_budget", "operator": "gte", "value": 1000},
            {"deal_budget": "1500.00"},
            {"deal_budget": "999.99"},
        ),
        (
            {"field": "custom.occupation", "operator": "in", "value": ["Working professional"]},
            {"occupation": "Working professional"},
            {"occupation": "Student"},
        ),
        (
            {"field": "custom.interests", "operator": "in", "value": ["Demo", "Pricing"]},
            {"interests": ["Docs", "Demo"]},
            {"interests": ["Docs"]},
        ),
        (
            {"field": "custom.do_not_call", "operator": "eq", "value": "yes"},
            {"do_not_call": True},
            {"do_not_call": False},
        ),
        (
            {"field": "custom.last_visit", "operator": "gte", "value": "2026-06-01"},
            {"last_visit": "2026-07-01"},
            {"last_visit": "2026-05-31"},
        ),
        (
            {"field": "custom.notes", "operator": "contains", "value": "budget"},
            {"notes": "Has BUDGET approved"},
            {"notes": "Just looking"},
        ),
        ({"field": "custom.notes", "operator": "empty"}, {}, {"notes": "Something"}),
        ({"field": "custom.total_visits", "operator": "not_empty"}, {"total_visits": 0}, {}),
    ],
)
def test_a_rule_on_a_custom_field_scores_the_leads_that_match_it(
    org: Org, fields: None, condition: dict[str, Any], hit: dict[str, Any], miss: dict[str, Any]
) -> None:
    rule(org, **condition)
    assert score_of(org, **hit) == 10
    assert score_of(org, **miss) == 0


def test_a_custom_rule_explains_itself_with_the_fields_name(org: Org, fields: None) -> None:
    rule(org, name="Engaged", field="custom.total_visits", operator="gte", value=5, points=25)
    lead: Any = LeadFactory(owner=org.rep, custom={"total_visits": 9})
    score_leads([lead.pk])
    lead.refresh_from_db()
    assert lead.score == 25
    body = api(org.admin).get(f"/api/v1/leads/{lead.pk}/").json()
    assert any(reason["label"] == "Engaged" for reason in body["score_reasons"]["up"])


def test_a_custom_rule_with_a_value_of_the_wrong_type_is_refused(org: Org, fields: None) -> None:
    with pytest.raises(DomainError, match="needs a number"):
        rule(org, field="custom.total_visits", operator="gte", value="many")
    with pytest.raises(DomainError, match="use one of: Student"):
        rule(org, field="custom.occupation", operator="eq", value="Astronaut")
    with pytest.raises(DomainError, match="needs a date"):
        rule(org, field="custom.last_visit", operator="gte", value="next week")
    response = api(org.admin).post(
        "/api/v1/scoring/rules/",
        {"name": "X", "field": "custom.nope", "operator": "eq", "value": "1", "points": 5},
        format="json",
    )
    assert response.status_code == 400
    assert "not a lead field" in str(response.json())
    assert not ScoringRule.objects.exists()


def test_the_rule_form_offers_the_leads_custom_fields(org: Org, fields: None) -> None:
    page = client_for(org.admin).get("/leads/manage/scoring/rules/new/")
    assert page.status_code == 200
    assert 'value="custom.total_visits"' in page.content.decode()
    assert "Occupation" in page.content.decode()


def planted_custom_history(org: Org, *, leads: int = 800) -> None:
    """Decided leads whose odds depend only on two custom fields; a third is noise."""
    rng = random.Random(5)
    now = timezone.now()
    rows = []
    for i in range(leads):
        occupation = rng.choice(["Student", "Working professional"])
        visits = rng.randint(0, 12)
        z = (1.8 if occupation == "Working professional" else -1.8) + 0.35 * (visits - 6)
        converted = rng.random() < 1 / (1 + math.exp(-z))
        created = now - timedelta(days=400 - i * 0.4)
        rows.append(
            Lead(
                last_name=f"C{i}",
                email=f"custom-history-{i}@example.org",
                owner=org.rep,
                custom={
                    "occupation": occupation,
                    "total_visits": visits,
                    "notes": rng.choice(["a", "b", "c", "d"]),
                },
                status="converted" if converted else "disqualified",
                converted_at=created + timedelta(days=10) if converted else None,
                created_at=created,
            )
        )
    Lead.objects.bulk_create(rows)


def test_the_model_learns_from_custom_fields_and_ignores_a_useless_one(
    org: Org, fields: None
) -> None:
    planted_custom_history(org)
    version = train(actor=org.admin)
    assert version.status == "ready", version.message
    assert {"custom_occupation", "custom_total_visits", "custom_notes"} <= set(version.features)
    assert "custom_interests" not in version.features  # lists are not features
    top2 = {row["feature"] for row in version.importance[:2]}
    assert top2 == {"custom_occupation", "custom_total_visits"}
    share = {row["feature"]: row["share"] for row in version.importance}
    assert share["custom_notes"] < 0.05
    assert version.metrics["stratified"]["model"]["auc"] > 0.8


def test_admins_can_keep_a_custom_field_out_of_the_model(org: Org, fields: None) -> None:
    settings = services.scoring_settings_update(
        actor=org.admin, data={"excluded_features": "custom_occupation"}
    )
    assert settings.excluded_features == ["custom_occupation"]
    planted_custom_history(org, leads=300)
    version = train(actor=org.admin)
    assert "custom_occupation" not in version.features
