"""Demo scoring: a few rules, a model trained on the demo history (which has a planted
signal, see leads/demo.py), activated, and every lead scored. Idempotent."""

from collections.abc import Callable

from leads.models.leads import LeadSource
from leads.scoring.batches import score_all
from leads.scoring.models import ModelStatus, ScoringModel, ScoringRule
from leads.scoring.services import clean_rule
from leads.scoring.training import scoring_model_activate, train

RULES = [
    {"name": "Referral or existing customer", "field": "source", "operator": "in",
     "value": ["referral", "existing-customer"], "points": 30},
    {"name": "Decision maker", "field": "title", "operator": "in",
     "value": ["CTO", "CFO", "Founder"], "points": 15},
    {"name": "500+ employees", "field": "employee_count", "operator": "gte", "value": 500,
     "points": 20},
    {"name": "Buying now", "field": "timeframe", "operator": "eq", "value": "immediate",
     "points": 20},
    {"name": "Meeting held (30 days)", "field": "engagement", "activity": "meeting_held",
     "within_days": 30, "points": 20, "decay_days": 14},
    {"name": "Replied to an email", "field": "engagement", "activity": "email_replied",
     "within_days": 60, "points": 10},
    {"name": "Purchased list", "field": "source", "operator": "eq", "value": "purchased-list",
     "points": -20},
]  # fmt: skip


def seed(log: Callable[[str], None]) -> None:
    if ScoringModel.objects.exists() or ScoringRule.objects.exists():
        log("scoring: demo rules and model already present")
        return
    slugs = set(LeadSource.objects.values_list("slug", flat=True))
    for position, data in enumerate(RULES):
        value = data.get("value")
        if (
            data["field"] == "source"
            and not set(value if isinstance(value, list) else [value]) <= slugs
        ):
            continue
        ScoringRule.objects.create(**clean_rule({**data, "position": position}))
    version = train()
    log(f"scoring: {len(RULES)} rules; model v{version.pk}: {version.message}")
    if version.status == ModelStatus.READY:
        scoring_model_activate(actor=None, version=version)
    log(f"scoring: {score_all()} leads scored")
