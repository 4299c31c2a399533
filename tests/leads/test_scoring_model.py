"""The predictive model: it finds a planted signal, ignores a useless feature, explains each
score exactly, is stored with its metrics, activates and rolls back."""

from typing import Any

import numpy as np
import pytest

from leads.models import Lead, ScoringModel, ScoringSettings
from leads.scoring import features as feats
from leads.scoring.engine import load_state, score_leads
from leads.scoring.model import load
from leads.scoring.services import scoring_rule_create, scoring_settings_update
from leads.scoring.training import scoring_model_activate, train, train_and_maybe_activate
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as api
from tests.leads.factories import LeadFactory
from tests.leads.scoring_history import planted_history

pytestmark = pytest.mark.django_db


def test_with_too_little_history_it_says_how_many_and_scores_by_rules_alone(org: Org) -> None:
    planted_history(org.rep, leads=60)
    version = train()
    assert version.status == "skipped"
    converted = Lead.objects.filter(status="converted").count()
    assert f"{converted} converted and {60 - converted} disqualified" in version.message
    assert "at least 50 of each" in version.message
    scoring_rule_create(
        actor=org.admin, name="Any", field="industry", operator="not_empty", points=10
    )
    lead: Any = LeadFactory(owner=org.rep, industry="Software")
    score_leads([lead.pk])
    lead.refresh_from_db()
    assert lead.score == 10
    assert lead.model_score is None


def test_the_model_finds_the_planted_signal_and_gives_a_useless_feature_no_weight(
    org: Org,
) -> None:
    planted_history(org.rep)
    version = train(actor=org.admin)

    assert version.status == "ready", version.message
    assert version.artefact
    for split in ("time", "stratified"):
        figures = version.metrics[split]
        assert figures["n_test"] == 240
        assert figures["model"]["auc"] > 0.8
        assert figures["model"]["auc"] >= figures["baseline"]["auc"] - 0.03
        assert len(figures["model"]["calibration"]) == 10
        assert figures["model"]["gains"][0] == 0
        assert figures["model"]["gains"][-1] == 1
        assert figures["model"]["top_decile_lift"] > 1.3
        assert 0 <= figures["model"]["brier"] < 0.2
    share = {row["feature"]: row["share"] for row in version.importance}
    top3 = [row["feature"] for row in version.importance[:3]]
    assert set(top3) == {"source", "industry", "employee_count"}
    assert share["region"] < 0.05
    assert share["region"] < min(share[f] for f in top3) / 5
    assert "status" not in version.features
    assert "converted_at" not in version.features


def test_each_score_is_explained_by_contributions_that_add_up_to_its_log_odds(org: Org) -> None:
    planted_history(org.rep)
    version = train()
    scoring_model_activate(actor=org.admin, version=version)
    referral = Lead.objects.filter(source__slug="referral").values_list("source", flat=True)[0]
    good: Any = LeadFactory(
        owner=org.rep, source_id=referral, industry="Software", employee_count=5000, region="North"
    )
    bad: Any = LeadFactory(owner=org.rep, industry="Retail", employee_count=12)
    bare: Any = LeadFactory(owner=org.rep, industry="", employee_count=None)

    state = load_state()
    assert state.model is not None
    score_leads([good.pk, bad.pk, bare.pk], state=state)
    good.refresh_from_db()
    bad.refresh_from_db()
    bare.refresh_from_db()

    model = load(version)
    _, x = feats.fetch([good.pk, bad.pk, bare.pk], model.features, as_of=state.now)
    logit, contributions, base = model.decision(x)
    assert np.allclose(base + contributions.sum(axis=1), logit, atol=1e-9)
    assert good.model_score > 80
    assert bad.model_score < 25
    reasons = good.score_reasons
    assert sum(f["effect"] for f in reasons["factors"]) + reasons["base"] == pytest.approx(
        reasons["logit"], abs=2e-3
    )
    assert {r["label"].split(":")[0] for r in reasons["up"]} == {"Source", "Industry", "Employees"}
    assert {r["label"].split(":")[0] for r in bad.score_reasons["down"]} >= {"Industry"}
    region = next(f for f in reasons["factors"] if f["feature"] == "region")
    assert abs(region["effect"]) < 0.15
    # Missing fields still give a score with reasons.
    assert bare.score is not None
    assert bare.score_reasons["factors"]
    weight = ScoringSettings.objects.get().model_weight / 100
    assert good.score == round(weight * good.model_score + (1 - weight) * 0)


