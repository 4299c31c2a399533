"""Running a report definition: one set-based SQL query over what the viewer may see.

The rows come from the kind's visible, live records (`crm.visibility.visible` through the
KPIs' scoped querysets), narrowed by the filters, each annotated with its group keys and
the measured value; one outer `GROUP BY` aggregates them. Grouping by product joins the
line items and keeps each (deal, product) once, so a deal counts once per product it sells.
Labels take one look-up per grouping; drill-down links open the deal or lead list with the
same filters wherever that list has them.
"""

import json
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import DecimalField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncMonth, TruncQuarter
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from crm.models import Team, User
from leads.models import Lead, LeadStatus, Temperature, Timeframe
from pipeline.models import (
    Deal,
    ForecastCategory,
    LostReason,
    Pipeline,
    Product,
    StageKind,
    WonReason,
)
from pipeline.selectors import company_amount
from reporting.forms import preset_period
from reporting.kpis.labels import label_map, period_label
from reporting.kpis.scope import ReportFilters, lead_source_of_deal, scoped_deals, scoped_leads

from .definition import (
    DATE_FIELDS,
    GROUPINGS,
    MEASURES,
    NUMBER_FIELDS,
    SOURCES,
    Catalogue,
    Definition,
)

MAX_GROUPS = 1000
CENT = Decimal("0.01")
DATE_COLUMNS = {
    ("deals", "created"): "created_at",
    ("deals", "closed"): "closed_at",
    ("deals", "expected_close"): "expected_close_date",
    ("leads", "created"): "created_at",
}
# The deal/lead list parameters of each date field (None: the list has no such filter).
LIST_DATES = {
    ("deals", "created"): "created",
    ("deals", "closed"): "closed",
    ("deals", "expected_close"): "close",
    ("leads", "created"): "created",
}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "deals:status": {"open": "Open", "won": "Won", "lost": "Lost"},
    "deals:forecast_category": dict(ForecastCategory.choices),
    "leads:status": dict(LeadStatus.choices),
    "leads:temperature": dict(Temperature.choices),
    "leads:timeframe": dict(Timeframe.choices),
}
# Groupings the lists filter on, so their cells can link to the records behind them.
DRILLABLE = {
    "deals": {"owner", "team", "stage", "status", "pipeline", "source", "month", "quarter"},
    "leads": {"owner", "team", "status", "source", "month", "quarter", "temperature"},
}


@dataclass
class Row:
    keys: tuple[Any, ...]
    labels: tuple[str, ...]
    value: Decimal | float | int | None
    count: int
    url: str = ""


@dataclass
class Result:
    definition: Definition
    rows: list[Row]
    date_from: date | None
    date_to: date | None
    value_label: str
    group_labels: list[str]
    truncated: bool = False
    unit: str = "count"
    notes: list[str] = field(default_factory=list)

    def chart_json(self) -> str:
        """`chart_data()` as JSON, for the canvas's data attribute (htmx swaps drop script
        elements, so no json_script here)."""
        return json.dumps(self.chart_data(), cls=DjangoJSONEncoder)

    def chart_data(self) -> dict[str, Any]:
        """Labels of the first grouping and one dataset per value of the second (or one)."""
        first: list[str] = []
        for row in self.rows:
            if row.labels and row.labels[0] not in first:
                first.append(row.labels[0])
        if len(self.definition.groupings) < 2:
            values = {row.labels[0]: _plain(row.value) for row in self.rows if row.labels}
            datasets = [{"label": self.value_label, "data": [values.get(x) for x in first]}]
        else:
            second: list[str] = []
            cells: dict[tuple[str, str], Any] = {}
            for row in self.rows:
                if row.labels[1] not in second:
                    second.append(row.labels[1])
                cells[(row.labels[0], row.labels[1])] = _plain(row.value)
            datasets = [{"label": s, "data": [cells.get((x, s)) for x in first]} for s in second]
        return {
            "type": self.definition.chart,
            "labels": first,
            "datasets": datasets,
            "value_label": self.value_label,
        }


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def period_of(definition: Definition, today: date | None = None) -> tuple[date | None, date | None]:
    """The inclusive dates the report covers (None, None: any time)."""
    if definition.period == "all":
        return None, None
    if definition.period == "custom":
        return definition.date_from, definition.date_to
    return preset_period(definition.period, today or timezone.localdate())


def _number_expression(definition: Definition) -> Any:
    name = definition.field
    if name == "amount":
        return company_amount()
    if name.startswith("cf:"):
        key = name[3:]
        table = (Deal if definition.source == "deals" else Lead)._meta.db_table
        # Only JSON numbers (and numeric text) count; anything else is NULL, never an error.
        # The key is a bound parameter; the table name is the model's own.
        return RawSQL(  # noqa: S611
            f'CASE WHEN jsonb_typeof("{table}"."custom" -> %s) = \'number\''
            f' OR ("{table}"."custom" ->> %s) ~ \'^-?[0-9]+(\\.[0-9]+)?$\''
            f' THEN ("{table}"."custom" ->> %s)::numeric END',
            (key, key, key),
            output_field=DecimalField(),
        )
    return F(name)


