"""The predictive model: a scikit-learn pipeline (one-hot with a bucket for rare values and a
"(missing)" level for categories; median imputation with a missing indicator, log and scaling
for numbers; logistic regression), Platt-calibrated on out-of-fold predictions.

Because the model is linear in its inputs and the calibration is linear in the log-odds, each
lead's log-odds split exactly into a base plus one contribution per feature (measured from the
training average), which is what the lead page shows.
"""

import io
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from leads.scoring import features as feats
from leads.scoring.features import CATEGORY, MISSING, Feature
from leads.scoring.models import ScoringModel

MIN_FREQUENCY = 5  # rarer category values share one "infrequent" column


def as_float(values: Any) -> Any:
    return np.asarray(values, dtype=float)


def log_float(values: Any) -> Any:
    return np.log1p(np.clip(np.asarray(values, dtype=float), 0, None))


def build_pipeline(features: Sequence[Feature], *, c: float = 1.0) -> Pipeline:
    parts: list[tuple[str, Any, list[int]]] = []
    for i, feature in enumerate(features):
        step: Any
        if feature.kind == CATEGORY:
            step = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=MIN_FREQUENCY)
        else:
            step = Pipeline(
                [
                    ("float", FunctionTransformer(log_float if feature.log else as_float)),
                    (
                        "impute",
                        SimpleImputer(
                            strategy="median", add_indicator=True, keep_empty_features=True
                        ),
                    ),
                    ("scale", StandardScaler()),
                ]
            )
        parts.append((feature.name, step, [i]))
    columns = ColumnTransformer(parts, sparse_threshold=1.0)
    # Newton-Cholesky: a handful of iterations for a few hundred encoded columns.
    model = LogisticRegression(C=c, solver="newton-cholesky", max_iter=100)
    return Pipeline([("features", columns), ("model", model)])


def platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept mapping decision values to calibrated log-odds."""
    calibrator = LogisticRegression(C=1e6, max_iter=1000)
    calibrator.fit(decision.reshape(-1, 1), y)
    return float(calibrator.coef_[0, 0]), float(calibrator.intercept_[0])


@dataclass
class FittedModel:
    """A fitted pipeline plus its calibration and the matrices that attribute its log-odds."""

    pipeline: Pipeline
    features: list[Feature]
    slope: float
    intercept: float
    weights_by_feature: np.ndarray  # (encoded columns x features): coefficient * calibration
    centre: np.ndarray  # (features,): the average contribution in training, subtracted
    version_id: int = 0

    @classmethod
    def fit(
        cls, xs: np.ndarray, y: np.ndarray, features: list[Feature], *, folds: int = 3
    ) -> "FittedModel":
        pipeline = build_pipeline(features)
        columns: ColumnTransformer = pipeline.named_steps["features"]
        # The encoding is fitted once; only the regression is cross-validated for the
        # calibration (what the encoding learns, levels and medians, barely moves by fold).
        encoded = sparse.csr_matrix(columns.fit_transform(xs, y))
        regression: LogisticRegression = pipeline.named_steps["model"]
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=11)
        out_of_fold = cross_val_predict(regression, encoded, y, cv=cv, method="decision_function")
        slope, intercept = platt(np.asarray(out_of_fold), y)
        regression.fit(encoded, y)
        coef = regression.coef_[0]
        grouping = np.zeros((coef.size, len(features)))
        for j, feature in enumerate(features):
            grouping[columns.output_indices_[feature.name], j] = 1.0
        weights = (coef * slope)[:, None] * grouping
        centre = np.asarray(encoded.mean(axis=0)).ravel() @ weights
        return cls(pipeline, features, slope, intercept, weights, centre)

    def decision(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """(calibrated log-odds per row, contributions rows x features, base) with
        log-odds == base + contributions.sum(axis=1) exactly."""
        encoded = sparse.csr_matrix(self.pipeline.named_steps["features"].transform(xs))
        contributions = np.asarray(encoded @ self.weights_by_feature) - self.centre
        model = self.pipeline.named_steps["model"]
        base = float(self.slope * model.intercept_[0] + self.intercept + self.centre.sum())
        logit = base + contributions.sum(axis=1)
        return logit, contributions, base

    def probability(self, xs: np.ndarray) -> np.ndarray:
        logit, _, _ = self.decision(xs)
        return 1.0 / (1.0 + np.exp(-logit))

    def predict(self, ids: Sequence[int], *, now: datetime) -> "Prediction":
        found, xs = feats.fetch(ids, self.features, as_of=now)
        if list(found) != list(ids):  # a lead vanished between two queries
            position = {pk: i for i, pk in enumerate(found)}
            empty = feats.matrix([[None] * len(self.features)], self.features)[0]
            xs = np.vstack([xs[position[pk]] if pk in position else empty for pk in ids])
        logit, contributions, base = self.decision(xs)
        return Prediction(self.features, xs, logit, contributions, base)

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        pickle.dump(self, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()


@dataclass
class Prediction:
    features: list[Feature]
    xs: np.ndarray
    logit: np.ndarray
    contributions: np.ndarray
    base: float

    @cached_property
    def scores(self) -> np.ndarray:
        probability = 1.0 / (1.0 + np.exp(-self.logit))
        return np.clip(np.rint(probability * 100), 0, 100).astype(int)

    def explanations(self) -> list[dict[str, Any]]:
        """Every row's base, log-odds and its factors in the compact stored form
        (`f`: [effect, value] per feature, in the model's feature order; see
        leads.scoring.explain), built column-wise for the whole batch."""
        effects = np.round(self.contributions, 4).tolist()
        shown: list[list[Any]] = []
        for j, feature in enumerate(self.features):
            column = self.xs[:, j].tolist()
            if feature.kind == CATEGORY:
                shown.append(["" if v == MISSING else v for v in column])
            else:
                shown.append(["" if v is None or v != v else round(float(v), 2) for v in column])
        logits = np.round(self.logit, 4).tolist()
        base = round(self.base, 4)
        k = len(self.features)
        return [
            {
                "base": base,
                "logit": logits[i],
                "f": [[effects[i][j], shown[j][i]] for j in range(k)],
            }
            for i in range(len(logits))
        ]


def load(version: ScoringModel) -> FittedModel:
    model = pickle.loads(bytes(version.artefact or b""))  # noqa: S301 - written by train()
    model.version_id = version.pk
    return model
