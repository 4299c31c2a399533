"""Scheduled reports in the API.

GET/POST          /api/v1/reports/subscriptions/             the caller's (managers: and their
                                                              subtree's) / subscribe
GET/PATCH/DELETE  /api/v1/reports/subscriptions/{id}/        one, with its last run
GET               /api/v1/reports/subscriptions/{id}/runs/   its run log, newest first
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.access import actor, scoped
from crm.api.base import ScopedQuerysetMixin, VisibleRecordField
from reporting.builder.models import SavedReport

from . import services
from .models import DashboardKind, Frequency, ReportRun, ReportSubscription


class ReportRunSerializer(serializers.ModelSerializer[ReportRun]):
    class Meta:
        model = ReportRun
        fields = (
            "id",
            "slot",
            "started_at",
            "finished_at",
            "outcome",
            "recipients",
            "rows",
            "error",
        )
        read_only_fields = fields


class LastRunSerializer(serializers.Serializer[Any]):
    slot = serializers.DateField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    recipients = serializers.ListField(child=serializers.CharField())
    error = serializers.CharField()


class SubscriptionSerializer(serializers.ModelSerializer[ReportSubscription]):
    user = serializers.IntegerField(source="user_id", read_only=True)
    report = serializers.IntegerField(source="report_id", read_only=True, allow_null=True)
    last_run = serializers.SerializerMethodField()

    class Meta:
        model = ReportSubscription
        fields = (
            "id",
            "user",
            "report",
            "dashboard",
            "frequency",
            "skip_if_empty",
            "is_active",
            "created_at",
            "last_run",
        )
        read_only_fields = fields

    @extend_schema_field(LastRunSerializer(allow_null=True))
    def get_last_run(self, obj: ReportSubscription) -> dict[str, Any] | None:
        if getattr(obj, "last_slot", None) is None:
            return None
        return {
            "slot": obj.last_slot,  # type: ignore[attr-defined]
            "started_at": obj.last_started_at,  # type: ignore[attr-defined]
            "finished_at": obj.last_finished_at,  # type: ignore[attr-defined]
            "outcome": obj.last_outcome,  # type: ignore[attr-defined]
            "recipients": obj.last_recipients or [],  # type: ignore[attr-defined]
            "error": obj.last_error or "",  # type: ignore[attr-defined]
        }


class SubscriptionInputSerializer(serializers.Serializer[Any]):
    report = VisibleRecordField(queryset=SavedReport.objects.all(), required=False, allow_null=True)
    dashboard = serializers.ChoiceField(
        choices=DashboardKind.choices, required=False, allow_blank=True
    )
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    skip_if_empty = serializers.BooleanField(required=False, default=True)


class SubscriptionUpdateSerializer(serializers.Serializer[Any]):
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    skip_if_empty = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class SubscriptionViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Subscriptions to a saved report or a dashboard, emailed weekly or monthly once per
    slot, each with its last run (outcome, recipients, error)."""

    access = scoped("reporting.ReportSubscription")
    serializer_class = SubscriptionSerializer
    filter_backends: list[Any] = []

    def base_queryset(self) -> QuerySet[ReportSubscription]:
        return ReportSubscription.objects.all()

    def narrow(self, queryset: QuerySet[ReportSubscription]) -> QuerySet[ReportSubscription]:
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return services.with_last_run(queryset).order_by("created_at", "id")

    def _answer(self, obj: ReportSubscription, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.serializer_class(self.get_queryset().get(pk=obj.pk)).data, status=code)

    @extend_schema(request=SubscriptionInputSerializer, responses={201: SubscriptionSerializer})
    def create(self, request: Request) -> Response:
        data = SubscriptionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        subscription = services.subscription_create(
            actor=actor(request),
            report=data.validated_data.get("report"),
            dashboard=data.validated_data.get("dashboard") or "",
            frequency=data.validated_data["frequency"],
            skip_if_empty=data.validated_data["skip_if_empty"],
        )
        return self._answer(subscription, status.HTTP_201_CREATED)

    @extend_schema(request=SubscriptionUpdateSerializer, responses=SubscriptionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.get_object()
        data = SubscriptionUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.subscription_update(
            actor=actor(request), subscription=subscription, **data.validated_data
        )
        return self._answer(subscription)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.subscription_delete(actor=actor(request), subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses=ReportRunSerializer(many=True), operation_id="reports_subscriptions_runs"
    )
    @action(detail=True, methods=["get"])
    def runs(self, request: Request, pk: str | None = None) -> Response:
        """The subscription's run log, newest first (the last 100 slots)."""
        subscription = self.get_object()
        runs = ReportRun.objects.filter(subscription=subscription).order_by("-slot", "-id")[:100]
        return Response(ReportRunSerializer(runs, many=True).data)