def _group_expression(definition: Definition, group: str) -> Any:
    date_column = DATE_COLUMNS[(definition.source, definition.date_field)]
    deals = definition.source == "deals"
    if group == "owner":
        return F("owner_id")
    if group == "team":
        return F("owner__team_id")
    if group == "stage":
        return F("stage_id")
    if group == "status":
        return F("stage__kind") if deals else F("status")
    if group == "pipeline":
        return F("pipeline_id")
    if group == "source":
        return lead_source_of_deal() if deals else F("source_id")
    if group == "month":
        return TruncMonth(date_column)
    if group == "quarter":
        return TruncQuarter(date_column)
    if group == "product":
        return F("line_items__product_id")
    if group in ("lost_reason", "won_reason"):
        return F(f"{group}_id")
    if group.startswith("cf:"):
        return KeyTextTransform(group[3:], "custom")
    return F(group)  # a choice column: forecast_category, currency, temperature, timeframe


def _records(actor: User, definition: Definition, start: date | None, end: date | None) -> Any:
    team = Team.objects.filter(pk=definition.team).first() if definition.team else None
    today = timezone.localdate()
    scope = ReportFilters(
        date_from=start or today,
        date_to=end or today,
        team=team,
        owner=definition.owner,
        pipeline=definition.pipeline,
        source=definition.source_id,
    )
    records: QuerySet[Any]
    if definition.source == "deals":
        records = scoped_deals(actor, scope)
    else:
        records = scoped_leads(actor, scope)
    if definition.team and team is None:
        return records.none()
    if start and end:
        column = DATE_COLUMNS[(definition.source, definition.date_field)]
        if column == "expected_close_date":
            records = records.filter(
                Q(expected_close_date__gte=start, expected_close_date__lte=end)
            )
        else:
            records = records.filter(scope.in_period(column))
    if definition.source == "deals":
        if definition.stage:
            records = records.filter(Q(stage_id=definition.stage))
        if definition.status == "open":
            records = records.filter(Q(closed_at__isnull=True))
        elif definition.status in (StageKind.WON, StageKind.LOST):
            records = records.filter(Q(stage__kind=definition.status))
        elif definition.status == "closed":
            records = records.filter(Q(stage__kind__in=(StageKind.WON, StageKind.LOST)))
    elif definition.status:
        records = records.filter(Q(status=definition.status))
    for key, value in definition.custom.items():
        records = records.filter(Q(custom__contains={key: value}))
    return records


def _outer_aggregate(measure: str) -> str:
    if measure == "sum":
        return "SUM(q.m)"
    if measure == "avg":
        return "AVG(q.m)"
    if measure == "median":
        return "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY q.m)"
    return "COUNT(*)"


