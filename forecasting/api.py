"""REST API for forecasting: the fiscal year setting and quotas. Everyone signed in reads
what they may see; administrators write, through the services the admin pages call."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import AUTHENTICATED, actor
from crm.api.base import ServiceWritesMixin
from crm.api.views import AdminWrites
from crm.errors import DomainError
from crm.models import Team, User
from forecasting import periods, selectors, services
from forecasting.accuracy import accuracy_table
from forecasting.forecast import forecast
from forecasting.models import AdjustedCategory, ForecastAdjustment, ForecastSettings, Quota
from forecasting.scopes import resolve_scope
from forecasting.statistical.period import for_period


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
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Quota.objects.none()
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


SCOPE_PARAM = OpenApiParameter(
    name="scope",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.QUERY,
    required=False,
    description="company, team:<id> or user:<id> (default: admins the company, managers their "
    "team, reps themselves). A scope you can't see answers 404.",
)
PERIOD_PARAM = OpenApiParameter(
    name="period",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.QUERY,
    required=False,
    description="2026-03, FY2026-Q1 or FY2026 (default: the current fiscal quarter).",
)


class FigureSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    count = serializers.IntegerField()
    deals = serializers.CharField(help_text="The deal list filtered to exactly these deals")


class SourcesSerializer(serializers.Serializer[Any]):
    rep_commit = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="closed won + the deals' commit"
    )
    manager = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="closed won + commit after adjustments"
    )
    weighted_pipeline = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="closed won + weighted open pipeline"
    )


class StatisticalPeriodSerializer(serializers.Serializer[Any]):
    method = serializers.CharField(allow_null=True, help_text="ETS form, seasonal naive, actual")
    value = serializers.FloatField(allow_null=True, help_text="Won revenue expected")
    low_80 = serializers.FloatField(allow_null=True)
    high_80 = serializers.FloatField(allow_null=True)
    known = serializers.FloatField(help_text="Won in the period's months already over")
    forecast_months = serializers.IntegerField()
    as_of = serializers.DateField()
    message = serializers.CharField()


class ForecastLineSerializer(serializers.Serializer[Any]):
    scope = serializers.CharField()
    name = serializers.CharField()
    won = FigureSerializer(help_text="Closed won in the period")
    commit = FigureSerializer()
    best_case = FigureSerializer()
    pipeline = FigureSerializer()
    omitted = FigureSerializer()
    open_pipeline = FigureSerializer(help_text="commit + best case + pipeline")
    weighted_pipeline = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="open deals x their probability"
    )
    forecasts = SourcesSerializer(help_text="What each source says the period closes at")
    quota = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    attainment_percent = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    gap_to_quota = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    coverage = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="open pipeline / remaining quota",
    )


class ForecastSerializer(serializers.Serializer[Any]):
    scope = serializers.CharField()
    period = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="Last day of the period")
    currency = serializers.CharField()
    total = ForecastLineSerializer()
    teams = ForecastLineSerializer(many=True, help_text="Each team rolled up with its subtree")
    reps = ForecastLineSerializer(many=True)
    statistical = StatisticalPeriodSerializer(
        help_text="The statistical forecast of the scope's won revenue for the period"
    )


class ForecastView(APIView):
    """The forecast of a scope for a period: closed won, commit, best case, pipeline and
    omitted (amounts in the company currency and counts), quota, attainment, gap to quota and
    coverage, for the scope, each team of it (rolled up) and each rep."""

    access = AUTHENTICATED

    @extend_schema(parameters=[SCOPE_PARAM, PERIOD_PARAM], responses=ForecastSerializer)
    def get(self, request: Request) -> Response:
        user = actor(request)
        start_month = selectors.fiscal_start_month()
        key = request.query_params.get("period", "")
        span = (
            periods.parse_period(key, start_month)
            if key
            else periods.current(periods.QUARTER, start_month)
        )
        scope = resolve_scope(user, request.query_params.get("scope"))
        result = forecast(user, scope, span)
        statistical = for_period(
            user=user, scope=scope.key, start=span.start, end=span.end, today=periods.company_day()
        )
        return Response(
            {
                "scope": result.scope.key,
                "period": span.key,
                "period_start": span.start.isoformat(),
                "period_end": span.last_day.isoformat(),
                "currency": settings.DEFAULT_CURRENCY,
                "total": result.total.as_dict(),
                "teams": [line.as_dict() for line in result.teams],
                "reps": [line.as_dict() for line in result.reps],
                "statistical": statistical.as_dict(),
            }
        )


class AdjustmentSerializer(serializers.ModelSerializer[ForecastAdjustment]):
    scope = serializers.CharField(source="scope_key", read_only=True)

    class Meta:
        model = ForecastAdjustment
        fields = (
            "id",
            "scope",
            "user",
            "team",
            "period_key",
            "period_kind",
            "period_start",
            "category",
            "amount",
            "original_amount",
            "note",
            "adjusted_by",
            "created_at",
            "updated_at",
        )


class AdjustmentInput(serializers.Serializer[ForecastAdjustment]):
    scope = serializers.CharField(max_length=40, help_text="user:<id> or team:<id>")
    period = serializers.CharField(max_length=12, help_text="2026-03, FY2026-Q1 or FY2026")
    category = serializers.ChoiceField(choices=AdjustedCategory.choices)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    note = serializers.CharField(max_length=2000)


class AdjustmentViewSet(ServiceWritesMixin, viewsets.ModelViewSet[ForecastAdjustment]):  # type: ignore[misc]
    """Managers' overrides of a rep's or a sub-team's commit or best case for a period. POST
    creates or replaces (one per target, period and category); only the manager above the rep
    or team may (403 otherwise, 404 for a scope you can't see). Filter `?period=`, `?scope=`."""

    access = AUTHENTICATED
    serializer_class = AdjustmentSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]
    input_serializer_class = AdjustmentInput

    def get_queryset(self) -> QuerySet[ForecastAdjustment, Any]:
        if getattr(self, "swagger_fake_view", False):
            return ForecastAdjustment.objects.none()
        rows = selectors.visible_adjustments(actor(self.request))
        params = self.request.query_params
        if key := params.get("period"):
            rows = rows.filter(period_key=selectors.period(key).key)
        if scope := params.get("scope", ""):
            kind, _, raw = scope.partition(":")
            if kind not in ("user", "team") or not raw.isdigit():
                raise DomainError("scope is user:<id> or team:<id>.", field="scope")
            rows = rows.filter(**{f"{kind}_id": int(raw)})
        return rows.order_by("period_start", "id")

    def service_create(self, user: User, data: dict[str, Any]) -> ForecastAdjustment:
        return services.adjustment_set(actor=user, **data)

    def service_delete(self, user: User, obj: ForecastAdjustment) -> None:
        services.adjustment_delete(actor=user, adjustment=obj)


