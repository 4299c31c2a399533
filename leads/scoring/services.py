"""Writes on scoring configuration: rules and settings. Every change that alters what a score
means starts a new generation and queues a rescore of every lead after commit."""

from typing import Any

from django.db import transaction
from django.db.models import F

from crm.errors import DomainError, PermissionDenied
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit, diff, snapshot
from leads.scoring.fields import clean_condition, clean_engagement
from leads.scoring.models import ENGAGEMENT_FIELD, ScoringRule, ScoringSettings
from leads.scoring.queue import enqueue_rescore_all

RULE_FIELDS = (
    "name",
    "position",
    "is_active",
    "field",
    "operator",
    "value",
    "activity",
    "within_days",
    "min_count",
    "points",
    "decay_days",
)
SETTINGS_FIELDS = ("outcome", "model_weight", "excluded_features", "cutoff", "auto_activate")


def require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators change lead scoring.")


def new_generation(*, queue: str | None = None) -> int:
    """Mark every stored score stale and queue the rescore (after commit)."""
    ScoringSettings.objects.get_or_create(pk=1)
    ScoringSettings.objects.filter(pk=1).update(generation=F("generation") + 1)
    enqueue_rescore_all(queue=queue)
    return int(ScoringSettings.objects.values_list("generation", flat=True).get(pk=1))


def _int(value: Any, field: str, *, low: int, high: int, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise DomainError("This field is required.", field=field)
        return None
    if isinstance(value, bool):
        raise DomainError("Give a whole number.", field=field)
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise DomainError(f"“{value}” is not a whole number.", field=field) from exc
    if not low <= number <= high:
        raise DomainError(f"Give a whole number from {low} to {high}.", field=field)
    return number


def clean_rule(data: dict[str, Any]) -> dict[str, Any]:
    """Validated rule values (raises DomainError with the faulty field)."""
    clean: dict[str, Any] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        raise DomainError("Name the rule.", field="name")
    clean["name"] = name[:120]
    clean["position"] = _int(data.get("position", 0) or 0, "position", low=0, high=100000)
    clean["is_active"] = bool(data.get("is_active", True))
    field = str(data.get("field") or "").strip()
    if not field:
        raise DomainError("Pick what the rule tests.", field="field")
    clean["field"] = field
    points = _int(data.get("points"), "points", low=-100, high=100)
    if points == 0:
        raise DomainError("Points must not be 0.", field="points")
    clean["points"] = points
    clean["decay_days"] = _int(
        data.get("decay_days"), "decay_days", low=1, high=3650, required=False
    )
    if field == ENGAGEMENT_FIELD:
        activity, days, count = clean_engagement(
            activity=str(data.get("activity") or ""),
            within_days=data.get("within_days"),
            min_count=data.get("min_count"),
        )
        clean.update(
            operator="gte", value=None, activity=activity, within_days=days, min_count=count
        )
    else:
        operator = str(data.get("operator") or "eq")
        clean.update(
            operator=operator,
            value=clean_condition(field=field, operator=operator, value=data.get("value")),
            activity="",
            within_days=None,
            min_count=1,
        )
    return clean


@transaction.atomic
def scoring_rule_create(*, actor: User, queue: str | None = None, **data: Any) -> ScoringRule:
    require_admin(actor)
    rule = ScoringRule.objects.create(**clean_rule(data))
    audit(actor=actor, obj=rule, action=AuditAction.CREATE, changes=snapshot(rule, RULE_FIELDS))
    new_generation(queue=queue)
    return rule


@transaction.atomic
def scoring_rule_update(
    *, actor: User, rule: ScoringRule, data: dict[str, Any], queue: str | None = None
) -> ScoringRule:
    require_admin(actor)
    rule = ScoringRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, RULE_FIELDS)
    merged = {**before, **data}
    for key, value in clean_rule(merged).items():
        setattr(rule, key, value)
    rule.save()
    changes = diff(before, snapshot(rule, RULE_FIELDS))
    audit(actor=actor, obj=rule, action=AuditAction.UPDATE, changes=changes)
    if changes:
        new_generation(queue=queue)
    return rule


@transaction.atomic
def scoring_rule_delete(*, actor: User, rule: ScoringRule, queue: str | None = None) -> None:
    require_admin(actor)
    audit(actor=actor, obj=rule, action=AuditAction.DELETE, changes=snapshot(rule, RULE_FIELDS))
    rule.delete()
    new_generation(queue=queue)


@transaction.atomic
def scoring_settings_update(
    *, actor: User, data: dict[str, Any], queue: str | None = None
) -> ScoringSettings:
    require_admin(actor)
    ScoringSettings.objects.get_or_create(pk=1)
    settings = ScoringSettings.objects.select_for_update().get(pk=1)
    before = snapshot(settings, SETTINGS_FIELDS)
    if "model_weight" in data:
        settings.model_weight = _int(data["model_weight"], "model_weight", low=0, high=100) or 0
    if "cutoff" in data:
        settings.cutoff = _int(data["cutoff"], "cutoff", low=1, high=99) or 50
    if "outcome" in data:
        if data["outcome"] not in ("converted", "won"):
            raise DomainError("Train on “converted” or “won”.", field="outcome")
        settings.outcome = data["outcome"]
    if "auto_activate" in data:
        settings.auto_activate = bool(data["auto_activate"])
    if "excluded_features" in data:
        settings.excluded_features = clean_excluded(data["excluded_features"])
    settings.save()
    changes = diff(before, snapshot(settings, SETTINGS_FIELDS))
    audit(actor=actor, obj=settings, action=AuditAction.UPDATE, changes=changes)
    if "model_weight" in changes:
        new_generation(queue=queue)
        settings.refresh_from_db()
    return settings


def clean_excluded(value: Any) -> list[str]:
    from leads.scoring.features import feature_names

    names = value if isinstance(value, list) else str(value or "").replace(",", " ").split()
    known = set(feature_names())
    unknown = [str(n) for n in names if str(n) not in known]
    if unknown:
        raise DomainError(
            f"Unknown feature: {', '.join(unknown)}. Features: {', '.join(sorted(known))}.",
            field="excluded_features",
        )
    return sorted({str(n) for n in names})
