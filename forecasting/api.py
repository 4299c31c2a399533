"""REST API for forecasting: the fiscal year setting and quotas. Everyone signed in reads
what they may see; administrators write, through the services the admin pages call."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import AUTHENTICATED, actor
from crm.api.base import ServiceWritesMixin
from crm.api.views import AdminWrites
from crm.errors import DomainError
from crm.models import Team, User
from forecasting import selectors, services
from forecasting.models import ForecastSettings, Quota


class ForecastSettingsSerializer(serializers.ModelSerializer[ForecastSettings]):
    class Meta:
        model = ForecastSettings
        fields = ("fiscal_year_start_month", "updated_at", "updated_by")
        read_only_fields = ("updated_at", "updated_by")


class ForecastSettingsInput(serializers.Serializer[ForecastSettings]):
    fiscal_year_start_month = serializers.IntegerField(min_value=1, max_value=12)


class ForecastSettingsView(APIView):
    """The fiscal year start month (1 = January). Admins change it with PUT or PATCH; 409
    while quarter quotas exist that would no longer start a fiscal quarter."""

    access = AUTHENTICATED
    permission_classes = [*APIView.permission_classes, AdminWrites]

    @extend_schema(responses=ForecastSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(ForecastSettingsSerializer(selectors.forecast_settings()).data)

    @extend_schema(request=ForecastSettingsInput, responses=ForecastSettingsSerializer)
    def put(self, request: Request) -> Response:
        data = ForecastSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.settings_update(
            actor=actor(request),
            fiscal_year_start_month=data.validated_data["fiscal_year_start_month"],
        )
        return Response(ForecastSettingsSerializer(row).data)

    @extend_schema(request=ForecastSettingsInput, responses=ForecastSettingsSerializer)
    def patch(self, request: Request) -> Response:
        return self.put(request)


class QuotaSerializer(serializers.ModelSerializer[Quota]):
    scope = serializers.CharField(
        source="scope_key", read_only=True, help_text="company, team:<id> or user:<id>"
    )
    period = serializers.CharField(
        source="period_key", read_only=True, help_text="2026-03 or FY2026-Q1"
    )

    class Meta:
        model = Quota
        fields = (
            "id",
            "scope",
            "user",
            "team",
            "period",
            "period_kind",
            "period_start",
            "period_end",
            "amount",
            "updated_at",
            "updated_by",
        )


class QuotaInput(serializers.Serializer[Quota]):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, default=None
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, default=None
    )
    period = serializers.CharField(
        max_length=12, help_text="A month (2026-03) or a fiscal quarter (FY2026-Q1)"
    )
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Company currency; 0 or more"
    )


class QuotaUpdate(serializers.Serializer[Quota]):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class QuotaViewSet(ServiceWritesMixin, viewsets.ModelViewSet[Quota]):  # type: ignore[misc]
    """Quotas per rep (`user`), team (`team`) or the company (neither), per month or fiscal
    quarter. POST creates or replaces the quota of that target and period. Filter with
    `?period=FY2026-Q1`, `?user=<id>`, `?team=<id>` or `?scope=company`."""

    access = AUTHENTICATED
    serializer_class = QuotaSerializer
    permission_classes = [*viewsets.ModelViewSet.permission_classes, AdminWrites]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    input_serializer_class = QuotaInput
    update_serializer_class = QuotaUpdate

    def get_queryset(self) -> QuerySet[Quota, Any]:
        quotas = selectors.visible_quotas(actor(self.request))
        params = self.request.query_params
        if key := params.get("period"):
            span = selectors.period(key)
            quotas = quotas.filter(period_start__gte=span.start, period_end__lte=span.end)
        for name in ("user", "team"):
            raw = params.get(name, "")
            if raw:
                if not raw.isdigit():
                    raise DomainError(f"{name} must be an id.", field=name)
                quotas = quotas.filter(**{f"{name}_id": int(raw)})
        if params.get("scope") == "company":
            quotas = quotas.filter(user__isnull=True, team__isnull=True)
        return quotas.order_by("period_start", "period_kind", "id")

    def service_create(self, user: User, data: dict[str, Any]) -> Quota:
        return services.quota_set(actor=user, **data)

    def service_update(self, user: User, obj: Quota, data: dict[str, Any]) -> Quota:
        return services.quota_set(
            actor=user,
            period=obj.period_key,
            amount=data.get("amount", obj.amount),
            user=obj.user,
            team=obj.team,
        )

    def service_delete(self, user: User, obj: Quota) -> None:
        services.quota_delete(actor=user, quota=obj)
