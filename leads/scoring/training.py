"""Train a version on the team's history, measure it on leads it never saw, store it, and
activate it when it is at least as good as the active one.

History: converted leads against disqualified ones (or, as the admin chooses, leads whose
deal was won against disqualified leads and lost deals). Hold-outs: the newest 30 % of that
history by created date (trained on the older 70 %), and a stratified random 30 % as a second
figure. On each, the model is compared with the rule score and with naive Bayes over value
counts. The stored version is then fitted on all of the history.
"""

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from sklearn.model_selection import train_test_split

from crm.errors import Conflict
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit
from leads.models.leads import Lead, LeadStatus
from leads.scoring import features as feats
from leads.scoring.engine import scoring_settings
from leads.scoring.features import Feature
from leads.scoring.metrics import ValueCountsBayes, quality
from leads.scoring.model import FittedModel
from leads.scoring.models import ModelStatus, Outcome, ScoringModel, ScoringSettings
from leads.scoring.rules import active_rules, clip_score, compile_rules, rule_points
from leads.scoring.services import new_generation, require_admin
from pipeline.models import StageKind

log = logging.getLogger(__name__)

MIN_PER_CLASS = 50
HOLDOUT = 0.3
MAX_ROWS = 300_000  # the newest this many decided leads; enough for a stable model
# A new version replaces the active one unless its AUC on the newest leads is lower by more
# than this.
TOLERANCE = 0.005


@dataclass
class History:
    ids: np.ndarray
    created: np.ndarray
    xs: np.ndarray
    y: np.ndarray


def outcome_filters(outcome: str) -> tuple[Q, Q]:
    disqualified = Q(status=LeadStatus.DISQUALIFIED)
    if outcome == Outcome.WON:
        converted = Q(status=LeadStatus.CONVERTED)
        won = converted & Q(converted_deal__stage__kind=StageKind.WON)
        lost = converted & Q(converted_deal__stage__kind=StageKind.LOST)
        return won, disqualified | lost
    return Q(status=LeadStatus.CONVERTED), disqualified


def class_counts(outcome: str) -> tuple[int, int]:
    positive, negative = outcome_filters(outcome)
    leads = Lead.objects.alive()
    return leads.filter(positive).count(), leads.filter(negative).count()


