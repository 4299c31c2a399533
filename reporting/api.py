"""The reports API: every KPI as JSON, with the same filters as the pages.

GET /api/v1/reports/                 the KPIs, their formulas, units and groupings
GET /api/v1/reports/<kpi>/?from=&to=&group_by=&team=&owner=&pipeline=&source=
"""

from datetime import timedelta
from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import AUTHENTICATED, actor, scoped
from crm.errors import NotFound
from crm.limits import ApiDateField, ApiIntegerField
from crm.models import Team, User
from crm.visibility import visible
from reporting.diagnosis import diagnose, may_diagnose
from reporting.forms import MAX_DAYS
from reporting.kpis import GROUPINGS, KPIS, ReportFilters, kpi_table
from reporting.kpis.labels import key_param


class ReportQuerySerializer(serializers.Serializer[Any]):
    """The query string of a KPI request (`from` and `to` are inclusive dates)."""

    group_by = serializers.ChoiceField(choices=GROUPINGS, required=False, allow_blank=True)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    owner = ApiIntegerField(required=False, min_value=1)
    pipeline = ApiIntegerField(required=False, min_value=1)
    source = ApiIntegerField(required=False, min_value=1)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = ApiDateField(required=False)
        self.fields["to"] = ApiDateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"to": ["The end of the period is before its start."]}
            )
        if start and end and (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError({"to": ["Choose a period of at most three years."]})
        return attrs

    def filters(self) -> ReportFilters:
        data = self.validated_data
        default = ReportFilters.default()
        end = data.get("to") or (
            data["from"] + timedelta(days=89) if data.get("from") else default.date_to
        )
        start = data.get("from") or end - timedelta(days=89)
        return ReportFilters(
            date_from=start,
            date_to=end,
            team=data.get("team"),
            owner=data.get("owner"),
            pipeline=data.get("pipeline"),
            source=data.get("source"),
        )


class KpiSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    title = serializers.CharField()
    formula = serializers.CharField()
    unit = serializers.CharField()
    groupings = serializers.ListField(child=serializers.CharField())
    default_group = serializers.CharField()


class KpiRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()
    url = serializers.CharField(help_text="The leads or deals list behind the row (drill-down).")
    extra = serializers.DictField(help_text="More figures of the row (median, by amount, …).")


class KpiTableSerializer(serializers.Serializer[Any]):
    kpi = serializers.CharField()
    title = serializers.CharField()
    formula = serializers.CharField()
    unit = serializers.CharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    group_by = serializers.CharField()
    rows = KpiRowSerializer(many=True)


def _number(value: Any) -> Any:
    return None if value is None else float(value)


def _plain(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, int | float | str) or v is None else float(v)
        for k, v in extra.items()
    }


QUERY_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="First day (company time zone); default 90 days before `to`.",
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, inclusive; default today."),
    OpenApiParameter(
        "group_by",
        OpenApiTypes.STR,
        enum=list(GROUPINGS),
        description="Rows per owner, team, source, stage, month or quarter "
        "(each KPI lists the groupings it supports).",
    ),
    OpenApiParameter("team", OpenApiTypes.INT, description="A team and its sub-teams."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="One rep."),
    OpenApiParameter("pipeline", OpenApiTypes.INT, description="Deals of one pipeline."),
    OpenApiParameter(
        "source",
        OpenApiTypes.INT,
        description="A lead source (for deals: of the lead they came from).",
    ),
]


class KpiListView(APIView):
    """Every KPI with its formula, unit and the groupings it supports."""

    access = AUTHENTICATED

    @extend_schema(responses=KpiSerializer(many=True), operation_id="reports_list")
    def get(self, request: Request) -> Response:
        actor(request)
        return Response(
            [
                {
                    "name": kpi.name,
                    "title": kpi.title,
                    "formula": kpi.formula,
                    "unit": kpi.unit,
                    "groupings": list(kpi.groupings),
                    "default_group": kpi.default_group,
                }
                for kpi in KPIS.values()
            ]
        )


class KpiView(APIView):
    """One KPI over what the caller may see, as rows with value, count and drill-down URL."""

    access = AUTHENTICATED

    @extend_schema(
        parameters=QUERY_PARAMETERS, responses=KpiTableSerializer, operation_id="reports_retrieve"
    )
    def get(self, request: Request, kpi: str) -> Response:
        user = actor(request)
        definition = KPIS.get(kpi)
        if definition is None:
            raise Http404(f"No KPI named {kpi!r}; GET /api/v1/reports/ lists them.")
        query = ReportQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        group_by = query.validated_data.get("group_by") or ""
        if group_by and group_by not in definition.groupings:
            allowed = ", ".join(definition.groupings) or "none"
            raise serializers.ValidationError({"group_by": [f"{kpi} groups by: {allowed}."]})
        filters = query.filters()
        table = kpi_table(actor=user, kpi=definition, filters=filters, group_by=group_by)
        base = request.build_absolute_uri("/")[:-1]
        rows = [
            {
                "key": key_param(table.group_by, row.key) or None,
                "label": row.label,
                "value": _number(row.value),
                "count": row.count,
                "url": base + row.url if row.url else "",
                "extra": _plain(row.extra),
            }
            for row in table.rows
        ]
        return Response(
            {
                "kpi": definition.name,
                "title": definition.title,
                "formula": definition.formula,
                "unit": definition.unit,
                "date_from": filters.date_from,
                "date_to": filters.date_to,
                "group_by": table.group_by,
                "rows": rows,
            }
        )


class ComparisonSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField()
    mine = serializers.FloatField(allow_null=True)
    team = serializers.FloatField(allow_null=True)
    mine_detail = serializers.CharField()
    team_detail = serializers.CharField()
    leaks = serializers.BooleanField()
    sentence = serializers.CharField()
    url = serializers.CharField(help_text="The rep's records behind their figure.")
    team_url = serializers.CharField(help_text="The team's records, when the caller sees them.")


class DiagnosisSerializer(serializers.Serializer[Any]):
    rep = serializers.IntegerField(source="rep.pk")
    team = serializers.IntegerField(source="team.pk", allow_null=True)
    date_from = serializers.DateField(source="filters.date_from")
    date_to = serializers.DateField(source="filters.date_to")
    below_target = serializers.BooleanField()
    target_sentence = serializers.CharField()
    quota = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    won = serializers.DecimalField(max_digits=20, decimal_places=2)
    team_median = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    comparisons = ComparisonSerializer(many=True)
    leaks = ComparisonSerializer(many=True)


class DiagnosisView(APIView):
    """Where a rep's funnel leaks against their team (the rep, their managers, admins)."""

    access = scoped("crm.User")

    @extend_schema(parameters=QUERY_PARAMETERS[:2], responses=DiagnosisSerializer)
    def get(self, request: Request, pk: int) -> Response:
        user = actor(request)
        rep = visible(user, User.objects.select_related("team")).filter(pk=pk).first()
        if rep is None or not may_diagnose(user, rep):
            raise NotFound("No such rep.")
        query = ReportQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        result = diagnose(actor=user, rep=rep, filters=query.filters())
        data = DiagnosisSerializer(result).data
        base = request.build_absolute_uri("/")[:-1]
        for group in (data["comparisons"], data["leaks"]):
            for row in group:
                row["url"] = base + row["url"] if row["url"] else ""
                row["team_url"] = base + row["team_url"] if row["team_url"] else ""
        return Response(data)
