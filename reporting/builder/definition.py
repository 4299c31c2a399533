"""What a saved report is made of, and the one check every way in (page, API) goes through.

A definition names a record kind (deals or leads), a measure (count, or the sum, average or
median of a numeric field), up to two groupings, filters and a chart type. `clean_definition`
turns user input into a `Definition` or raises `DefinitionError` naming the field at fault,
so the page shows a form error and the API answers 400 with the one JSON error shape.
"""

from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any

from crm.errors import DomainError
from crm.limits import YEAR_MAX, YEAR_MIN
from crm.models import CustomField, CustomFieldType

SOURCES = {"deals": "Deals", "leads": "Leads"}
MEASURES = {"count": "Count", "sum": "Sum", "avg": "Average", "median": "Median"}
CHARTS = {
    "bar": "Bar",
    "stacked": "Stacked bar",
    "line": "Line",
    "pie": "Pie",
    "table": "Table only",
}
PERIODS = {
    "90d": "Last 90 days",
    "30d": "Last 30 days",
    "month": "This month",
    "quarter": "This quarter",
    "year": "This year",
    "custom": "Custom dates",
    "all": "Any time",
}
# The numeric fields a measure may add up, per kind (custom number and money fields too).
NUMBER_FIELDS: dict[str, dict[str, str]] = {
    "deals": {
        "amount": "Amount (company currency)",
        "probability": "Probability %",
    },
    "leads": {
        "budget": "Budget",
        "employee_count": "Employees",
        "score": "Score",
    },
}
# Groupings per kind; `cf:<key>` adds each custom choice field of the kind.
GROUPINGS: dict[str, dict[str, str]] = {
    "deals": {
        "owner": "Owner",
        "team": "Team",
        "stage": "Stage",
        "status": "Status (open, won, lost)",
        "pipeline": "Pipeline",
        "source": "Lead source",
        "month": "Month",
        "quarter": "Quarter",
        "product": "Product",
        "forecast_category": "Forecast category",
        "currency": "Currency",
        "lost_reason": "Lost reason",
        "won_reason": "Won reason",
    },
    "leads": {
        "owner": "Owner",
        "team": "Team",
        "status": "Status",
        "source": "Source",
        "month": "Month",
        "quarter": "Quarter",
        "temperature": "Temperature",
        "timeframe": "Timeframe",
    },
}
# The date the period (and month/quarter) reads, per kind.
DATE_FIELDS: dict[str, dict[str, str]] = {
    "deals": {
        "created": "Created",
        "closed": "Closed (won or lost)",
        "expected_close": "Expected close",
    },
    "leads": {"created": "Created"},
}
DEAL_STATUSES = {"open": "Open", "won": "Won", "lost": "Lost", "closed": "Won or lost"}
LEAD_STATUSES = {
    "suspect": "Suspect",
    "mql": "MQL",
    "sql": "SQL",
    "converted": "Converted",
    "disqualified": "Disqualified",
}
MAX_DAYS = 3 * 366
CUSTOM_MODEL = {"deals": "pipeline.Deal", "leads": "leads.Lead"}


class DefinitionError(DomainError):
    """A report definition that can't run: an unknown field, a grouping the kind doesn't
    have, a sum of something that is not a number (400, on the field at fault)."""


@dataclass(frozen=True)
class Definition:
    source: str = "deals"
    measure: str = "count"
    field: str = ""
    group_by: str = "stage"
    group_by2: str = ""
    chart: str = "bar"
    period: str = "90d"
    date_field: str = "created"
    date_from: date | None = None
    date_to: date | None = None
    team: int | None = None
    owner: int | None = None
    pipeline: int | None = None
    source_id: int | None = None
    status: str = ""
    stage: int | None = None
    custom: dict[str, str] = dataclass_field(default_factory=dict)

    @property
    def groupings(self) -> list[str]:
        return [g for g in (self.group_by, self.group_by2) if g]

    def filters_json(self) -> dict[str, Any]:
        """What a SavedReport stores in `filters` (dates as ISO strings)."""
        data = asdict(self)
        for key in ("source", "measure", "field", "group_by", "group_by2", "chart"):
            data.pop(key)
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "measure": self.measure,
            "field": self.field,
            "group_by": self.group_by,
            "group_by2": self.group_by2,
            "chart": self.chart,
            "filters": self.filters_json(),
        }


def custom_choice_fields(source: str) -> dict[str, CustomField]:
    label = CUSTOM_MODEL[source]
    return {
        f"cf:{f.key}": f
        for f in CustomField.objects.for_model(label).filter(type=CustomFieldType.CHOICE)
    }


def custom_number_fields(source: str) -> dict[str, CustomField]:
    label = CUSTOM_MODEL[source]
    return {
        f"cf:{f.key}": f
        for f in CustomField.objects.for_model(label).filter(
            type__in=(CustomFieldType.NUMBER, CustomFieldType.MONEY)
        )
    }


@dataclass(frozen=True)
class Catalogue:
    """Everything a kind of record offers the builder, custom fields included (2 queries)."""

    source: str
    numbers: dict[str, str]
    groupings: dict[str, str]
    custom_choices: dict[str, CustomField]

    @classmethod
    def builtin(cls, source: str) -> "Catalogue":
        """Without custom fields (no query): enough for a definition that names none."""
        return cls(source, dict(NUMBER_FIELDS[source]), dict(GROUPINGS[source]), {})

    @classmethod
    def of(cls, source: str) -> "Catalogue":
        choices = custom_choice_fields(source)
        numbers = {k: f"{f.name} (custom)" for k, f in custom_number_fields(source).items()}
        return cls(
            source=source,
            numbers={**NUMBER_FIELDS[source], **numbers},
            groupings={**GROUPINGS[source], **{k: f.name for k, f in choices.items()}},
            custom_choices=choices,
        )


