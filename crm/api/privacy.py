"""Privacy requests through the API: export everything held about a contact or lead
(JSON or CSV) and erase it. Administrators only; both are audited by the service."""

import json
from collections.abc import Mapping
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from crm.access import actor, scoped
from crm.api.base import ScopedQuerysetMixin
from crm.models import Contact
from crm.services import privacy


class CSVRenderer(BaseRenderer):
    """`?format=csv`: the CSV text the view made (errors stay JSON text)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, str):
            return data.encode("utf-8")
        return json.dumps(data, default=str).encode("utf-8")


class ErasedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    erased_at = serializers.DateTimeField()


FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="json (default) or csv"
)


class PrivacyViewSet(ScopedQuerysetMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """`GET {id}/personal-data/` and `POST {id}/erase/` for one kind of person record.

    The record is looked up through visibility first (hidden: 404), then the service
    refuses non-administrators (403)."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    filter_backends: list[Any] = []
    serializer_class = ErasedSerializer
    kind = ""

    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
        },
    )
    @action(detail=True, methods=["get"], url_path="personal-data")
    def personal_data(self, request: Request, pk: str | None = None) -> Response:
        subject: Model = self.get_object()
        data = privacy.personal_data(actor=actor(request), subject=subject)
        filename = f"{self.kind}-{subject.pk}-data"
        if request.accepted_renderer.format == "csv":
            return Response(
                privacy.personal_data_csv(data),
                headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
            )
        return Response(json.loads(json.dumps(data, default=str)))

    def handle_exception(self, exc: Exception) -> Response:
        # An error is JSON, said so in Content-Type, even when ?format=csv was asked for.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(request=None, responses=ErasedSerializer)
    @action(detail=True, methods=["post"], renderer_classes=[JSONRenderer])
    def erase(self, request: Request, pk: str | None = None) -> Response:
        subject = privacy.personal_data_erase(actor=actor(request), subject=self.get_object())
        return Response({"id": subject.pk, "erased_at": subject.erased_at})  # type: ignore[attr-defined]


class ContactPrivacyViewSet(PrivacyViewSet):
    access = scoped("crm.Contact")
    kind = "contact"

    def base_queryset(self) -> QuerySet[Contact]:
        return Contact.objects.all()