def load_history(outcome: str, features: list[Feature], *, max_rows: int = MAX_ROWS) -> History:
    positive, negative = outcome_filters(outcome)
    leads: Any = (
        Lead.objects.alive()
        .filter(positive | negative)
        .annotate(
            label=Case(When(positive, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
    )
    leads = feats.annotate(leads, features, as_of=None).order_by("-created_at", "-id")[:max_rows]
    rows = list(leads.values_list("pk", "created_at", "label", *(f"f_{f.name}" for f in features)))
    return History(
        ids=np.array([r[0] for r in rows], dtype=int),
        created=np.array([r[1].timestamp() for r in rows], dtype=float),
        xs=feats.matrix([r[3:] for r in rows], features),
        y=np.array([r[2] for r in rows], dtype=int),
    )


def rule_probabilities(ids: np.ndarray) -> np.ndarray:
    """Today's rule score of these leads, /100, in the order of `ids`."""
    compiled = compile_rules(active_rules(), now=timezone.now())
    if not compiled:
        return np.zeros(ids.size)
    found, points = rule_points(Lead.objects.filter(pk__in=ids.tolist()), compiled)
    by_id = {pk: clip_score(sum(row)) / 100.0 for pk, row in zip(found, points, strict=True)}
    return np.array([by_id.get(int(pk), 0.0) for pk in ids])


def evaluate(
    history: History, train: np.ndarray, test: np.ndarray, features: list[Feature], cutoff: float
) -> dict[str, Any]:
    xs, y = history.xs, history.y
    model = FittedModel.fit(xs[train], y[train], features)
    baseline = ValueCountsBayes().fit(xs[train], y[train], features)
    return {
        "n_train": int(train.size),
        "n_test": int(test.size),
        "model": quality(y[test], model.probability(xs[test]), cutoff=cutoff),
        "rules": quality(y[test], rule_probabilities(history.ids[test]), cutoff=cutoff),
        "baseline": quality(y[test], baseline.predict_proba(xs[test]), cutoff=cutoff),
    }


def splits(history: History) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    order = np.argsort(history.created, kind="stable")
    cut = round(order.size * (1 - HOLDOUT))
    indices = np.arange(history.y.size)
    strat_train, strat_test = train_test_split(
        indices, test_size=HOLDOUT, stratify=history.y, random_state=7
    )
    return {"time": (order[:cut], order[cut:]), "stratified": (strat_train, strat_test)}


def importance(model: FittedModel, xs: np.ndarray) -> list[dict[str, Any]]:
    """Mean absolute contribution (log-odds) of each feature over the training leads."""
    sample = xs[:20000]
    _, contributions, _ = model.decision(sample)
    weight = np.abs(contributions).mean(axis=0)
    total = float(weight.sum()) or 1.0
    rows = [
        {
            "feature": f.name,
            "label": f.label,
            "importance": round(float(w), 4),
            "share": round(float(w) / total, 4),
        }
        for f, w in zip(model.features, weight, strict=True)
    ]
    return sorted(rows, key=lambda r: -r["importance"])


def train(*, actor: User | None = None, settings: ScoringSettings | None = None) -> ScoringModel:
    """Train and store a version (ready, skipped for lack of history, or failed); never
    activates. The message says what happened in words."""
    settings = settings or scoring_settings()
    features = feats.chosen_features(settings.excluded_features)
    started = time.monotonic()
    version = ScoringModel(
        outcome=settings.outcome,
        trained_by=actor,
        features=[f.name for f in features],
        excluded_features=list(settings.excluded_features),
    )
    positives, negatives = class_counts(settings.outcome)
    version.positives, version.negatives = positives, negatives
    positive_word = "won" if settings.outcome == Outcome.WON else "converted"
    if positives < MIN_PER_CLASS or negatives < MIN_PER_CLASS:
        version.status = ModelStatus.SKIPPED
        version.message = (
            f"Not enough history: {positives} {positive_word} and {negatives} disqualified "
            f"leads; at least {MIN_PER_CLASS} of each are needed. Scores use the rules alone."
        )
        version.save()
        return version
    try:
        history = load_history(settings.outcome, features)
        cutoff = settings.cutoff / 100.0
        metrics = {
            name: evaluate(history, train_idx, test_idx, features, cutoff)
            for name, (train_idx, test_idx) in splits(history).items()
        }
        final = FittedModel.fit(history.xs, history.y, features)
        version.positives = int(history.y.sum())
        version.negatives = int(history.y.size - history.y.sum())
        version.metrics = metrics
        version.importance = importance(final, history.xs)
        version.artefact = final.dumps()
        version.status = ModelStatus.READY
        auc = metrics["time"]["model"]["auc"]
        version.message = (
            f"Trained on {history.y.size} leads ({version.positives} {positive_word}); "
            f"AUC {auc} on the newest {int(HOLDOUT * 100)} %."
        )
    except (ValueError, ArithmeticError, MemoryError) as exc:
        log.exception("scoring: training failed")
        version.status = ModelStatus.FAILED
        version.message = f"Training failed: {exc}. The active version (if any) stays."
        version.artefact = None
    version.seconds = round(time.monotonic() - started, 2)
    version.save()
    return version


def time_auc(version: ScoringModel | None) -> float | None:
    if version is None:
        return None
    try:
        return float(version.metrics["time"]["model"]["auc"])
    except (KeyError, TypeError, ValueError):
        return None


@transaction.atomic
def scoring_model_activate(
    *, actor: User | None, version: ScoringModel, queue: str | None = None
) -> ScoringModel:
    """Make `version` the active one (also how an admin rolls back) and rescore every lead."""
    if actor is not None:
        require_admin(actor)
    version = ScoringModel.objects.select_for_update().get(pk=version.pk)
    if version.status != ModelStatus.READY or not version.artefact:
        raise Conflict(f"Version {version.pk} has no usable model: {version.message}")
    ScoringSettings.objects.get_or_create(pk=1)
    ScoringSettings.objects.filter(pk=1).update(active_model=version)
    version.activated_at = timezone.now()
    version.save(update_fields=["activated_at"])
    if actor is not None:
        audit(actor=actor, obj=version, action=AuditAction.ACTIVATE, changes={"active": version.pk})
    new_generation(queue=queue)
    return version


def scoring_model_deactivate(*, actor: User, queue: str | None = None) -> None:
    """Score by the rules alone."""
    require_admin(actor)
    with transaction.atomic():
        ScoringSettings.objects.filter(pk=1).update(active_model=None)
        new_generation(queue=queue)


def train_and_maybe_activate(
    *, activate: bool, actor_id: int | None = None, queue: str | None = None
) -> ScoringModel:
    """Train; with `activate`, make the new version active unless it is worse on the newest
    leads than the active one (then keep the active one and say why in the message)."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    settings = scoring_settings()
    version = train(actor=actor, settings=settings)
    if not activate or version.status != ModelStatus.READY:
        return version
    active = (
        ScoringModel.objects.filter(pk=settings.active_model_id).defer("artefact").first()
        if settings.active_model_id
        else None
    )
    new_auc, old_auc = time_auc(version), time_auc(active)
    worse = new_auc is not None and old_auc is not None and new_auc < old_auc - TOLERANCE
    if active is not None and worse:
        version.message += (
            f" Not activated: AUC {new_auc} is below the active v{active.pk}'s {old_auc}."
        )
        version.save(update_fields=["message"])
        return version
    scoring_model_activate(actor=None, version=version, queue=queue)
    version.message += " Activated."
    version.save(update_fields=["message"])
    return version
