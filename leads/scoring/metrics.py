"""Quality figures of a scorer on held-out leads, and the naive-Bayes baseline (value counts
per field, how Odoo scores) the model is compared with."""

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)

from leads.scoring.features import CATEGORY, Feature


def _r(value: float) -> float:
    return round(float(value), 4)


def quality(y: np.ndarray, p: np.ndarray, *, cutoff: float) -> dict[str, Any]:
    """AUC, accuracy / precision / recall at the cut-off, Brier, calibration by decile, gains
    (share of positives in the top 10 %, 20 %, …) and the lift of the top decile."""
    y = np.asarray(y, dtype=int)
    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    n = int(y.size)
    base_rate = float(y.mean()) if n else 0.0
    both = 0 < y.sum() < n
    predicted = (p >= cutoff).astype(int)
    order = np.argsort(-p, kind="stable")
    deciles = np.array_split(order, 10) if n >= 10 else [order]
    calibration = [
        {
            "decile": i + 1,
            "predicted": _r(p[idx].mean()) if idx.size else 0.0,
            "observed": _r(y[idx].mean()) if idx.size else 0.0,
            "n": int(idx.size),
        }
        for i, idx in enumerate(reversed(deciles))
    ]
    positives = max(int(y.sum()), 1)
    gains = [0.0]
    captured = 0
    for idx in deciles:
        captured += int(y[idx].sum())
        gains.append(_r(captured / positives))
    top = deciles[0]
    lift = (float(y[top].mean()) / base_rate) if base_rate and top.size else 0.0
    return {
        "n": n,
        "positives": int(y.sum()),
        "base_rate": _r(base_rate),
        "auc": _r(roc_auc_score(y, p)) if both else None,
        "accuracy": _r(accuracy_score(y, predicted)),
        "precision": _r(precision_score(y, predicted, zero_division=0)),
        "recall": _r(recall_score(y, predicted, zero_division=0)),
        "brier": _r(brier_score_loss(y, p)) if n else None,
        "calibration": calibration,
        "gains": gains,
        "top_decile_lift": _r(lift),
        "cutoff": _r(cutoff),
    }


class ValueCountsBayes:
    """Naive Bayes over value counts: P(value | outcome) per field with add-one smoothing;
    numbers are cut into quintiles of the training data first."""

    def fit(self, xs: np.ndarray, y: np.ndarray, features: Sequence[Feature]) -> "ValueCountsBayes":
        self.features = list(features)
        self.edges: dict[int, np.ndarray] = {}
        for j, feature in enumerate(self.features):
            if feature.kind != CATEGORY:
                values = np.asarray(xs[:, j], dtype=float)
                finite = values[~np.isnan(values)]
                quantiles = np.quantile(finite, [0.2, 0.4, 0.6, 0.8]) if finite.size else []
                self.edges[j] = np.unique(quantiles)
        tokens = self._tokens(xs)
        y = np.asarray(y, dtype=int)
        self.class_count = np.array([(y == 0).sum(), (y == 1).sum()], dtype=float)
        self.counts: list[list[Counter[str]]] = []
        self.levels: list[int] = []
        for j in range(len(self.features)):
            column = tokens[j]
            self.counts.append([Counter(column[y == c]) for c in (0, 1)])
            self.levels.append(len(set(column)) + 1)
        return self

    def _tokens(self, xs: np.ndarray) -> list[np.ndarray]:
        columns = []
        for j, feature in enumerate(self.features):
            if feature.kind == CATEGORY:
                columns.append(np.asarray(xs[:, j], dtype=str))
            else:
                values = np.asarray(xs[:, j], dtype=float)
                bins = np.digitize(np.nan_to_num(values, nan=0.0), self.edges[j]).astype(str)
                columns.append(np.where(np.isnan(values), "missing", bins))
        return columns

    def predict_proba(self, xs: np.ndarray) -> np.ndarray:
        tokens = self._tokens(xs)
        log_odds = np.full(xs.shape[0], np.log(self.class_count[1] / self.class_count[0]))
        for j in range(len(self.features)):
            for c, sign in ((1, 1.0), (0, -1.0)):
                counts = self.counts[j][c]
                denominator = self.class_count[c] + self.levels[j]
                looked_up = np.fromiter((counts.get(t, 0) for t in tokens[j]), float, xs.shape[0])
                log_odds += sign * np.log((looked_up + 1.0) / denominator)
        return 1.0 / (1.0 + np.exp(-log_odds))
