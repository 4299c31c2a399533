"""The model quality page's figures: metric rows and chart data (rendered by Chart.js)."""

from typing import Any

from leads.scoring.models import ScoringModel

SCORERS = (("model", "Model"), ("rules", "Rule score"), ("baseline", "Naive Bayes (baseline)"))
SPLITS = (("time", "Newest 30 % by created date"), ("stratified", "Stratified random 30 %"))


def split_rows(version: ScoringModel) -> list[dict[str, Any]]:
    rows = []
    for key, label in SPLITS:
        figures = (version.metrics or {}).get(key)
        if not figures:
            continue
        rows.append(
            {
                "key": key,
                "label": label,
                "n_train": figures["n_train"],
                "n_test": figures["n_test"],
                "scorers": [(name, figures[key_]) for key_, name in SCORERS if key_ in figures],
            }
        )
    return rows


def quality_charts(version: ScoringModel) -> dict[str, Any]:
    """Calibration by decile and cumulative gains on the newest-leads hold-out, and feature
    importance, as plain JSON for static/js/scoring.js."""
    figures = (version.metrics or {}).get("time") or {}
    calibration = figures.get("model", {}).get("calibration", [])
    gains = {name: figures[key]["gains"] for key, name in SCORERS if key in figures}
    return {
        "calibration": {
            "labels": [row["decile"] for row in calibration],
            "predicted": [row["predicted"] for row in calibration],
            "observed": [row["observed"] for row in calibration],
        },
        "gains": {
            "labels": [f"{i * 10} %" for i in range(11)],
            "series": gains,
        },
        "importance": {
            "labels": [row["label"] for row in version.importance or []],
            "values": [row["share"] for row in version.importance or []],
        },
    }