def _int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        return int(value.pk)
    try:
        number = int(str(value))
    except ValueError:
        raise DefinitionError("Give an id (a number).", field=key) from None
    if not 0 < number < 2**63:
        raise DefinitionError("That id is out of range.", field=key)
    return number


def _date(data: dict[str, Any], key: str) -> date | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise DefinitionError("Give a date as YYYY-MM-DD.", field=key) from None
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise DefinitionError("That date is out of range.", field=key)
    return day


def _choice(data: dict[str, Any], key: str, allowed: dict[str, str], default: str) -> str:
    value = str(data.get(key) or default)
    if value not in allowed:
        names = ", ".join(allowed)
        raise DefinitionError(
            f"Unknown {key.replace('_', ' ')} {value!r}; one of: {names}.", field=key
        )
    return value


def clean_definition(data: dict[str, Any]) -> Definition:
    """A `Definition` from user input (a form's or the API's), or `DefinitionError`."""
    filters = data.get("filters") or {}
    if not isinstance(filters, dict):
        raise DefinitionError("Filters are an object.", field="filters")
    merged = {**filters, **{k: v for k, v in data.items() if k != "filters"}}
    source = _choice(merged, "source", SOURCES, "deals")
    names_custom = merged.get("custom") or any(
        str(merged.get(key) or "").startswith("cf:") for key in ("field", "group_by", "group_by2")
    )
    catalogue = Catalogue.of(source) if names_custom else Catalogue.builtin(source)
    measure = _choice(merged, "measure", MEASURES, "count")
    number = str(merged.get("field") or "")
    if measure == "count":
        number = ""
    elif not number:
        raise DefinitionError(f"Choose the field to {MEASURES[measure].lower()}.", field="field")
    elif number not in catalogue.numbers:
        every = {**GROUPINGS[source], **catalogue.custom_choices, "name": "", "email": ""}
        if number in every or number.startswith("cf:"):
            raise DefinitionError(
                f"{number!r} is not a number: a {MEASURES[measure].lower()} needs one of "
                f"{', '.join(catalogue.numbers)}.",
                field="field",
            )
        raise DefinitionError(f"Unknown field {number!r} on {source}.", field="field")
    groups = []
    for key in ("group_by", "group_by2"):
        value = str(merged.get(key) or "")
        if value and value not in catalogue.groupings:
            raise DefinitionError(
                f"{source.capitalize()} can't be grouped by {value!r}; choose one of: "
                f"{', '.join(catalogue.groupings)}.",
                field=key,
            )
        groups.append(value)
    group_by, group_by2 = groups
    if not group_by and group_by2:
        group_by, group_by2 = group_by2, ""
    if group_by and group_by == group_by2:
        raise DefinitionError("Choose two different groupings.", field="group_by2")
    if {group_by, group_by2} == {"month", "quarter"}:
        raise DefinitionError("Group by month or by quarter, not both.", field="group_by2")
    chart = _choice(merged, "chart", CHARTS, "bar")
    if chart == "pie" and group_by2:
        raise DefinitionError("A pie shows one grouping; choose bar or table.", field="chart")
    period = _choice(merged, "period", PERIODS, "90d")
    date_field = _choice(merged, "date_field", DATE_FIELDS[source], "created")
    date_from, date_to = _date(merged, "date_from"), _date(merged, "date_to")
    if period == "custom":
        if not (date_from and date_to):
            raise DefinitionError("Give both dates of a custom period.", field="date_from")
        if date_from > date_to:
            raise DefinitionError("The end of the period is before its start.", field="date_to")
        if (date_to - date_from).days >= MAX_DAYS:
            raise DefinitionError("Choose a period of at most three years.", field="date_to")
    else:
        date_from = date_to = None
    statuses = DEAL_STATUSES if source == "deals" else LEAD_STATUSES
    status = str(merged.get("status") or "")
    if status and status not in statuses:
        raise DefinitionError(f"Unknown status {status!r}.", field="status")
    custom_in = merged.get("custom") or {}
    if not isinstance(custom_in, dict):
        raise DefinitionError("Custom filters are an object of key → value.", field="custom")
    custom: dict[str, str] = {}
    for key, value in custom_in.items():
        if value in (None, ""):
            continue
        definition = catalogue.custom_choices.get(key if key.startswith("cf:") else f"cf:{key}")
        if definition is None:
            raise DefinitionError(f"Unknown custom choice field {key!r}.", field="custom")
        if str(value) not in [str(c) for c in definition.choices]:
            raise DefinitionError(f"{definition.name}: {value!r} is not a choice.", field="custom")
        custom[definition.key] = str(value)
    if chart in ("bar", "stacked", "line", "pie") and not group_by:
        raise DefinitionError("A chart needs a grouping; choose one or a table.", field="group_by")
    pipeline = _int(merged, "pipeline") if source == "deals" else None
    stage = _int(merged, "stage") if source == "deals" else None
    return Definition(
        source=source,
        measure=measure,
        field=number,
        group_by=group_by,
        group_by2=group_by2,
        chart=chart,
        period=period,
        date_field=date_field,
        date_from=date_from,
        date_to=date_to,
        team=_int(merged, "team"),
        owner=_int(merged, "owner"),
        pipeline=pipeline,
        source_id=_int(merged, "source_id"),
        status=status,
        stage=stage,
        custom=custom,
    )