def test_versions_activate_roll_back_and_a_worse_one_is_not_activated(org: Org) -> None:
    planted_history(org.rep)
    first = train_and_maybe_activate(activate=True)
    assert ScoringSettings.objects.get().active_model_id == first.pk
    assert first.message.endswith("Activated.")
    # Teach the next version nothing useful: it is worse, so the first stays active.
    scoring_settings_update(
        actor=org.admin, data={"excluded_features": ["source", "industry", "employee_count"]}
    )
    worse = train_and_maybe_activate(activate=True)
    assert worse.status == "ready"
    assert "Not activated" in worse.message
    assert ScoringSettings.objects.get().active_model_id == first.pk
    assert worse.features
    assert "source" not in worse.features
    # Roll forward and back through the API.
    client = api(org.admin)
    body = client.post(f"/api/v1/scoring/models/{worse.pk}/activate/").json()
    assert body["is_active"] is True
    assert ScoringSettings.objects.get().active_model_id == worse.pk
    client.post(f"/api/v1/scoring/models/{first.pk}/activate/")
    assert ScoringSettings.objects.get().active_model_id == first.pk
    listed = client.get("/api/v1/scoring/models/").json()["results"]
    assert [v["id"] for v in listed] == [worse.pk, first.pk]
    assert [v["is_active"] for v in listed] == [False, True]
    assert "time" in listed[1]["metrics"]
    assert "artefact" not in listed[1]


def test_a_skipped_version_cannot_be_activated_and_reps_cannot_train(org: Org) -> None:
    skipped = train()
    response = api(org.admin).post(f"/api/v1/scoring/models/{skipped.pk}/activate/")
    assert response.status_code == 409
    assert "Not enough history" in response.json()["error"]["message"]
    assert api(org.rep).post("/api/v1/scoring/models/train/").status_code == 403
    assert api(org.rep).get("/api/v1/scoring/models/").status_code == 403


def test_training_through_the_api_queues_a_task(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = api(org.admin).post(
            "/api/v1/scoring/models/train/", {"activate": False}, format="json"
        )
    assert response.status_code == 202
    assert response.json() == {"queued": True, "positives": 0, "negatives": 0}
    assert len(callbacks) == 1
    assert not ScoringModel.objects.exists()  # the worker trains


def test_an_unknown_excluded_feature_is_refused(org: Org) -> None:
    response = api(org.admin).patch(
        "/api/v1/scoring/settings/", {"excluded_features": ["shoe"]}, format="json"
    )
    assert response.status_code == 400
    assert "Unknown feature: shoe" in response.json()["error"]["message"]
    page = client_for(org.admin).post(
        "/leads/manage/scoring/",
        {"outcome": "converted", "model_weight": "60", "cutoff": "50", "excluded_features": "shoe"},
    )
    assert "Unknown feature: shoe" in page.content.decode()


def test_the_quality_page_shows_metrics_charts_and_trainings_and_rolls_back(org: Org) -> None:
    client = client_for(org.admin)
    empty = client.get("/leads/manage/scoring/quality/").content.decode()
    assert "No model trained yet" in empty
    planted_history(org.rep)
    first = train_and_maybe_activate(activate=True)
    second = train_and_maybe_activate(activate=True)
    page = client.get("/leads/manage/scoring/quality/").content.decode()
    assert f"v{second.pk}</strong>" in page
    for needle in (
        'id="calibration-chart"',
        'id="gains-chart"',
        'id="importance-chart"',
        'id="quality-charts"',
        "Naive Bayes (baseline)",
        "Rule score",
        "Stratified random 30 %",
        "chart.umd.min.js",
        "Roll back to this",
    ):
        assert needle in page, needle
    response = client.post(f"/leads/manage/scoring/models/{first.pk}/activate/")
    assert response.status_code == 302
    assert ScoringSettings.objects.get().active_model_id == first.pk
    assert client_for(org.rep).get("/leads/manage/scoring/quality/").status_code == 403
