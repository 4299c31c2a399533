"""Batch scoring: rules (one SQL query per batch) and the active model (one feature query and
one vectorised predict per batch), combined, explained, and written in one statement per
batch into the narrow `leads_leadscore` side table (the combined score is copied onto
`leads_lead.score`, for lists and sorts, only where it changed).

Score writes are not announced as change events (they would only ask for another rescore);
the side table's `generation` records which rules/model generation produced the score.
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
class ComputedScore:
    id: int
    score: int | None
    rule_score: int | None
    model_score: int | None
    reasons: dict[str, Any]


def compute(ids: Sequence[int], state: ScoringState) -> list[ComputedScore]:
    """Scores and reasons for the live leads among `ids` (no writes)."""
    leads = Lead.objects.alive().filter(pk__in=list(ids))
    compiled: list[CompiledRule] = compile_rules(state.rules, now=state.now)
    found, points = rule_points(leads, compiled)
    if not found:
        return []
    matrix = np.asarray(points, dtype=float).reshape(len(found), len(compiled))
    totals = matrix.sum(axis=1) if compiled else np.zeros(len(found))
    predicted = state.model.predict(found, now=state.now) if state.model is not None else None
    model_scores = predicted.scores.tolist() if predicted is not None else None
    model_parts = predicted.explanations() if predicted is not None else None
    rule_totals = [clip_score(t) for t in totals.tolist()] if compiled else None
    hits_by_column = [np.flatnonzero(matrix[:, i]) for i in range(len(compiled))]
    hits: list[list[tuple[ScoringRule, str, float]]] = [[] for _ in found]
    for i, rows in enumerate(hits_by_column):
        c = compiled[i]
        for row, points in zip(rows.tolist(), matrix[rows, i].tolist(), strict=True):
            hits[row].append((c.rule, c.text, points))
    labels = [f.label for f in state.model.features] if state.model is not None else None
    results = []
    for row, pk in enumerate(found):
        rule_score = rule_totals[row] if rule_totals is not None else None
        model_score = model_scores[row] if model_scores is not None else None
        model_part = model_parts[row] if model_parts is not None else None
        if rule_score is None and model_score is None:
            score = None
        else:
            score = combine(rule_score or 0, model_score, state.weight)
        results.append(
            ComputedScore(
                id=pk,
                score=score,
                rule_score=rule_score,
                model_score=model_score,
                reasons=explain.reasons(
                    rule_hits=hits[row],
                    rule_score=rule_score,
                    model_score=model_score,
                    model_part=model_part,
                    weight=state.settings.model_weight if state.model is not None else 0,
                    model_id=state.model.version_id if state.model is not None else None,
                    score=score,
                    labels=labels,
                ),
            )
        )
    return results


# One statement per batch: upsert the narrow side table (HOT updates: only its primary key is
# indexed; reasons that did not change keep their stored value, so TOAST is not rewritten),
# then copy the combined score onto the lead only where it changed, so a rescore that
# changes nothing never touches the wide `leads_lead` row and its indexes. Leads deleted
# meanwhile are skipped by the join.
WRITE_SQL = """
WITH v AS (
    SELECT * FROM unnest(%(ids)s::bigint[], %(scores)s::int[], %(rule_scores)s::int[],
                         %(model_scores)s::int[], %(reasons)s::text[])
        AS v(id, score, rule_score, model_score, reasons)
), saved AS (
    INSERT INTO leads_leadscore AS s
        (lead_id, score, rule_score, model_score, reasons, generation, model_version, scored_at)
    SELECT v.id, v.score, v.rule_score, v.model_score, v.reasons::jsonb,
           %(generation)s, %(model)s, %(now)s
    FROM v JOIN leads_lead AS l ON l.id = v.id
    ON CONFLICT (lead_id) DO UPDATE SET
        score = EXCLUDED.score, rule_score = EXCLUDED.rule_score,
        model_score = EXCLUDED.model_score,
        reasons = CASE WHEN s.reasons = EXCLUDED.reasons THEN s.reasons
                       ELSE EXCLUDED.reasons END,
        generation = EXCLUDED.generation, model_version = EXCLUDED.model_version,
        scored_at = EXCLUDED.scored_at
    RETURNING 1
), moved AS (
    UPDATE leads_lead AS l SET score = v.score
    FROM v WHERE l.id = v.id AND l.score IS DISTINCT FROM v.score
    RETURNING 1
)
SELECT (SELECT count(*) FROM saved), (SELECT count(*) FROM moved)
"""


def write(scores: Sequence[ComputedScore], state: ScoringState) -> int:
    """Store a batch's scores in one statement; returns how many leads were scored."""
    return write_counts(scores, state)[0]


def write_counts(scores: Sequence[ComputedScore], state: ScoringState) -> tuple[int, int]:
    """(leads scored, leads whose `Lead.score` changed) for one batch, in one statement."""
    if not scores:
        return 0, 0
    with connection.cursor() as cursor:
        cursor.execute(
            WRITE_SQL,
            {
                "ids": [s.id for s in scores],
                "scores": [s.score for s in scores],
                "rule_scores": [s.rule_score for s in scores],
                "model_scores": [s.model_score for s in scores],
                "reasons": [json.dumps(s.reasons, separators=(",", ":")) for s in scores],
                "generation": state.generation,
                "model": state.model.version_id if state.model is not None else None,
                "now": timezone.now(),
            },
        )
        saved, moved = cursor.fetchone()
        return int(saved), int(moved)


def score_leads(ids: Sequence[int], *, state: ScoringState | None = None) -> int:
    """Score and store the given leads, BATCH_SIZE at a time; returns how many were written.
    Idempotent: scoring the same leads twice writes the same values."""
    state = state or load_state()
    done = 0
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), BATCH_SIZE):
        done += write(compute(ordered[start : start + BATCH_SIZE], state), state)
    return done
