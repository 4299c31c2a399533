"""REST API for pipeline configuration: pipelines, stages, products, reasons, currencies and
exchange rates. Everyone signed in reads; administrators write, through the same services the
admin pages call (validated, audited, refusals in the one JSON error shape)."""

from typing import Any

from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.access import AUTHENTICATED, actor
from crm.api.base import ServiceWritesMixin
from crm.api.views import AdminWrites
from crm.errors import DomainError, NotFound
from crm.limits import ApiDateField, ApiIntegerField
from crm.models import User
from pipeline import services
from pipeline.models import (
    Currency,
    ExchangeRate,
    ForecastCategory,
    LostReason,
    Pipeline,
    Product,
    Stage,
    WonReason,
)

# Output


class StageSerializer(serializers.ModelSerializer[Stage]):
    kind = serializers.CharField(read_only=True, help_text="open, won or lost")

    class Meta:
        model = Stage
        fields = (
            "id",
            "pipeline",
            "name",
            "position",
            "kind",
            "probability",
            "rotting_days",
            "forecast_category",
            "is_active",
        )


class PipelineSerializer(serializers.ModelSerializer[Pipeline]):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ("id", "name", "position", "is_active", "stages")


class ProductSerializer(serializers.ModelSerializer[Product]):
    class Meta:
        model = Product
        fields = ("id", "name", "sku", "description", "list_price", "currency", "is_active")


class LostReasonSerializer(serializers.ModelSerializer[LostReason]):
    class Meta:
        model = LostReason
        fields = ("id", "name", "position", "is_active")


class WonReasonSerializer(serializers.ModelSerializer[WonReason]):
    class Meta:
        model = WonReason
        fields = ("id", "name", "position", "is_active")


class CurrencySerializer(serializers.ModelSerializer[Currency]):
    class Meta:
        model = Currency
        fields = ("id", "code", "name", "is_active")


class ExchangeRateSerializer(serializers.ModelSerializer[ExchangeRate]):
    currency_code = serializers.CharField(source="currency.code", read_only=True)

    class Meta:
        model = ExchangeRate
        fields = ("id", "currency", "currency_code", "rate", "effective_date", "created_at")


# Input: shape only; the services decide (uniqueness, ranges, stage rules).


class PipelineInput(serializers.Serializer[Pipeline]):
    name = serializers.CharField(max_length=100)
    position = ApiIntegerField(min_value=0, required=False, default=0)


class PipelineUpdate(serializers.Serializer[Pipeline]):
    name = serializers.CharField(max_length=100, required=False)
    position = ApiIntegerField(min_value=0, required=False)
    is_active = serializers.BooleanField(required=False, help_text="false archives it")


class StageUpdate(serializers.Serializer[Stage]):
    name = serializers.CharField(max_length=80, required=False)
    probability = ApiIntegerField(min_value=0, max_value=100, required=False)
    rotting_days = ApiIntegerField(min_value=1, allow_null=True, required=False)
    forecast_category = serializers.ChoiceField(choices=ForecastCategory.choices, required=False)


class StageInput(StageUpdate):
    pipeline = serializers.PrimaryKeyRelatedField(queryset=Pipeline.objects.all())
    name = serializers.CharField(max_length=80)


class StageShift(serializers.Serializer[Stage]):
    direction = serializers.ChoiceField(choices=[("up", "up"), ("down", "down")])


class ReasonInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    position = ApiIntegerField(min_value=0, required=False, default=0)
    is_active = serializers.BooleanField(required=False, default=True)


