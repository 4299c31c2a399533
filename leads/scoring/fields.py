"""What a scoring rule may test: the lead's own fields, its source, and engagement.

Each field has a type that decides its operators and how a rule's value is checked:
text (in, =, contains, empty, not empty), number (=, ≥, ≤, in, empty, not empty),
choice (in, =, empty, not empty; values must be among the choices) and date (=, ≥, ≤, empty,
not empty). The lead's custom fields are offered too, as `custom.<key>`: text and long text
as text, number and money as number, choice, multiple choice and yes/no as choice, date as date.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from crm.errors import DomainError
from crm.models import CustomField, CustomFieldType
from leads.models.leads import LeadSource, LeadStatus, Temperature, Timeframe
from leads.scoring.models import ENGAGEMENT_FIELD, Engagement, Operator

TEXT, NUMBER, CHOICE, DATE = "text", "number", "choice", "date"
OPERATORS: dict[str, tuple[str, ...]] = {
    TEXT: ("in", "eq", "contains", "empty", "not_empty"),
    NUMBER: ("eq", "gte", "lte", "in", "empty", "not_empty"),
    CHOICE: ("in", "eq", "empty", "not_empty"),
    DATE: ("eq", "gte", "lte", "empty", "not_empty"),
}
CUSTOM_PREFIX = "custom."
YES_NO = (("yes", "Yes"), ("no", "No"))
_CUSTOM_KINDS = {
    CustomFieldType.TEXT: TEXT,
    CustomFieldType.LONG_TEXT: TEXT,
    CustomFieldType.NUMBER: NUMBER,
    CustomFieldType.MONEY: NUMBER,
    CustomFieldType.DATE: DATE,
    CustomFieldType.BOOLEAN: CHOICE,
    CustomFieldType.CHOICE: CHOICE,
    CustomFieldType.MULTI_CHOICE: CHOICE,
}
NO_VALUE = ("empty", "not_empty")


@dataclass(frozen=True)
class RuleField:
    name: str
    label: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    column: str = ""  # the ORM lookup path; defaults to name
    custom_type: str = ""  # the CustomFieldType of a custom field, else ""

    @property
    def lookup(self) -> str:
        return self.column or self.name

    @property
    def custom_key(self) -> str:
        return self.name.removeprefix(CUSTOM_PREFIX) if self.custom_type else ""


BUILT_IN: tuple[RuleField, ...] = (
    RuleField("title", "Job title", TEXT),
    RuleField("company", "Company", TEXT),
    RuleField("email", "Email", TEXT),
    RuleField("phone", "Phone", TEXT),
    RuleField("website", "Website", TEXT),
    RuleField("industry", "Industry", TEXT),
    RuleField("employee_count", "Employees", NUMBER),
    RuleField("country", "Country", TEXT),
    RuleField("region", "Region", TEXT),
    RuleField("campaign", "Campaign", TEXT),
    RuleField("budget", "Budget", NUMBER),
    RuleField("timeframe", "Timeframe", CHOICE, tuple(Timeframe.choices)),
    RuleField("temperature", "Temperature", CHOICE, tuple(Temperature.choices)),
    RuleField("status", "Status", CHOICE, tuple(LeadStatus.choices)),
)


def source_field() -> RuleField:
    choices = tuple(LeadSource.objects.order_by("position", "name").values_list("slug", "name"))
    return RuleField("source", "Source", CHOICE, choices, column="source__slug")


def custom_rule_field(field: CustomField) -> RuleField:
    choices: tuple[tuple[str, str], ...] = ()
    if field.type == CustomFieldType.BOOLEAN:
        choices = YES_NO
    elif field.type in (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE):
        choices = tuple((str(c), str(c)) for c in field.choices)
    return RuleField(
        CUSTOM_PREFIX + field.key,
        field.name,
        _CUSTOM_KINDS[CustomFieldType(field.type)],
        choices,
        custom_type=field.type,
    )


def rule_fields(*, custom: bool = True) -> dict[str, RuleField]:
    """Every field a rule may test, by name (the source's choices and, unless `custom` is
    False, the lead's custom fields read from the database)."""
    fields = {f.name: f for f in BUILT_IN}
    fields["source"] = source_field()
    if not custom:
        return fields
    for custom_field in CustomField.objects.for_model("leads.Lead"):
        spec = custom_rule_field(custom_field)
        fields[spec.name] = spec
    return fields


def field_choices() -> list[tuple[str, str]]:
    return [
        *((f.name, f.label) for f in rule_fields().values()),
        (ENGAGEMENT_FIELD, "Engagement (activities)"),
    ]


def _number(value: Any, field: str) -> Decimal:
    if isinstance(value, bool):
        raise DomainError(f"{field} needs a number, not {value!r}.", field="value")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(f"{field} needs a number, not “{value}”.", field="value") from exc
    if not number.is_finite():
        raise DomainError(f"{field} needs a finite number.", field="value")
    return number


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]


