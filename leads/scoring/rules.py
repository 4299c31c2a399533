"""Rule conditions compiled to SQL: a whole batch of leads is scored by one query.

Each active rule becomes one column of a query over `leads_lead`: its points (halved every
`decay_days` when it decays) where the condition holds, else 0. Engagement rules are
correlated sub-queries on crm_activity (index activity_lead) or, for web-form submissions,
on the audit log (index audit_object). Nothing is evaluated lead by lead in Python.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import add, or_
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Greatest, Least, Round
from django.db.models.lookups import (
    GreaterThanOrEqual,
    IContains,
    IExact,
    In,
    LessThanOrEqual,
)

from crm.models import Activity, AuditEntry, CustomFieldType
from leads.models.leads import Lead, LeadSource
from leads.scoring.fields import CUSTOM_PREFIX, DATE, NUMBER, TEXT, RuleField, rule_fields
from leads.scoring.models import ENGAGEMENT_FIELD, Engagement, Operator, ScoringRule

SECONDS_PER_DAY = 86400.0


class EpochSeconds(Func):
    """EXTRACT(EPOCH FROM <interval>) as a float."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
    output_field = FloatField()


class Numeric(Func):
    """<text>::numeric, any precision (the expression a custom number field's index uses)."""

    template = "(%(expressions)s)::numeric"
    output_field = DecimalField()


@dataclass(frozen=True)
class CompiledRule:
    rule: ScoringRule
    expression: Any  # points (float) or 0
    text: str  # describe(rule), read once per batch
    index: int = 0

    @property
    def column(self) -> str:
        return f"rule_{self.index}"


def describe(rule: ScoringRule, fields: dict[str, RuleField] | None = None) -> str:
    """A one-line reading of the rule: “Industry is one of Software, Retail”."""
    if rule.field == ENGAGEMENT_FIELD:
        what = Engagement(rule.activity).label.lower() if rule.activity else "activities"
        times = f"at least {rule.min_count} " if rule.min_count > 1 else ""
        return f"{times}{what} in the last {rule.within_days or 30} days".capitalize()
    spec = (fields or rule_fields()).get(rule.field)
    label = spec.label if spec else rule.field
    op = Operator(rule.operator).label if rule.operator in Operator.values else rule.operator
    if rule.operator in ("empty", "not_empty"):
        return f"{label} {op}"
    value = rule.value
    if spec is not None and spec.choices:
        names = dict(spec.choices)
        if isinstance(value, list):
            value = [names.get(str(v), v) for v in value]
        else:
            value = names.get(str(value), value)
    shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return f"{label} {op} {shown}"


def _custom_condition(rule: ScoringRule, spec: RuleField) -> Q:
    """A condition on one key of the lead's `custom` jsonb. Numbers (money is stored as a
    string) compare as `(custom ->> key)::numeric`, the expression the field's index uses;
    multiple choice is a list, tested by containment (the GIN index on `custom`)."""
    key, op = spec.custom_key, rule.operator
    values = rule.value if isinstance(rule.value, list) else [rule.value]
    if op in ("empty", "not_empty"):
        empty = ~Q(custom__has_key=key) | Q(**{f"custom__{key}": ""})
        return empty if op == "empty" else ~empty
    if spec.custom_type == CustomFieldType.MULTI_CHOICE:
        return reduce(or_, (Q(custom__contains={key: [v]}) for v in values))
    if spec.custom_type == CustomFieldType.BOOLEAN:
        wanted = [v == "yes" for v in values]
        return reduce(or_, (Q(custom__contains={key: w}) for w in wanted))
    text: Any = KT(f"custom__{key}")
    if spec.kind == NUMBER:
        number = Numeric(text)
        if op in ("gte", "lte"):
            lookup = GreaterThanOrEqual if op == "gte" else LessThanOrEqual
            return Q(lookup(number, Decimal(str(values[0]))))
        return Q(In(number, [Decimal(str(v)) for v in values]))
    if spec.kind == DATE and op in ("gte", "lte"):
        # ISO dates order as text.
        lookup = GreaterThanOrEqual if op == "gte" else LessThanOrEqual
        return Q(lookup(text, values[0]))
    if spec.kind == TEXT and op == "contains":
        return Q(IContains(text, values[0]))
    if spec.kind == TEXT:
        return reduce(or_, (Q(IExact(text, v)) for v in values))
    return Q(In(text, values))


def _field_condition(rule: ScoringRule, spec: RuleField, sources: dict[str, int]) -> Q:
    if spec.custom_type:
        return _custom_condition(rule, spec)
    lookup = spec.lookup
    if rule.field == "source":
        lookup = "source_id"
    op, value = rule.operator, rule.value
    if op in ("empty", "not_empty"):
        empty = Q(**{f"{lookup}__isnull": True})
        if spec.kind == TEXT:
            empty |= Q(**{lookup: ""})
        return empty if op == "empty" else ~empty
    values = value if isinstance(value, list) else [value]
    if rule.field == "source":
        values = [sources.get(str(v), -1) for v in values]
    if spec.kind == TEXT:
        if op == "contains":
            return Q(**{f"{lookup}__icontains": values[0]})
        return reduce(or_, (Q(**{f"{lookup}__iexact": v}) for v in values))
    if spec.kind == NUMBER and op in ("gte", "lte"):
        return Q(**{f"{lookup}__{op}": values[0]})
    if op == "in":
        return Q(**{f"{lookup}__in": values})
    return Q(**{lookup: values[0]})