class AccuracyPointSerializer(serializers.Serializer[Any]):
    point = serializers.ChoiceField(choices=["start", "mid"])
    day = serializers.DateField(help_text="The snapshot's day (or the nominal day without one)")
    snapshot_week = serializers.DateField(allow_null=True)
    forecasts = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="rep_commit, manager, weighted_pipeline, statistical",
    )
    accuracy = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="max(0, 1 - |actual - forecast| / actual) per source",
    )


class AccuracyRowSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    name = serializers.CharField(help_text="The period's label")
    actual = serializers.FloatField(help_text="Won revenue of the period")
    points = AccuracyPointSerializer(many=True)


class AccuracySerializer(serializers.Serializer[Any]):
    scope = serializers.CharField()
    kind = serializers.CharField()
    currency = serializers.CharField()
    periods = AccuracyRowSerializer(many=True)
    mean_accuracy = serializers.DictField(help_text="per point, per source")


class AccuracyView(APIView):
    """The forecast accuracy table: per past period (newest first), what each source (rep
    commit, manager adjustment, weighted pipeline, statistical) said at the start and in the
    middle of the period, against what closed."""

    access = AUTHENTICATED

    @extend_schema(
        parameters=[
            SCOPE_PARAM,
            OpenApiParameter(
                name="kind",
                type=OpenApiTypes.STR,
                location=OpenApiParameter.QUERY,
                required=False,
                enum=["month", "quarter", "year"],
                description="Which periods (default quarter)",
            ),
            OpenApiParameter(
                name="periods",
                type=OpenApiTypes.INT,
                location=OpenApiParameter.QUERY,
                required=False,
                description="How many past periods, 1-12 (default 6 months, 4 quarters, 2 years)",
            ),
        ],
        responses=AccuracySerializer,
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        kind = request.query_params.get("kind") or periods.QUARTER
        if kind not in periods.KINDS:
            raise DomainError("kind is month, quarter or year.", field="kind")
        raw = request.query_params.get("periods", "")
        if raw and (not raw.isdigit() or not 1 <= int(raw) <= 12):
            raise DomainError("periods is a number from 1 to 12.", field="periods")
        scope = resolve_scope(user, request.query_params.get("scope"))
        table = accuracy_table(actor=user, scope=scope, kind=kind, count=int(raw) if raw else None)
        return Response(
            {
                "scope": scope.key,
                "kind": kind,
                "currency": settings.DEFAULT_CURRENCY,
                "periods": [row.as_dict() for row in table.rows],
                "mean_accuracy": table.average(),
            }
        )