def clean_condition(*, field: str, operator: str, value: Any) -> Any:
    """The rule's value in its stored shape, or a DomainError naming the faulty part."""
    if field == ENGAGEMENT_FIELD:
        return None
    spec = rule_fields().get(field)
    if spec is None:
        raise DomainError(f"“{field}” is not a lead field a rule can test.", field="field")
    if operator not in Operator.values:
        raise DomainError(f"“{operator}” is not an operator.", field="operator")
    if operator not in OPERATORS[spec.kind]:
        allowed = ", ".join(Operator(o).label for o in OPERATORS[spec.kind])
        raise DomainError(
            f"{spec.label} can be tested with: {allowed}; not “{Operator(operator).label}”.",
            field="operator",
        )
    if operator in NO_VALUE:
        return None
    if operator == "in":
        values = _as_list(value)
        if not values:
            raise DomainError("List at least one value.", field="value")
        return [_clean_one(spec, v) for v in values]
    if isinstance(value, list):
        if len(value) != 1:
            raise DomainError(f"{Operator(operator).label} takes one value.", field="value")
        value = value[0]
    return _clean_one(spec, value)


def _clean_one(spec: RuleField, value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(f"Give a value for {spec.label}.", field="value")
    if spec.kind == NUMBER:
        number = _number(value, spec.label)
        return int(number) if number == number.to_integral_value() else float(number)
    if spec.kind == DATE:
        try:
            return date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError:
            raise DomainError(
                f"{spec.label} needs a date (YYYY-MM-DD), not “{value}”.", field="value"
            ) from None
    if isinstance(value, (dict, list, bool)):
        raise DomainError(f"{spec.label} needs text, not {value!r}.", field="value")
    text = str(value).strip()
    if spec.kind == CHOICE:
        by_label = {label.lower(): key for key, label in spec.choices}
        keys = {key for key, _ in spec.choices}
        key = text if text in keys else by_label.get(text.lower())
        if key is None:
            allowed = ", ".join(k for k, _ in spec.choices)
            raise DomainError(
                f"“{text}” is not a {spec.label.lower()}; use one of: {allowed}.", field="value"
            )
        return key
    return text


def clean_engagement(*, activity: str, within_days: Any, min_count: Any) -> tuple[str, int, int]:
    if activity not in Engagement.values:
        raise DomainError("Pick the kind of engagement to count.", field="activity")
    days = _number(within_days if within_days not in (None, "") else 30, "Days")
    count = _number(min_count if min_count not in (None, "") else 1, "Count")
    if days < 1 or days > 3650 or days != days.to_integral_value():
        raise DomainError("Days must be a whole number from 1 to 3650.", field="within_days")
    if count < 1 or count != count.to_integral_value():
        raise DomainError("The count must be a whole number of at least 1.", field="min_count")
    return activity, int(days), int(count)
