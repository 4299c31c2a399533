"""API: /api/v1/imports/ and /api/v1/exports/ (same services as the pages)."""

import json
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from crm.access import actor, scoped
from crm.api.base import ScopedModelViewSet
from crm.api.parsers import JSONParser
from crm.api.schema import ERROR_RESPONSE
from crm.errors import Conflict
from crm.imports import exporting, selectors, services
from crm.imports.models import DedupePolicy, ExportJob, FileFormat, ImportJob, JobStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportJobOutputSerializer(serializers.ModelSerializer[ImportJob]):
    created_by = serializers.EmailField(source="created_by.email", read_only=True)

    class Meta:
        model = ImportJob
        fields = (
            "id",
            "kind",
            "original_name",
            "file_format",
            "encoding",
            "delimiter",
            "headers",
            "mapping",
            "options",
            "policy",
            "status",
            "total_rows",
            "rows_done",
            "imported",
            "updated",
            "skipped",
            "rejected",
            "cancel_requested",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        )


@extend_schema_field(OpenApiTypes.OBJECT)
class JSONObjectField(serializers.Field):  # type: ignore[type-arg]
    """A JSON object sent either as JSON or as a string in a multipart form."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except json.JSONDecodeError as exc:
                raise serializers.ValidationError("Not valid JSON.") from exc
        if not isinstance(data, dict):
            raise serializers.ValidationError("Expected a JSON object.")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class ImportJobInputSerializer(serializers.Serializer[ImportJob]):
    kind = serializers.CharField(max_length=30)
    file = serializers.FileField()
    mapping = JSONObjectField(required=False, help_text="column header → field; guessed if absent")
    options = JSONObjectField(required=False)
    policy = serializers.ChoiceField(choices=DedupePolicy.choices, default=DedupePolicy.SKIP)
    start = serializers.BooleanField(default=True, help_text="Start right away (else map first).")


class ImportJobViewSet(ScopedModelViewSet[ImportJob]):
    """Import jobs: upload (multipart), follow progress, cancel, download the rejected rows."""

    access = scoped("imports.ImportJob")
    serializer_class = ImportJobOutputSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ("kind", "status")
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self) -> QuerySet[ImportJob]:
        return ImportJob.objects.select_related("created_by")

    @extend_schema(request=ImportJobInputSerializer, responses={201: ImportJobOutputSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ImportJobInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = actor(request)
        upload = values["file"]
        job = services.import_job_create(
            actor=user,
            kind=values["kind"],
            upload=upload,
            name=upload.name,
            mapping=values.get("mapping"),
            options=values.get("options"),
        )
        if values["start"]:
            job = services.import_job_start(actor=user, job=job, policy=values["policy"])
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ImportJobOutputSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        job = services.import_job_cancel(actor=actor(request), job=self.get_object())
        return Response(ImportJobOutputSerializer(job).data)

    @extend_schema(request=None, responses=ImportJobOutputSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        job = services.import_job_resume(actor=actor(request), job=self.get_object())
        return Response(ImportJobOutputSerializer(job).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)})
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> StreamingHttpResponse:
        """The rejected rows as CSV: the original columns plus `error` and `row`."""
        job = self.get_object()
        response = StreamingHttpResponse(selectors.rejected_rows_csv(job), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected.csv"'
        return response


class ExportJobOutputSerializer(serializers.ModelSerializer[ExportJob]):
    class Meta:
        model = ExportJob
        fields = (
            "id",
            "kind",
            "query",
            "file_format",
            "status",
            "total_rows",
            "rows_done",
            "error",
            "created_at",
            "finished_at",
        )


class ExportJobInputSerializer(serializers.Serializer[ExportJob]):
    kind = serializers.CharField(max_length=30)
    file_format = serializers.ChoiceField(choices=FileFormat.choices, default=FileFormat.CSV)
    query = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The list's filter querystring, e.g. status=mql&owner=3",
    )


class ExportJobViewSet(ScopedModelViewSet[ExportJob]):
    access = scoped("imports.ExportJob")
    serializer_class = ExportJobOutputSerializer
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self) -> QuerySet[ExportJob]:
        return ExportJob.objects.all()

    @extend_schema(request=ExportJobInputSerializer, responses={201: ExportJobOutputSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ExportJobInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = exporting.export_job_create(actor=actor(request), **data.validated_data)
        return Response(ExportJobOutputSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="file_format csv"),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="file_format xlsx"),
            409: ERROR_RESPONSE,
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        job = self.get_object()
        if job.status != JobStatus.DONE or not job.file:
            raise Conflict("The export is not ready yet.")
        name = (job.file.name or "export").rsplit("/", 1)[-1]
        content_type = XLSX if name.endswith(".xlsx") else "text/csv; charset=utf-8"
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=name, content_type=content_type
        )
