"""The predictive model's inputs, read for many leads in one query.

Features come from the lead's own fields, its source, temperature and its activity counts and
recency. Fields that leak the outcome are never features: status, disqualified reason,
conversion date and links, the score itself, temperature overrides, owner and assignment
(set during qualification), timestamps. Admins exclude more in the scoring settings.

Activity features are counted "as of" a moment: for scoring, now; for training, when the lead
was decided (converted, or its last disqualification), so nothing logged after the outcome
teaches the model.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from crm.models import Activity, CustomField, CustomFieldType
from leads.models.history import LeadTransition
from leads.models.leads import Lead
from leads.scoring.rules import EpochSeconds

CATEGORY, NUMBER = "category", "number"
MISSING = "(missing)"
WINDOW_DAYS = 90
FREE_MAIL = ("gmail.", "yahoo.", "hotmail.", "outlook.", "icloud.", "aol.", "gmx.", "proton")
# Never features, whatever the admin says: they are the outcome or are set because of it.
LEAKING = (
    "status",
    "disqualified_reason",
    "converted_at",
    "converted_account",
    "converted_contact",
    "converted_deal",
    "score",
    "scored_at",
    "rule_score",
    "model_score",
    "temperature_overridden",
    "temperature_override_by",
    "temperature_override_at",
    "temperature_override_reason",
    "owner",
    "assigned_at",
    "assignment_seen_at",
    "updated_at",
    "merged_into",
)


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    kind: str  # CATEGORY or NUMBER
    log: bool = False  # log1p before scaling (counts, money, head counts)


FEATURES: tuple[Feature, ...] = (
    Feature("source", "Source", CATEGORY),
    Feature("industry", "Industry", CATEGORY),
    Feature("country", "Country", CATEGORY),
    Feature("region", "Region", CATEGORY),
    Feature("title", "Job title", CATEGORY),
    Feature("campaign", "Campaign", CATEGORY),
    Feature("timeframe", "Timeframe", CATEGORY),
    Feature("temperature", "Temperature", CATEGORY),
    Feature("email_kind", "Email", CATEGORY),
    Feature("has_phone", "Phone given", CATEGORY),
    Feature("employee_count", "Employees", NUMBER, log=True),
    Feature("budget", "Budget", NUMBER, log=True),
    Feature("calls", f"Calls ({WINDOW_DAYS} d)", NUMBER, log=True),
    Feature("emails", f"Emails ({WINDOW_DAYS} d)", NUMBER, log=True),
    Feature("meetings", f"Meetings ({WINDOW_DAYS} d)", NUMBER, log=True),
    Feature("notes", f"Notes ({WINDOW_DAYS} d)", NUMBER, log=True),
    Feature("days_since_activity", "Days since last activity", NUMBER, log=True),
)


CUSTOM_PREFIX = "custom_"
# Free text and lists make poor categories; dates would need a reference point.
_CUSTOM_FEATURE_KINDS: dict[str, str] = {
    CustomFieldType.TEXT: CATEGORY,
    CustomFieldType.CHOICE: CATEGORY,
    CustomFieldType.BOOLEAN: CATEGORY,
    CustomFieldType.NUMBER: NUMBER,
    CustomFieldType.MONEY: NUMBER,
}


def custom_features() -> list[Feature]:
    """The lead's custom fields the model can use, named `custom_<key>`."""
    return [
        Feature(CUSTOM_PREFIX + field.key, field.name, _CUSTOM_FEATURE_KINDS[field.type])
        for field in CustomField.objects.for_model("leads.Lead")
        if field.type in _CUSTOM_FEATURE_KINDS
    ]


def all_features() -> list[Feature]:
    return [*FEATURES, *custom_features()]


def feature_names() -> list[str]:
    return [f.name for f in all_features()]


def features_by_name() -> dict[str, Feature]:
    return {f.name: f for f in all_features()}


def chosen_features(excluded: Sequence[str]) -> list[Feature]:
    return [f for f in all_features() if f.name not in set(excluded)]


def decided_at() -> Any:
    """When a closed lead's outcome happened: its conversion, else its last disqualification."""
    disqualified = (
        LeadTransition.objects.filter(lead=OuterRef("pk"), to_status="disqualified")
        .order_by()
        .annotate(v=Func(F("at"), function="MAX"))
        .values("v")[:1]
    )
    return Coalesce(
        F("converted_at"), Subquery(disqualified, output_field=DateTimeField()), F("updated_at")
    )