class ProductInput(serializers.Serializer[Product]):
    name = serializers.CharField(max_length=200)
    sku = serializers.CharField(max_length=60, allow_blank=True, required=False, default="")
    list_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(max_length=3)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class CurrencyInput(serializers.Serializer[Currency]):
    code = serializers.CharField(max_length=3)
    name = serializers.CharField(max_length=60, allow_blank=True, required=False, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class ExchangeRateInput(serializers.Serializer[ExchangeRate]):
    currency = serializers.PrimaryKeyRelatedField(queryset=Currency.objects.all())
    rate = serializers.DecimalField(max_digits=18, decimal_places=8)
    effective_date = ApiDateField()


def _partial(serializer_class: type[serializers.Serializer[Any]]) -> Any:
    """The same fields with no defaults: a PATCH changes only what it names."""
    fields = {}
    for name, field in serializer_class().get_fields().items():
        kwargs = dict(field._kwargs)  # type: ignore[attr-defined]
        kwargs.pop("default", None)
        kwargs["required"] = False
        fields[name] = type(field)(*field._args, **kwargs)  # type: ignore[attr-defined]
    name = serializer_class.__name__.replace("Input", "Update")
    return type(name, (serializers.Serializer,), fields)


ProductUpdate = _partial(ProductInput)
ReasonUpdate = _partial(ReasonInput)
CurrencyUpdate = _partial(CurrencyInput)
ExchangeRateUpdate = _partial(ExchangeRateInput)


# Views


class ConfigViewSet[M: Model](ServiceWritesMixin, viewsets.ModelViewSet[M]):  # type: ignore[misc]
    """Configuration, not owned records: readable by everyone signed in, written by admins."""

    access = AUTHENTICATED
    permission_classes = [*viewsets.ModelViewSet.permission_classes, AdminWrites]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class PipelineViewSet(ConfigViewSet[Pipeline]):
    """Pipelines and their stages. Archive with `is_active: false`; pipelines aren't deleted."""

    serializer_class = PipelineSerializer
    queryset = Pipeline.objects.prefetch_related("stages")
    filterset_fields = ("is_active",)
    http_method_names = ["get", "post", "patch", "head", "options"]
    input_serializer_class = PipelineInput
    update_serializer_class = PipelineUpdate

    def service_create(self, user: User, data: dict[str, Any]) -> Pipeline:
        return _fresh(services.pipeline_create(actor=user, **data))

    def service_update(self, user: User, obj: Pipeline, data: dict[str, Any]) -> Pipeline:
        return _fresh(services.pipeline_update(actor=user, pipeline=obj, data=data))


def _fresh(pipeline: Pipeline) -> Pipeline:
    return Pipeline.objects.prefetch_related("stages").get(pk=pipeline.pk)


MOVE_TO = OpenApiParameter(
    name="move_to",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.QUERY,
    required=False,
    description="Stage (same pipeline, open) to move this stage's deals to; required when "
    "it holds deals (409 without it).",
)


class StageViewSet(ConfigViewSet[Stage]):
    """Stages. New open stages go after the last open one; won and lost always close the board.

    Deleting a stage that holds deals needs `?move_to=<stage id>`: the deals move there (with
    stage history rows) and a stage deals passed through is archived rather than deleted.
    """

    serializer_class = StageSerializer
    queryset = Stage.objects.all()
    filterset_fields = ("pipeline", "kind", "is_active")
    input_serializer_class = StageInput
    update_serializer_class = StageUpdate

    def _active(self) -> Stage:
        stage: Stage = self.get_object()
        if not stage.is_active:
            raise NotFound("This stage was removed.")
        return stage

    def service_create(self, user: User, data: dict[str, Any]) -> Stage:
        return services.stage_create(actor=user, **data)

    def service_update(self, user: User, obj: Stage, data: dict[str, Any]) -> Stage:
        if not obj.is_active:
            raise NotFound("This stage was removed.")
        return services.stage_update(actor=user, stage=obj, data=data)

    @extend_schema(parameters=[MOVE_TO], responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        stage = self._active()
        raw = request.query_params.get("move_to") or (
            request.data.get("move_to") if hasattr(request.data, "get") else None
        )
        move_to = None
        if raw not in (None, ""):
            move_to = Stage.objects.filter(pk=int(raw) if str(raw).isdigit() else 0).first()
            if move_to is None:
                raise DomainError("Unknown stage.", field="move_to")
        services.stage_delete(actor=actor(request), stage=stage, move_to=move_to)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=StageShift, responses=StageSerializer(many=True))
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Shift an open stage one place up or down; answers the pipeline's stages in order."""
        stage = self._active()
        data = StageShift(data=request.data)
        data.is_valid(raise_exception=True)
        services.stage_shift(
            actor=actor(request), stage=stage, direction=data.validated_data["direction"]
        )
        stages = Stage.objects.filter(pipeline_id=stage.pipeline_id, is_active=True)
        return Response(StageSerializer(stages, many=True).data)


class CatalogViewSet[M: Model](ConfigViewSet[M]):
    """Create and update with `catalog_save`; delete with `catalog_delete` (409 when in use)."""

    def service_create(self, user: User, data: dict[str, Any]) -> Model:
        model = self.get_queryset().model
        return services.catalog_save(actor=user, obj=model(), data=data)

    def service_update(self, user: User, obj: Model, data: dict[str, Any]) -> Model:
        return services.catalog_save(actor=user, obj=obj, data=data)

    def service_delete(self, user: User, obj: Model) -> None:
        services.catalog_delete(actor=user, obj=obj)


class ProductViewSet(CatalogViewSet[Product]):
    serializer_class = ProductSerializer
    queryset = Product.objects.all()
    filterset_fields = ("is_active", "currency")
    input_serializer_class = ProductInput
    update_serializer_class = ProductUpdate


class LostReasonViewSet(CatalogViewSet[LostReason]):
    serializer_class = LostReasonSerializer
    queryset = LostReason.objects.all()
    filterset_fields = ("is_active",)
    input_serializer_class = ReasonInput
    update_serializer_class = ReasonUpdate


class WonReasonViewSet(CatalogViewSet[WonReason]):
    serializer_class = WonReasonSerializer
    queryset = WonReason.objects.all()
    filterset_fields = ("is_active",)
    input_serializer_class = ReasonInput
    update_serializer_class = ReasonUpdate


class CurrencyViewSet(CatalogViewSet[Currency]):
    serializer_class = CurrencySerializer
    queryset = Currency.objects.all()
    filterset_fields = ("is_active", "code")
    input_serializer_class = CurrencyInput
    update_serializer_class = CurrencyUpdate


class ExchangeRateViewSet(CatalogViewSet[ExchangeRate]):
    """Rates: from `effective_date`, one unit of the currency is worth `rate` company units.
    Filter with `?currency=<id>` or `?currency__code=EUR`."""

    serializer_class = ExchangeRateSerializer
    queryset = ExchangeRate.objects.select_related("currency")
    filterset_fields = {"currency": ["exact"], "currency__code": ["exact"]}
    input_serializer_class = ExchangeRateInput
    update_serializer_class = ExchangeRateUpdate
