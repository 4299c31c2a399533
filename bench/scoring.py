"""Lead-scoring benchmarks: quality on the X Education data set (when present) and speed of
batch scoring and training on the database's leads."""

import csv
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from django.utils import timezone
from sklearn.model_selection import train_test_split

from leads.models import Lead, ScoringRule
from leads.scoring.engine import BATCH_SIZE, compute, load_state, write_counts
from leads.scoring.features import CATEGORY, MISSING, NUMBER, Feature
from leads.scoring.metrics import ValueCountsBayes, quality
from leads.scoring.model import FittedModel
from leads.scoring.services import clean_rule
from leads.scoring.training import train


def _x_education() -> Path:
    """shared/data/x_education/Leads.csv beside the checkout or one of its parents."""
    relative = Path("shared") / "data" / "x_education" / "Leads.csv"
    for folder in Path(__file__).resolve().parents[1:]:
        if (folder / relative).exists():
            return folder / relative
    return Path(__file__).resolve().parents[2] / relative


X_EDUCATION = _x_education()
# Identifiers, the outcome, and what the sales team writes after talking to the lead (the
# outcome in words: "Closed by Horizzon", "Lost to EINS", "Will revert after reading…").
X_EDUCATION_LEFT_OUT = ("Prospect ID", "Lead Number", "Converted", "Tags", "Lead Quality")
TARGETS = {"accuracy": 0.82, "auc": 0.88}


def x_education(path: Path, log: Callable[[str], None]) -> dict[str, Any] | None:
    """Train the product's pipeline on the CSV's columns and score a stratified 30 % hold-out,
    beside the naive-Bayes baseline on the same split."""
    if not path.exists():
        log(f"X Education: {path} not found; skipped.")
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in rows[0] if c and c not in X_EDUCATION_LEFT_OUT]
    features = []
    for column in columns:
        values = [r[column] for r in rows if r[column] not in ("", "Select")]
        try:
            [float(v) for v in values]
            kind = NUMBER
        except ValueError:
            kind = CATEGORY
        features.append(Feature(column, column, kind, log=kind == NUMBER))
    xs = np.empty((len(rows), len(features)), dtype=object)
    for j, feature in enumerate(features):
        for i, row in enumerate(rows):
            value = row[feature.name]
            missing = value in ("", "Select")  # "Select": the form's untouched drop-down
            if feature.kind == CATEGORY:
                xs[i, j] = MISSING if missing else value
            else:
                xs[i, j] = np.nan if missing else float(value)
    y = np.array([int(r["Converted"]) for r in rows])
    train_idx, test_idx = train_test_split(
        np.arange(y.size), test_size=0.3, stratify=y, random_state=7
    )
    started = time.perf_counter()
    model = FittedModel.fit(xs[train_idx], y[train_idx], features)
    seconds = time.perf_counter() - started
    baseline = ValueCountsBayes().fit(xs[train_idx], y[train_idx], features)
    figures = {
        "model": quality(y[test_idx], model.probability(xs[test_idx]), cutoff=0.5),
        "baseline": quality(y[test_idx], baseline.predict_proba(xs[test_idx]), cutoff=0.5),
    }
    log(
        f"X Education: {y.size} leads, {len(features)} columns, {int(y.sum())} converted; "
        f"trained on {train_idx.size} in {seconds:.1f} s, held out {test_idx.size} (stratified)"
    )
    for name, m in figures.items():
        log(
            f"  {name:<9} accuracy {m['accuracy']:.3f}  AUC {m['auc']:.3f}  precision "
            f"{m['precision']:.3f}  recall {m['recall']:.3f}  Brier {m['brier']:.3f}  "
            f"top-decile lift {m['top_decile_lift']:.2f}"
        )
    ok = all(figures["model"][k] >= v for k, v in TARGETS.items()) and (
        figures["model"]["auc"] > figures["baseline"]["auc"]
        and figures["model"]["accuracy"] > figures["baseline"]["accuracy"]
    )
    log(
        f"  targets (accuracy ≥ 0.82, AUC ≥ 0.88, better than the baseline): "
        f"{'met' if ok else 'NOT met'}"
    )
    return {"figures": figures, "ok": ok}


BENCH_RULES = [
    {
        "name": "Software",
        "field": "industry",
        "operator": "in",
        "value": ["Software", "Finance"],
        "points": 20,
    },
    {"name": "Large", "field": "employee_count", "operator": "gte", "value": 500, "points": 25},
    {
        "name": "Buying now",
        "field": "timeframe",
        "operator": "eq",
        "value": "immediate",
        "points": 20,
    },
    {"name": "Calls", "field": "engagement", "activity": "call", "within_days": 30, "points": 15},
    {
        "name": "Meeting held",
        "field": "engagement",
        "activity": "meeting_held",
        "within_days": 30,
        "points": 20,
        "decay_days": 14,
    },
]


def _rescore_pass(ids: list[int], state: Any) -> tuple[int, int, float]:
    started = time.perf_counter()
    done = moved = 0
    for start in range(0, len(ids), BATCH_SIZE):
        saved, changed = write_counts(compute(ids[start : start + BATCH_SIZE], state), state)
        done, moved = done + saved, moved + changed
    return done, moved, time.perf_counter() - started


def batch_rate(count: int, log: Callable[[str], None]) -> float:
    """Leads scored per second in one process (rules + the active model, compute and write),
    in batches of 2,000: a pass where every score changes (one more rule: the side table and
    the lead's score are rewritten), one that changes them back (leaving the real scores), then
    a rescore where nothing changed (the nightly run, the reconciler: only the side table's
    generation and time move)."""
    state = load_state()
    if not state.rules:
        state.rules = [ScoringRule(**clean_rule(rule)) for rule in BENCH_RULES]
    ids = list(Lead.objects.alive().order_by("pk").values_list("pk", flat=True)[:count])
    model = f"model v{state.model.version_id}" if state.model else "no active model"
    # Shift every score: one more rule that holds for every lead, points changing each run.
    shift = 1 + int(time.time()) % 9
    changed_state = load_state()
    changed_state.rules = [
        *state.rules,
        ScoringRule(
            **clean_rule(
                {"name": "Bench", "field": "email", "operator": "not_empty", "points": shift}
            )
        ),
    ]
    rates = []
    passes = (
        ("every score changes", changed_state),
        ("every score changes back", state),
        ("nothing changed", state),
    )
    for label, run_state in passes:
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        done, moved, seconds = _rescore_pass(ids, run_state)
        rate = done / seconds if seconds else 0.0
        rates.append(rate)
        log(
            f"batch scoring, {label}: {done:,} leads in {seconds:.1f} s = {rate:,.0f} leads/s "
            f"({len(run_state.rules)} rules, {model}, batches of {BATCH_SIZE:,}; "
            f"{moved:,} lead rows updated; peak memory "
            f"{max(peak_before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024:.0f} MB)"
        )
    return min(rates)


def training_time(log: Callable[[str], None]) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    version = train()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    leads = Lead.objects.alive().count()
    log(
        f"training: v{version.pk} {version.status} in {seconds:.1f} s "
        f"({version.positives:,} + {version.negatives:,} decided of {leads:,} leads), peak "
        f"memory {peak / 1024:.0f} MB (was {before / 1024:.0f} MB), at {timezone.now():%H:%M}; "
        f"{version.message}"
    )
