"""Spend and source return in the API (admins).

GET/POST          /api/v1/reports/spend/              spend rows per source and month
GET/PATCH/DELETE  /api/v1/reports/spend/{id}/
GET               /api/v1/reports/source-return/      CAC, churn, CLV per source (?from=&to=)
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import ADMIN, actor
from crm.api.base import ServiceWritesMixin
from crm.api.permissions import IsAdministrator
from crm.models import User
from leads.models import LeadSource
from reporting.api import QUERY_PARAMETERS, ReportQuerySerializer

from . import services
from .models import SourceSpend
from .selectors import KINDS, SourceRow, source_return

ADMIN_ONLY = [IsAuthenticated, IsAdministrator]


class SpendSerializer(serializers.ModelSerializer[SourceSpend]):
    source = serializers.IntegerField(source="source_id", read_only=True)  # type: ignore[assignment]

    class Meta:
        model = SourceSpend
        fields = ("id", "source", "month", "marketing", "sales", "note", "updated_at")
        read_only_fields = fields


class SpendInputSerializer(serializers.Serializer[Any]):
    source = serializers.PrimaryKeyRelatedField(queryset=LeadSource.objects.all())  # type: ignore[assignment]
    month = serializers.DateField(help_text="Any day of the month (stored as its first day).")
    marketing = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    sales = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SpendViewSet(ServiceWritesMixin, viewsets.ModelViewSet[SourceSpend]):
    """Marketing and sales spend per lead source and month, in the company currency
    (admins; audited). CAC divides it by the new customers won from the source."""

    access = ADMIN
    permission_classes = ADMIN_ONLY
    serializer_class = SpendSerializer
    input_serializer_class = SpendInputSerializer
    queryset = SourceSpend.objects.order_by("-month", "source_id")
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def service_create(self, user: User, data: dict[str, Any]) -> SourceSpend:
        return services.spend_create(actor=user, **data)

    def service_update(self, user: User, obj: SourceSpend, data: dict[str, Any]) -> SourceSpend:
        return services.spend_update(actor=user, spend=obj, **data)

    def service_delete(self, user: User, obj: SourceSpend) -> None:
        services.spend_delete(actor=user, spend=obj)


class SourceRowSerializer(serializers.Serializer[Any]):
    source = serializers.IntegerField(source="source_id", allow_null=True)  # type: ignore[assignment]
    label = serializers.CharField()  # type: ignore[assignment]
    marketing = serializers.DecimalField(max_digits=20, decimal_places=2)
    sales = serializers.DecimalField(max_digits=20, decimal_places=2)
    spend = serializers.DecimalField(max_digits=20, decimal_places=2)
    new_customers = serializers.IntegerField()
    cac = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    won_revenue = serializers.DecimalField(max_digits=20, decimal_places=2)
    accounts = serializers.IntegerField()
    arpa = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    renewals_won = serializers.IntegerField()
    renewals_lost = serializers.IntegerField()
    churn = serializers.FloatField(allow_null=True)
    churn_is_company = serializers.BooleanField()
    retention = serializers.FloatField(allow_null=True)
    clv = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    clv_to_cac = serializers.FloatField(allow_null=True)
    urls = serializers.DictField(child=serializers.CharField())


class SourceReturnSerializer(serializers.Serializer[Any]):
    date_from = serializers.DateField(source="filters.date_from")
    date_to = serializers.DateField(source="filters.date_to")
    margin_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    months = serializers.ListField(child=serializers.DateField())
    rows = SourceRowSerializer(many=True)
    total = SourceRowSerializer()


class SourceReturnView(APIView):
    access = ADMIN
    permission_classes = ADMIN_ONLY

    @extend_schema(parameters=QUERY_PARAMETERS[:2], responses=SourceReturnSerializer)
    def get(self, request: Request) -> Response:
        """CAC, churn, retention, ARPA and CLV per acquisition source (formulas: docs)."""
        query = ReportQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        result = source_return(actor=actor(request), filters=query.filters())
        data = SourceReturnSerializer(result).data
        base = request.build_absolute_uri("/")[:-1]
        for row in data["rows"]:
            row["urls"] = {kind: base + url for kind, url in row["urls"].items()}
        return Response(data)


__all__ = ["KINDS", "SourceReturnView", "SourceRow", "SpendViewSet"]
