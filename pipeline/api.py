"""REST API for deals (with ETag / If-Match) and their line items.

Pipeline configuration (pipelines, stages, products, reasons, currencies, rates) is in
`pipeline/api_config.py`. Writes to an existing deal, its line items included, need
`If-Match: "<version>"` (the ETag of the deal as last read): a missing header is 428,
a stale one 412 with the current deal in `error.current`.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.access import actor, scoped
from crm.api.base import ScopedModelViewSet, VisibleRecordField
from crm.api.timeline import TimelineMixin
from crm.errors import DomainError, NotFound
from crm.limits import ApiDateField, ApiIntegerField
from crm.models import Account, Contact, User
from pipeline import selectors, services
from pipeline.models import (
    Deal,
    DealLineItem,
    DealType,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageHistory,
    WonReason,
)


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition_required"


IF_MATCH = OpenApiParameter(
    name="If-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description='The deal\'s ETag as last read, e.g. "3". Stale: 412; missing: 428.',
)


def expected_version(request: Request) -> int:
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise PreconditionRequired('Send If-Match with the deal\'s ETag (e.g. If-Match: "3").')
    value = raw.removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        raise DomainError("If-Match must be the deal's ETag, a quoted version number.")
    return int(value)


def with_etag(response: Response, deal: Deal) -> Response:
    response["ETag"] = f'"{deal.version}"'
    return response


class LineItemSerializer(serializers.ModelSerializer[DealLineItem]):
    total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = DealLineItem
        fields = ("id", "product", "quantity", "unit_price", "discount_percent", "total")


class LineItemInput(serializers.Serializer[DealLineItem]):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        required=False,
        help_text="Empty: the product's list price (it must be in the deal's currency).",
    )
    discount_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, required=False
    )


ITEM_ID = OpenApiParameter(name="item_id", type=OpenApiTypes.INT, location=OpenApiParameter.PATH)


class DealOutputSerializer(serializers.ModelSerializer[Deal]):
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    source_lead = ApiIntegerField(
        source="source_lead_id",
        read_only=True,
        allow_null=True,
        help_text="The lead this deal was converted from (the link is the lead's converted_deal).",
    )
    is_rotting = serializers.BooleanField(read_only=True)

    class Meta:
        model = Deal
        fields: tuple[str, ...] = (
            "id",
            "version",
            "name",
            "pipeline",
            "stage",
            "stage_name",
            "account",
            "primary_contact",
            "owner",
            "amount",
            "currency",
            "amount_follows_line_items",
            "expected_close_date",
            "probability",
            "forecast_category",
            "deal_type",
            "next_step",
            "source_lead",
            "lost_reason",
            "won_reason",
            "close_note",
            "is_rotting",
            "stage_changed_at",
            "closed_at",
            "external_id",
            "custom",
            "created_at",
            "updated_at",
        )


class DealDetailSerializer(DealOutputSerializer):
    line_items = LineItemSerializer(many=True, read_only=True)

    class Meta(DealOutputSerializer.Meta):
        fields: tuple[str, ...] = (*DealOutputSerializer.Meta.fields, "line_items")


class DealWriteFields(serializers.Serializer[Deal]):
    name = serializers.CharField(max_length=200)
    account = VisibleRecordField(queryset=Account.objects.all(), allow_null=True, required=False)
    primary_contact = VisibleRecordField(
        queryset=Contact.objects.all(), allow_null=True, required=False
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    expected_close_date = ApiDateField(allow_null=True, required=False)
    probability = ApiIntegerField(required=False)
    forecast_category = serializers.CharField(required=False)
    deal_type = serializers.ChoiceField(choices=DealType.choices, required=False)
    next_step = serializers.CharField(max_length=200, allow_blank=True, required=False)
    external_id = serializers.CharField(max_length=100, allow_blank=True, required=False)
    custom = serializers.DictField(
        required=False, help_text="Custom field values by key (see /api/v1/custom-fields/)."
    )


class DealCreateSerializer(DealWriteFields):
    pipeline = serializers.PrimaryKeyRelatedField(queryset=Pipeline.objects.all())
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(), allow_null=True, required=False
    )


class DealUpdateSerializer(DealWriteFields):
    amount_follows_line_items = serializers.BooleanField(required=False)


class MoveSerializer(serializers.Serializer[Deal]):
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
    lost_reason = serializers.PrimaryKeyRelatedField(
        queryset=LostReason.objects.all(), allow_null=True, required=False
    )
    won_reason = serializers.PrimaryKeyRelatedField(
        queryset=WonReason.objects.all(), allow_null=True, required=False
    )


class CloseSerializer(serializers.Serializer[Deal]):
    reason = ApiIntegerField(allow_null=True, required=False)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class ReopenSerializer(serializers.Serializer[Deal]):
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(), allow_null=True, required=False
    )


class HistorySerializer(serializers.ModelSerializer[StageHistory]):
    class Meta:
        model = StageHistory
        fields = (
            "id",
            "from_stage",
            "to_stage",
            "moved_by",
            "moved_at",
            "seconds_in_previous_stage",
        )


class DealViewSet(TimelineMixin, ScopedModelViewSet[Deal]):
    """Deals you can see. Reading one returns its ETag; writing needs If-Match."""

    access = scoped("pipeline.Deal")
    timeline_kind = "deal"
    serializer_class = DealOutputSerializer
    filterset_fields = (
        "pipeline",
        "stage",
        "owner",
        "currency",
        "forecast_category",
        "external_id",
        "account",
        "primary_contact",
    )
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self) -> QuerySet[Deal]:
        deals = Deal.objects.alive()
        return selectors.source_lead_ids(deals).select_related("stage")

    def _answer(self, deal: Deal, code: int = status.HTTP_200_OK) -> Response:
        deal = self.base_queryset().prefetch_related("line_items").get(pk=deal.pk)
        return with_etag(Response(DealDetailSerializer(deal).data, status=code), deal)

    @extend_schema(responses=DealDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer(self.get_object())

    @extend_schema(request=DealCreateSerializer, responses={201: DealDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = DealCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        deal = services.deal_create(actor=actor(request), **data.validated_data)
        return self._answer(deal, status.HTTP_201_CREATED)

    @extend_schema(
        request=DealUpdateSerializer, responses=DealDetailSerializer, parameters=[IF_MATCH]
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deal = self.get_object()
        version = expected_version(request)
        data = DealUpdateSerializer(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        deal = services.deal_update(
            actor=actor(request),
            deal=deal,
            expected_version=version,
            data=dict(data.validated_data),
        )
        return self._answer(deal)

    @extend_schema(parameters=[IF_MATCH], responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deal = self.get_object()
        services.deal_delete(
            actor=actor(request), deal=deal, expected_version=expected_version(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MoveSerializer, responses=DealDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        version = expected_version(request)
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deal = services.deal_move(
            actor=actor(request), deal=deal, expected_version=version, **data.validated_data
        )
        return self._answer(deal)

    @extend_schema(request=CloseSerializer, responses=DealDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="close-won")
    def close_won(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        version = expected_version(request)
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = _reason(WonReason, data.validated_data.get("reason"))
        deal = services.deal_close_won(
            actor=actor(request),
            deal=deal,
            expected_version=version,
            reason=reason,
            note=data.validated_data["note"],
        )
        return self._answer(deal)

    @extend_schema(request=CloseSerializer, responses=DealDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="close-lost")
    def close_lost(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        version = expected_version(request)
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = _reason(LostReason, data.validated_data.get("reason"))
        deal = services.deal_close_lost(
            actor=actor(request),
            deal=deal,
            expected_version=version,
            reason=reason,
            note=data.validated_data["note"],
        )
        return self._answer(deal)

    @extend_schema(request=ReopenSerializer, responses=DealDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        version = expected_version(request)
        data = ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deal = services.deal_reopen(
            actor=actor(request),
            deal=deal,
            expected_version=version,
            stage=data.validated_data.get("stage"),
        )
        return self._answer(deal)

    @extend_schema(methods=["GET"], responses=LineItemSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=LineItemInput,
        responses={201: LineItemSerializer},
        parameters=[IF_MATCH],
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="items",
        pagination_class=None,
        filter_backends=[],
    )
    def items(self, request: Request, pk: str | None = None) -> Response:
        """The deal's line items; POST adds one (a deal following its items gets a new amount).

        The answer's ETag is the deal's new version."""
        deal = self.get_object()
        if request.method == "GET":
            rows = deal.line_items.order_by("position", "id")[:1000]
            return with_etag(Response(LineItemSerializer(rows, many=True).data), deal)
        version = expected_version(request)
        data = LineItemInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.line_item_add(
            actor=actor(request), deal=deal, expected_version=version, **data.validated_data
        )
        response = Response(LineItemSerializer(item).data, status=status.HTTP_201_CREATED)
        return with_etag(response, Deal.objects.get(pk=deal.pk))

    @extend_schema(parameters=[ITEM_ID, IF_MATCH], responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"items/(?P<item_id>\d+)")
    def remove_item(self, request: Request, pk: str | None = None, item_id: str = "") -> Response:
        """Remove one line item; the answer's ETag is the deal's new version."""
        deal = self.get_object()
        version = expected_version(request)
        item = DealLineItem.objects.filter(pk=int(item_id), deal=deal).first()
        if item is None:
            raise NotFound("That line item is already gone.")
        services.line_item_remove(
            actor=actor(request), deal=deal, expected_version=version, item=item
        )
        response = Response(status=status.HTTP_204_NO_CONTENT)
        return with_etag(response, Deal.objects.get(pk=deal.pk))

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        rows = selectors.deal_history(deal).order_by("moved_at", "id")[:1000]
        return Response(HistorySerializer(rows, many=True).data)


def _reason(model: type[LostReason] | type[WonReason], pk: int | None) -> Any:
    if pk is None:
        return None
    reason = model.objects.filter(pk=pk).first()
    if reason is None:
        raise DomainError("Unknown reason.", field="reason")
    return reason