def _count(kind: str) -> Any:
    rows = (
        Activity.objects.filter(
            lead=OuterRef("pk"),
            kind=kind,
            occurred_at__lte=OuterRef("as_of"),
            occurred_at__gt=OuterRef("window_start"),
        )
        .order_by()
        .annotate(v=Func(F("pk"), function="COUNT"))
        .values("v")[:1]
    )
    return Coalesce(Subquery(rows, output_field=FloatField()), Value(0.0))


def _days_since_activity() -> Any:
    latest = (
        Activity.objects.filter(lead=OuterRef("pk"), occurred_at__lte=OuterRef("as_of"))
        .order_by()
        .annotate(v=Func(F("occurred_at"), function="MAX"))
        .values("v")[:1]
    )
    return EpochSeconds(F("as_of") - Subquery(latest, output_field=DateTimeField())) / 86400.0


def _text(name: str) -> Any:
    return Cast(F(name), output_field=CharField())


EXPRESSIONS: dict[str, Any] = {
    "source": lambda: F("source__name"),
    "industry": lambda: _text("industry"),
    "country": lambda: _text("country"),
    "region": lambda: _text("region"),
    "title": lambda: _text("title"),
    "campaign": lambda: _text("campaign"),
    "timeframe": lambda: _text("timeframe"),
    "temperature": lambda: _text("temperature"),
    "email_kind": lambda: Case(
        When(email="", then=Value("none")),
        When(
            Q(*(Q(email__icontains="@" + d) for d in FREE_MAIL), _connector=Q.OR),
            then=Value("personal"),
        ),
        default=Value("company"),
        output_field=CharField(),
    ),
    "has_phone": lambda: Case(
        When(phone="", then=Value("no")), default=Value("yes"), output_field=CharField()
    ),
    "employee_count": lambda: Cast(F("employee_count"), output_field=FloatField()),
    "budget": lambda: Cast(F("budget"), output_field=FloatField()),
    "calls": lambda: _count("call"),
    "emails": lambda: _count("email"),
    "meetings": lambda: _count("meeting"),
    "notes": lambda: _count("note"),
    "days_since_activity": _days_since_activity,
}


def expression(feature: Feature) -> Any:
    """The SQL of one feature. A custom one reads its key from `custom`, so a model trained
    before its field was deleted still scores (the value is then missing)."""
    if feature.name.startswith(CUSTOM_PREFIX):
        text = KT(f"custom__{feature.name.removeprefix(CUSTOM_PREFIX)}")
        if feature.kind == NUMBER:
            return Cast(text, output_field=FloatField())
        return text
    return EXPRESSIONS[feature.name]()


def annotate(
    leads: QuerySet[Lead], features: Sequence[Feature], *, as_of: datetime | None
) -> QuerySet[Lead]:
    """`leads` with one `f_<name>` column per feature, counted as of `as_of` (None: when
    each lead was decided)."""
    moment: Any = Value(as_of, output_field=DateTimeField()) if as_of else decided_at()
    leads = leads.annotate(as_of=moment).annotate(
        window_start=F("as_of") - Value(timedelta(days=WINDOW_DAYS))
    )
    return leads.annotate(**{f"f_{f.name}": expression(f) for f in features})


def matrix(rows: Sequence[Sequence[Any]], features: Sequence[Feature]) -> np.ndarray:
    """An object array (n x features): categories as strings (MISSING for blanks), numbers as
    floats (nan for missing)."""
    matrix_ = np.empty((len(rows), len(features)), dtype=object)
    for j, feature in enumerate(features):
        column = [row[j] for row in rows]
        if feature.kind == CATEGORY:
            matrix_[:, j] = [MISSING if v in (None, "") else str(v) for v in column]
        else:
            matrix_[:, j] = [np.nan if v is None else float(v) for v in column]
    return matrix_


def fetch(
    ids: Sequence[int], features: Sequence[Feature], *, as_of: datetime
) -> tuple[list[int], np.ndarray]:
    """(ids, X) for the live leads among `ids`, in id order, in one query."""
    leads = annotate(Lead.objects.filter(pk__in=list(ids)), features, as_of=as_of)
    rows = list(leads.order_by("pk").values_list("pk", *(f"f_{f.name}" for f in features)))
    return [r[0] for r in rows], matrix([r[1:] for r in rows], features)