def run_report(*, actor: User, definition: Definition, today: date | None = None) -> Result:
    """The report's rows over what `actor` may see: one aggregate query, plus one label
    look-up per grouping."""
    start, end = period_of(definition, today)
    records = _records(actor, definition, start, end).order_by()
    groups = definition.groupings
    annotations: dict[str, Any] = {
        f"g{i}": _group_expression(definition, g) for i, g in enumerate(groups)
    }
    annotations["m"] = _number_expression(definition) if definition.measure != "count" else F("pk")
    columns = ["pk", *annotations]
    inner = records.annotate(**annotations).values(*columns)
    if "product" in groups:
        inner = inner.distinct()
    sql, params = inner.query.sql_with_params()
    keys = ", ".join(f"q.g{i}" for i in range(len(groups)))
    select_keys = f"{keys}, " if keys else ""
    group_sql = (
        f" GROUP BY {keys} ORDER BY {', '.join(f'q.g{i} NULLS LAST' for i in range(len(groups)))}"
        if keys
        else ""
    )
    query = (
        f"SELECT {select_keys}{_outer_aggregate(definition.measure)}, COUNT(*) "  # noqa: S608
        f"FROM ({sql}) q{group_sql} LIMIT {MAX_GROUPS + 1}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        raw = cursor.fetchall()
    truncated = len(raw) > MAX_GROUPS
    raw = raw[:MAX_GROUPS]
    n = len(groups)
    names = [_labels(definition, g, [r[i] for r in raw]) for i, g in enumerate(groups)]
    rows = []
    for record in raw:
        keys_ = tuple(_key(k) for k in record[:n])
        value, count = record[n], record[n + 1]
        if n and not count:
            continue
        labels = tuple(names[i].get(record[i], str(record[i])) for i in range(n))
        rows.append(
            Row(
                keys=keys_,
                labels=labels,
                value=_value(definition, value),
                count=int(count),
                url=drill_url(definition, keys_, start, end),
            )
        )
    rows = _sorted(definition, rows)
    value_label = MEASURES[definition.measure]
    if definition.field:
        value_label += " of " + _number_name(definition).lower()
    else:
        value_label = f"Number of {SOURCES[definition.source].lower()}"
    group_labels = [_grouping_name(definition, g) for g in groups]
    unit = (
        "money" if definition.field == "amount" else "count" if not definition.field else "number"
    )
    return Result(
        definition=definition,
        rows=rows,
        date_from=start,
        date_to=end,
        value_label=value_label,
        group_labels=group_labels,
        truncated=truncated,
        unit=unit,
    )


def _number_name(definition: Definition) -> str:
    if definition.field.startswith("cf:"):
        return Catalogue.of(definition.source).numbers.get(definition.field, definition.field)
    return NUMBER_FIELDS[definition.source][definition.field]


def _grouping_name(definition: Definition, group: str) -> str:
    if group.startswith("cf:"):
        return Catalogue.of(definition.source).groupings.get(group, group)
    return GROUPINGS[definition.source][group]


def _key(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    return value


def _value(definition: Definition, value: Any) -> Decimal | float | int | None:
    if value is None:
        return None
    if definition.measure == "count":
        return int(value)
    number = Decimal(str(value))
    if definition.measure in ("avg", "median") or definition.field == "amount":
        return number.quantize(CENT)
    return number


def _sorted(definition: Definition, rows: list[Row]) -> list[Row]:
    """Periods in time order; everything else by name, the empty group last."""

    def order(row: Row) -> tuple[Any, ...]:
        parts: list[Any] = []
        for i, group in enumerate(definition.groupings):
            key = row.keys[i]
            if group in ("month", "quarter"):
                parts.append((key is None, key or date.min))
            else:
                parts.append((key is None, row.labels[i].lower()))
        return tuple(parts)

    return sorted(rows, key=order)


def _labels(definition: Definition, group: str, keys: list[Any]) -> dict[Any, str]:
    ids = [k for k in keys if k is not None]
    names: dict[Any, str] = {}
    if group in ("owner", "team", "source", "stage"):
        names = label_map(group, keys)
    elif group in ("month", "quarter"):
        names = {k: period_label(group, _key(k)) for k in ids}
    elif group == "pipeline":
        names = dict(Pipeline.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group == "product":
        names = dict(Product.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group == "lost_reason":
        names = dict(LostReason.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group == "won_reason":
        names = dict(WonReason.objects.filter(pk__in=ids).values_list("pk", "name"))
    else:
        choices = CHOICE_LABELS.get(f"{definition.source}:{group}", {})
        names = {k: choices.get(str(k), str(k)) for k in ids}
    if None in keys:
        names[None] = "No " + _grouping_name(definition, group).lower().split(" (")[0]
    return names


def _period_part(group: str, day: date, start: date | None, end: date | None) -> tuple[date, date]:
    months = 3 if group == "quarter" else 1
    last_month = day.month + months - 1
    last = date(day.year, last_month, monthrange(day.year, last_month)[1])
    return max(day, start) if start else day, min(last, end) if end else last


def drill_url(
    definition: Definition, keys: tuple[Any, ...], start: date | None, end: date | None
) -> str:
    """The deal or lead list behind one cell, or "" when the list can't filter on it."""
    if definition.custom:  # the lists have no custom-field filters
        return ""
    groups = definition.groupings
    if any(g not in DRILLABLE[definition.source] for g in groups):
        return ""
    prefix = LIST_DATES[(definition.source, definition.date_field)]
    params = QueryDict(mutable=True)
    values: dict[str, Any] = {
        "owner": definition.owner,
        "team": definition.team,
        "source": definition.source_id,
        "status": definition.status,
    }
    if definition.source == "deals":
        values.update(pipeline=definition.pipeline, stage=definition.stage)
    for group, key in zip(groups, keys, strict=True):
        if key is None:
            return ""  # no owner, no source: the lists have no filter for "none"
        if group in ("month", "quarter"):
            start, end = _period_part(group, key, start, end)
        elif group == "team":
            values["team"] = key
            params["team_only"] = "on"  # a team row counts the team's own members
        else:
            values[group] = key
    if start and end:
        params[f"{prefix}_from"] = start.isoformat()
        params[f"{prefix}_to"] = end.isoformat()
    for name, value in values.items():
        if value not in (None, ""):
            params[name] = str(value)
    name = "pipeline:deal_list" if definition.source == "deals" else "leads:list"
    return reverse(name) + "?" + params.urlencode()


def date_choices(source: str) -> dict[str, str]:
    return DATE_FIELDS[source]


__all__ = ["Result", "Row", "drill_url", "period_of", "run_report", "timedelta"]