def _engagement_rows(rule: ScoringRule, now: datetime) -> QuerySet[Any]:
    since = now - timedelta(days=rule.within_days or 30)
    if rule.activity == Engagement.WEB_FORM:
        lead_type = ContentType.objects.get_for_model(Lead)
        return AuditEntry.objects.filter(
            content_type=lead_type,
            object_id=Cast(OuterRef("pk"), output_field=AuditEntry._meta.get_field("object_id")),
            changes__via="web-to-lead",
            created_at__gte=since,
            created_at__lte=now,
        ).annotate(at=F("created_at"))
    rows = Activity.objects.filter(lead=OuterRef("pk"), occurred_at__gte=since)
    kind = {Engagement.EMAIL_REPLIED: "email", Engagement.MEETING_HELD: "meeting"}.get(
        Engagement(rule.activity), rule.activity
    )
    rows = rows.filter(kind=kind)
    if rule.activity == Engagement.EMAIL_REPLIED:
        rows = rows.filter(outcome__icontains="repl")
    # Held meetings are those already past; others count when logged, up to now.
    rows = rows.filter(occurred_at__lte=now)
    return rows.annotate(at=F("occurred_at"))


def _aggregate(rows: QuerySet[Any], function: str, column: str, output: Any) -> Subquery:
    return Subquery(
        rows.order_by().annotate(v=Func(F(column), function=function)).values("v")[:1],
        output_field=output,
    )


def _decayed(points: float, half_life: int | None, since: Any, now: datetime) -> Any:
    if not half_life:
        return Value(float(points))
    age_days = EpochSeconds(Value(now, output_field=DateTimeField()) - since) / SECONDS_PER_DAY
    factor = Func(Value(0.5), Greatest(age_days, Value(0.0)) / float(half_life), function="POWER")
    return Value(float(points)) * factor


def compile_rule(
    rule: ScoringRule, *, now: datetime, sources: dict[str, int], fields: dict[str, RuleField]
) -> CompiledRule:
    if rule.field == ENGAGEMENT_FIELD:
        rows = _engagement_rows(rule, now)
        condition: Any
        if rule.min_count > 1:
            count = Coalesce(_aggregate(rows, "COUNT", "pk", FloatField()), Value(0.0))
            condition = GreaterThanOrEqual(count, float(rule.min_count))
        else:
            condition = Exists(rows)
        latest = _aggregate(rows, "MAX", "at", DateTimeField())
        points = _decayed(rule.points, rule.decay_days, latest, now)
    else:
        condition = _field_condition(rule, fields[rule.field], sources)
        points = _decayed(rule.points, rule.decay_days, F("created_at"), now)
    expression = Case(When(condition, then=points), default=Value(0.0), output_field=FloatField())
    return CompiledRule(rule, expression, describe(rule, fields))


def source_ids() -> dict[str, int]:
    return dict(LeadSource.objects.values_list("slug", "pk"))


def compile_rules(rules: list[ScoringRule], *, now: datetime) -> list[CompiledRule]:
    if not rules:
        return []
    sources = source_ids()
    # The custom fields' definitions are read only when a rule tests one.
    fields = rule_fields(custom=any(r.field.startswith(CUSTOM_PREFIX) for r in rules))
    usable = [r for r in rules if r.field in fields or r.field == ENGAGEMENT_FIELD]
    compiled = [compile_rule(rule, now=now, sources=sources, fields=fields) for rule in usable]
    return [replace(c, index=i) for i, c in enumerate(compiled)]


def active_rules() -> list[ScoringRule]:
    return list(ScoringRule.objects.filter(is_active=True).order_by("position", "id"))


def rule_points(
    leads: QuerySet[Lead], compiled: list[CompiledRule]
) -> tuple[list[int], list[list[float]]]:
    """(ids, points per rule per lead) for `leads`, in one query."""
    if not compiled:
        ids = list(leads.order_by("pk").values_list("pk", flat=True))
        return ids, [[] for _ in ids]
    columns = {c.column: c.expression for c in compiled}
    rows = leads.order_by("pk").annotate(**columns).values_list("pk", *columns)
    ids, points = [], []
    for row in rows:
        ids.append(row[0])
        points.append([float(v) for v in row[1:]])
    return ids, points


def rule_score_expression(compiled: list[CompiledRule]) -> Any:
    """SQL for the clipped 0-100 rule score (sum of points), for previews over many leads."""
    if not compiled:
        return Value(0)
    total = reduce(add, (c.expression for c in compiled))
    return Cast(
        Greatest(Value(0.0), Least(Value(100.0), Round(total), output_field=FloatField())),
        output_field=IntegerField(),
    )


def clip_score(total: float) -> int:
    return max(0, min(100, round(total)))
