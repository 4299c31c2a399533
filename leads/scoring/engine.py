"""Batch scoring: rules (one SQL query per batch) and the active model (one feature query and
one vectorised predict per batch), combined, explained, and written back in one UPDATE.

Score writes are not announced as change events (they would only ask for another rescore);
the lead's `score_generation` records which rules/model generation produced the score.
"""

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from leads.models.leads import Lead
from leads.scoring import explain
from leads.scoring.models import ScoringRule, ScoringSettings
from leads.scoring.predict import LoadedModel, load_active_model
from leads.scoring.rules import CompiledRule, active_rules, clip_score, compile_rules, rule_points

log = logging.getLogger(__name__)

BATCH_SIZE = 2000


@dataclass
class ScoringState:
    """What a score depends on, read once per batch (or once per preview)."""

    settings: ScoringSettings
    rules: list[ScoringRule]
    model: LoadedModel | None = None
    now: datetime = field(default_factory=timezone.now)

    @property
    def generation(self) -> int:
        return self.settings.generation

    @property
    def weight(self) -> float:
        return self.settings.model_weight / 100.0 if self.model is not None else 0.0


def scoring_settings() -> ScoringSettings:
    """The stored settings, or the defaults when none were saved yet. Reading never writes:
    the row is created by the first service that changes it."""
    return ScoringSettings.objects.filter(pk=1).first() or ScoringSettings(pk=1)


def load_state(*, now: datetime | None = None) -> ScoringState:
    settings = scoring_settings()
    return ScoringState(
        settings=settings,
        rules=active_rules(),
        model=load_active_model(settings),
        now=now or timezone.now(),
    )


def combine(rule_score: int, model_score: int | None, weight: float) -> int:
    if model_score is None:
        return rule_score
    return max(0, min(100, round(weight * model_score + (1 - weight) * rule_score)))


@dataclass
class LeadScore:
    id: int
    score: int | None
    rule_score: int | None
    model_score: int | None
    reasons: dict[str, Any]


def compute(ids: Sequence[int], state: ScoringState) -> list[LeadScore]:
    """Scores and reasons for the live leads among `ids` (no writes)."""
    leads = Lead.objects.alive().filter(pk__in=list(ids))
    compiled: list[CompiledRule] = compile_rules(state.rules, now=state.now)
    found, points = rule_points(leads, compiled)
    if not found:
        return []
    matrix = np.asarray(points, dtype=float).reshape(len(found), len(compiled))
    totals = matrix.sum(axis=1) if compiled else np.zeros(len(found))
    predicted = state.model.predict(found, now=state.now) if state.model is not None else None
    results = []
    for row, pk in enumerate(found):
        rule_score = clip_score(float(totals[row])) if compiled else None
        model_score = None
        model_part = None
        if predicted is not None:
            model_score = int(predicted.scores[row])
            model_part = predicted.explanation(row)
        if rule_score is None and model_score is None:
            score = None
        else:
            score = combine(rule_score or 0, model_score, state.weight)
        results.append(
            LeadScore(
                id=pk,
                score=score,
                rule_score=rule_score,
                model_score=model_score,
                reasons=explain.reasons(
                    rule_hits=[
                        (c.rule, c.text, float(matrix[row, i]))
                        for i, c in enumerate(compiled)
                        if matrix[row, i] != 0
                    ],
                    rule_score=rule_score,
                    model_score=model_score,
                    model_part=model_part,
                    weight=state.settings.model_weight if state.model is not None else 0,
                    model_id=state.model.version_id if state.model is not None else None,
                    score=score,
                ),
            )
        )
    return results


WRITE_SQL = """
UPDATE leads_lead AS l SET
    score = v.score, rule_score = v.rule_score, model_score = v.model_score,
    score_reasons = v.reasons::jsonb, score_generation = %s, scored_at = %s
FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::text[])
    AS v(id, score, rule_score, model_score, reasons)
WHERE l.id = v.id
"""


def write(scores: Sequence[LeadScore], state: ScoringState) -> int:
    if not scores:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            WRITE_SQL,
            [
                state.generation,
                timezone.now(),
                [s.id for s in scores],
                [s.score for s in scores],
                [s.rule_score for s in scores],
                [s.model_score for s in scores],
                [json.dumps(s.reasons, separators=(",", ":")) for s in scores],
            ],
        )
        return int(cursor.rowcount)


def score_leads(ids: Sequence[int], *, state: ScoringState | None = None) -> int:
    """Score and store the given leads, BATCH_SIZE at a time; returns how many were written.
    Idempotent: scoring the same leads twice writes the same values."""
    state = state or load_state()
    done = 0
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), BATCH_SIZE):
        done += write(compute(ordered[start : start + BATCH_SIZE], state), state)
    return done
