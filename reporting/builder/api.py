"""Saved reports in the API.

GET/POST          /api/v1/reports/saved/            mine and those shared with me / save one
GET/PATCH/DELETE  /api/v1/reports/saved/{id}/       one (writes: its owner, their managers)
GET               /api/v1/reports/saved/{id}/run/   its rows over what the caller may see
POST/DELETE       /api/v1/reports/saved/{id}/pin/   pin it to / take it off my dashboards
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.access import actor, scoped
from crm.api.base import ScopedQuerysetMixin
from crm.models import RecordShare, Team

from . import services
from .definition import CHARTS, MEASURES, SOURCES, DefinitionError, clean_definition
from .models import ReportPin, SavedReport
from .run import run_report


def _check(data: dict[str, Any]) -> Any:
    try:
        return clean_definition(data)
    except DefinitionError as error:
        raise serializers.ValidationError({error.field or "definition": [error.message]}) from None


class SavedReportSerializer(serializers.ModelSerializer[SavedReport]):
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    shared_team = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The team it is shared with, read-only."
    )
    pinned = serializers.BooleanField(read_only=True, help_text="On the caller's dashboards.")

    class Meta:
        model = SavedReport
        fields = (
            "id",
            "name",
            "owner",
            "source",
            "measure",
            "field",
            "group_by",
            "group_by2",
            "chart",
            "filters",
            "shared_team",
            "pinned",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class FiltersSerializer(serializers.Serializer[Any]):
    """The report's filters (all optional)."""

    period = serializers.CharField(
        required=False, help_text="90d, 30d, month, quarter, year, custom, all"
    )
    date_field = serializers.CharField(required=False, help_text="created, closed, expected_close")
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    owner = serializers.IntegerField(required=False, allow_null=True)
    pipeline = serializers.IntegerField(required=False, allow_null=True)
    source_id = serializers.IntegerField(required=False, allow_null=True)
    status = serializers.CharField(required=False, allow_blank=True)
    stage = serializers.IntegerField(required=False, allow_null=True)
    custom = serializers.DictField(child=serializers.CharField(), required=False)


class SavedReportInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    source = serializers.ChoiceField(choices=list(SOURCES), required=False)  # type: ignore[assignment]
    measure = serializers.ChoiceField(choices=list(MEASURES), required=False)
    field = serializers.CharField(required=False, allow_blank=True, max_length=60)
    group_by = serializers.CharField(required=False, allow_blank=True, max_length=60)
    group_by2 = serializers.CharField(required=False, allow_blank=True, max_length=60)
    chart = serializers.ChoiceField(choices=list(CHARTS), required=False)
    filters = serializers.JSONField(required=False, help_text="See FiltersSerializer.")
    shared_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )


class SavedReportUpdateSerializer(SavedReportInputSerializer):
    name = serializers.CharField(max_length=120, required=False)


class SavedReportRunRowSerializer(serializers.Serializer[Any]):
    keys = serializers.ListField(child=serializers.CharField(allow_null=True))
    labels = serializers.ListField(child=serializers.CharField())
    value = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()
    url = serializers.CharField(
        help_text="The deal or lead list behind the cell (drill-down), or empty."
    )


class SavedReportRunSerializer(serializers.Serializer[Any]):
    report = serializers.IntegerField()
    name = serializers.CharField()
    value_label = serializers.CharField()
    unit = serializers.CharField()
    group_by = serializers.ListField(child=serializers.CharField())
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    truncated = serializers.BooleanField()
    rows = SavedReportRunRowSerializer(many=True)


def _key(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class SavedReportViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Saved reports the caller may see: their own, their subtree's (managers), and those
    shared with their team. Running one shows only what the caller may see."""

    access = scoped("reporting.SavedReport")
    serializer_class = SavedReportSerializer
    filter_backends: list[Any] = []

    def base_queryset(self) -> QuerySet[SavedReport]:
        return SavedReport.objects.all()

    def narrow(self, queryset: QuerySet[SavedReport]) -> QuerySet[SavedReport]:
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        shares = RecordShare.objects.filter(
            content_type=ContentType.objects.get_for_model(SavedReport),
            object_id=OuterRef("pk"),
            team__isnull=False,
        )
        pins = ReportPin.objects.filter(report=OuterRef("pk"), user=actor(self.request))
        return queryset.annotate(
            shared_team=Subquery(shares.values("team_id")[:1]),
            pinned=Exists(pins),
        ).order_by("name", "id")

    def _input(self, serializer_class: Any, partial: bool) -> dict[str, Any]:
        data = serializer_class(data=self.request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def _answer(self, report: SavedReport, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            self.serializer_class(self.get_queryset().get(pk=report.pk)).data, status=code
        )

    @extend_schema(request=SavedReportInputSerializer, responses={201: SavedReportSerializer})
    def create(self, request: Request) -> Response:
        values = self._input(SavedReportInputSerializer, partial=False)
        team = values.pop("shared_team", None)
        name = values.pop("name")
        definition = _check(values)
        report = services.saved_report_create(
            actor=actor(request), name=name, definition=definition, team=team
        )
        return self._answer(report, status.HTTP_201_CREATED)

    @extend_schema(request=SavedReportUpdateSerializer, responses=SavedReportSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        values = self._input(SavedReportUpdateSerializer, partial=True)
        user = actor(request)
        name = values.pop("name", None)
        team_given = "shared_team" in values
        team = values.pop("shared_team", None)
        definition = None
        if values:
            merged = report.as_input()
            filters = values.pop("filters", None)
            merged.update(values)
            if filters is not None:
                merged["filters"] = filters
            definition = _check(merged)
        services.saved_report_update(actor=user, report=report, name=name, definition=definition)
        if team_given:
            services.saved_report_share(actor=user, report=report, team=team)
        return self._answer(report)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.saved_report_delete(actor=actor(request), report=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: SavedReportSerializer, 204: None})
    @action(detail=True, methods=["post", "delete"])
    def pin(self, request: Request, pk: str | None = None) -> Response:
        """POST: pin the report to the caller's dashboards (at most 6); DELETE: unpin it."""
        report = self.get_object()
        if request.method == "DELETE":
            services.report_unpin(actor=actor(request), report_id=report.pk)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.report_pin(actor=actor(request), report_id=report.pk)
        return self._answer(report)

    @extend_schema(responses=SavedReportRunSerializer, operation_id="reports_saved_run")
    @action(detail=True, methods=["get"])
    def run(self, request: Request, pk: str | None = None) -> Response:
        """The report's rows (value and count per group, drill-down URL) over what the
        caller may see."""
        report = self.get_object()
        definition = _check(report.as_input())
        result = run_report(actor=actor(request), definition=definition)
        base = request.build_absolute_uri("/")[:-1]
        return Response(
            {
                "report": report.pk,
                "name": report.name,
                "value_label": result.value_label,
                "unit": result.unit,
                "group_by": definition.groupings,
                "date_from": result.date_from,
                "date_to": result.date_to,
                "truncated": result.truncated,
                "rows": [
                    {
                        "keys": [_key(k) for k in row.keys],
                        "labels": list(row.labels),
                        "value": None if row.value is None else float(row.value),
                        "count": row.count,
                        "url": base + row.url if row.url else "",
                    }
                    for row in result.rows
                ],
            }
        )
