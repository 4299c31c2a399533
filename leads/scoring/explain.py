"""Why a lead scored what it did: the rule hits with their points and the model's per-feature
contributions to the log-odds (base + contributions = the model's log-odds, exactly)."""

from typing import Any

from leads.scoring.models import ScoringRule

TOP = 3


def reasons(
    *,
    rule_hits: list[tuple[ScoringRule, str, float]],
    rule_score: int | None,
    model_score: int | None,
    model_part: dict[str, Any] | None,
    weight: int,
    model_id: int | None,
    score: int | None,
) -> dict[str, Any]:
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
        factors = model_part["factors"]
        result.update(base=model_part["base"], logit=model_part["logit"], factors=factors)
        up += [
            {"kind": "model", "label": _factor_label(f), "effect": f["effect"]}
            for f in factors
            if f["effect"] > 0.005
        ][:TOP]
        down += [
            {"kind": "model", "label": _factor_label(f), "effect": f["effect"]}
            for f in factors
            if f["effect"] < -0.005
        ][:TOP]
    result["up"] = up
    result["down"] = down
    if score is None:
        result["note"] = "No active scoring rules and no active model yet."
    return result


def _factor_label(factor: dict[str, Any]) -> str:
    value = factor.get("value")
    shown = "missing" if value in (None, "") else value
    return f"{factor['label']}: {shown}"
