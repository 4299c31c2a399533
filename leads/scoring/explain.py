"""Why a lead scored what it did: the rule hits with their points and the model's per-feature
contributions to the log-odds (base + contributions = the model's log-odds, exactly).

Stored compactly: the model's factors are kept as `f`, one `[effect, value]` pair per feature
in the version's feature order (a third of the size of labelled dicts, so the batch write
moves less), and expanded on read (`expand`) into `factors`, labelled and sorted by effect,
with the names and labels of the version that scored the lead (read once per process).
"""

from typing import Any

from leads.scoring.models import ScoringModel, ScoringRule

TOP = 3
_labels: dict[int, list[tuple[str, str]]] = {}


def version_features(version_id: int) -> list[tuple[str, str]]:
    """(name, label) of a version's features, in its order; cached per process."""
    if version_id not in _labels:
        version = (
            ScoringModel.objects.filter(pk=version_id).values("features", "importance").first()
        )
        if version is None:
            return []
        labels = {row["feature"]: row["label"] for row in version["importance"] or []}
        _labels[version_id] = [(name, labels.get(name, name)) for name in version["features"]]
    return _labels[version_id]


def _ordered(compact: list[list[Any]]) -> list[int]:
    return sorted(range(len(compact)), key=lambda j: -abs(compact[j][0]))


def expand(reasons: dict[str, Any] | None) -> dict[str, Any] | None:
    """Stored reasons with `f` turned into `factors` (what the API and the lead page show)."""
    if not reasons or "f" not in reasons:
        return reasons
    compact = reasons["f"]
    names = version_features(reasons["model"]) if reasons.get("model") else []
    if len(names) != len(compact):
        names = [(f"feature_{j}", f"Feature {j + 1}") for j in range(len(compact))]
    result = {k: v for k, v in reasons.items() if k != "f"}
    result["factors"] = [
        {
            "feature": names[j][0],
            "label": names[j][1],
            "value": compact[j][1],
            "effect": compact[j][0],
        }
        for j in _ordered(compact)
    ]
    return result


def reasons(
    *,
    rule_hits: list[tuple[ScoringRule, str, float]],
    rule_score: int | None,
    model_score: int | None,
    model_part: dict[str, Any] | None,
    weight: int,
    model_id: int | None,
    score: int | None,
    labels: list[str] | None = None,
) -> dict[str, Any]:
    """The stored (compact) reasons; `labels`: the model's feature labels, in its order."""
    hits: list[dict[str, Any]] = sorted(
        (
            {
                "rule": rule.pk,
                "name": rule.name,
                "condition": text,
                "points": round(points, 2),
            }
            for rule, text, points in rule_hits
        ),
        key=lambda h: -abs(float(h["points"])),
    )
    up: list[dict[str, Any]] = [
        {"kind": "rule", "label": h["name"], "points": h["points"]} for h in hits if h["points"] > 0
    ][:TOP]
    down: list[dict[str, Any]] = [
        {"kind": "rule", "label": h["name"], "points": h["points"]} for h in hits if h["points"] < 0
    ][:TOP]
    result: dict[str, Any] = {
        "score": score,
        "rule_score": rule_score,
        "model_score": model_score,
        "model_weight": weight,
        "model": model_id,
        "rules": hits,
    }
    if model_part is not None:
        compact = model_part["f"]
        result.update(base=model_part["base"], logit=model_part["logit"], f=compact)
        order = _ordered(compact)
        names = labels or [f"Feature {j + 1}" for j in range(len(compact))]
        up += [
            {"kind": "model", "label": _factor_label(names[j], compact[j][1]), "effect": e}
            for j in order
            if (e := compact[j][0]) > 0.005
        ][:TOP]
        down += [
            {"kind": "model", "label": _factor_label(names[j], compact[j][1]), "effect": e}
            for j in order
            if (e := compact[j][0]) < -0.005
        ][:TOP]
    result["up"] = up
    result["down"] = down
    if score is None:
        result["note"] = "No active scoring rules and no active model yet."
    return result


def _factor_label(label: str, value: Any) -> str:
    shown = "missing" if value in (None, "") else value
    return f"{label}: {shown}"
