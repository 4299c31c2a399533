"""Leads API: CRUD, lifecycle, temperature, conversion, merge, duplicates, web-to-lead."""

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import PUBLIC, actor, scoped
from crm.api.base import ScopedModelViewSet, ScopedQuerysetMixin
from crm.api.timeline import TimelineMixin
from crm.errors import DomainError, NotFound
from crm.http import client_ip, request_origin
from crm.models import Account
from leads import selectors
from leads.api import serializers as s
from leads.models import Lead, LeadMerge
from leads.services import capture, lifecycle
from leads.services.assignment import leads_bulk_assign
from leads.services.conversion import DealSpec, lead_convert
from leads.services.duplicates import find_duplicates
from leads.services.merge import lead_merge, lead_merge_undo
from leads.services.temperature import lead_set_temperature_override
from leads.services.webtolead import count_submission, web_to_lead_submit
from pipeline.models import Pipeline, Stage

LIST_FILTERS = [
    OpenApiParameter("status", str, many=True),
    OpenApiParameter("temperature", str, many=True),
    OpenApiParameter("source", int),
    OpenApiParameter("owner", int),
    OpenApiParameter("team", int),
    OpenApiParameter("score_band", str, enum=["A", "B", "C", "D", "none"]),
    OpenApiParameter("q", str),
    OpenApiParameter("external_id", str, description="Exact external id"),
]


class LeadViewSet(TimelineMixin, ScopedModelViewSet[Lead]):
    access = scoped("leads.Lead")
    timeline_kind = "lead"
    serializer_class = s.LeadOutputSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list[Any] = []

    def base_queryset(self) -> QuerySet[Lead]:
        return Lead.objects.alive().select_related("owner", "source", "scoring")

    def narrow(self, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        if self.action != "list":
            return queryset
        params = self.request.query_params
        filters = selectors.LeadFilters(
            status=params.getlist("status"),
            temperature=params.getlist("temperature"),
            source=_int(params.get("source")),
            owner=_int(params.get("owner")),
            team=_int(params.get("team")),
            score_band=params.get("score_band", ""),
            q=params.get("q", "")[:100],
            external_id=params.get("external_id", "")[:100],
        )
        ids = selectors.lead_list(actor=actor(self.request), filters=filters).values("pk")
        return queryset.filter(pk__in=ids)

    @extend_schema(parameters=LIST_FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.LeadCreateSerializer, responses={201: s.LeadOutputSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.LeadCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lead = capture.lead_create(
            actor=actor(request),
            owner=values.pop("owner", None),
            assign_by_rules=values.pop("assign_by_rules", False),
            **values,
        )
        return Response(s.LeadOutputSerializer(lead).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.LeadWriteSerializer, responses=s.LeadOutputSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lead = self.get_object()
        data = s.LeadWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        lead = capture.lead_update(actor=actor(request), lead=lead, data=dict(data.validated_data))
        return Response(s.LeadOutputSerializer(lead).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=s.TransitionInputSerializer, responses=s.LeadOutputSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        lead = self.get_object()
        data = s.TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = lifecycle.lead_transition(actor=actor(request), lead=lead, **data.validated_data)
        return Response(s.LeadOutputSerializer(lead).data)

    @extend_schema(responses=s.TransitionOutputSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def transitions(self, request: Request, pk: str | None = None) -> Response:
        lead = self.get_object()
        rows = selectors.lead_transitions(lead)
        return Response(s.TransitionOutputSerializer(rows, many=True).data)

    @extend_schema(request=s.TemperatureInputSerializer, responses=s.LeadOutputSerializer)
    @action(detail=True, methods=["post"])
    def temperature(self, request: Request, pk: str | None = None) -> Response:
        lead = self.get_object()
        data = s.TemperatureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = lead_set_temperature_override(actor=actor(request), lead=lead, **data.validated_data)
        return Response(s.LeadOutputSerializer(lead).data)

    @extend_schema(request=s.ConvertInputSerializer, responses={201: s.ConvertOutputSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str | None = None) -> Response:
        lead = self.get_object()
        data = s.ConvertInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        account = None
        if values.get("account_id"):
            account = Account.objects.filter(pk=values["account_id"]).first()
            if account is None:
                raise NotFound("No such account, or you can't see it.", field="account_id")
        result = lead_convert(
            actor=actor(request),
            lead=lead,
            account=account,
            account_data=dict(values.get("account") or {}),
            contact_data=dict(values.get("contact") or {}),
            deal=_deal_spec(values.get("deal")),
        )
        body = {
            "lead": s.LeadOutputSerializer(result.lead).data,
            "account_id": result.account.pk,
            "contact_id": result.contact.pk,
            "deal_id": result.deal.pk if result.deal else None,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MergeInputSerializer, responses=s.MergeOutputSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        lead = self.get_object()
        data = s.MergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = selectors.lead_for_actor(actor=actor(request), pk=data.validated_data["other"])
        if other is None:
            raise NotFound("No such lead, or you can't see it.", field="other")
        merge = lead_merge(
            actor=actor(request), winner=lead, loser=other, choices=data.validated_data["choices"]
        )
        lead.refresh_from_db()
        return Response({"merge_id": merge.pk, "lead": s.LeadOutputSerializer(lead).data})

    @extend_schema(responses=s.CandidateListSerializer)
    @action(detail=True, methods=["get"])
    def duplicates(self, request: Request, pk: str | None = None) -> Response:
        lead = self.get_object()
        found = find_duplicates(
            actor=actor(request),
            email=lead.email,
            phone=lead.phone,
            first_name=lead.first_name,
            last_name=lead.last_name,
            company=lead.company,
            exclude_lead=lead,
        )
        rows = s.CandidateSerializer(found, many=True).data  # type: ignore[arg-type]
        return Response({"results": rows})

    @extend_schema(parameters=[s.DuplicateQuerySerializer], responses=s.CandidateListSerializer)
    @action(detail=False, methods=["get"], url_path="check-duplicates")
    def check_duplicates(self, request: Request) -> Response:
        query = s.DuplicateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = find_duplicates(actor=actor(request), **query.validated_data)
        rows = s.CandidateSerializer(found, many=True).data  # type: ignore[arg-type]
        return Response({"results": rows})

    @extend_schema(request=s.BulkAssignInputSerializer, responses={200: None})
    @action(detail=False, methods=["post"], url_path="bulk-assign")
    def bulk_assign(self, request: Request) -> Response:
        data = s.BulkAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = leads_bulk_assign(
            actor=actor(request),
            lead_ids=data.validated_data["ids"],
            owner=data.validated_data["owner"],
        )
        return Response({"moved": moved})


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


def _deal_spec(values: dict[str, Any] | None) -> DealSpec | None:
    if not values:
        return None
    pipeline = Pipeline.objects.filter(pk=values["pipeline"]).first()
    if pipeline is None:
        raise DomainError("No such pipeline.", field="deal.pipeline")
    stage = None
    if values.get("stage"):
        stage = Stage.objects.filter(pk=values["stage"], pipeline=pipeline).first()
        if stage is None:
            raise DomainError("That stage is not in the pipeline.", field="deal.stage")
    return DealSpec(
        pipeline=pipeline,
        stage=stage,
        name=values.get("name") or "",
        amount=Decimal(values.get("amount") or 0),
        expected_close_date=values.get("expected_close_date"),
    )


class LeadMergeViewSet(ScopedQuerysetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Undo a merge (administrators). A merge is visible to whoever sees the kept lead."""

    access = scoped("leads.LeadMerge")
    serializer_class = s.MergeOutputSerializer

    def base_queryset(self) -> QuerySet[LeadMerge]:
        return LeadMerge.objects.all()

    def get_queryset(self) -> QuerySet[LeadMerge]:
        from crm.visibility import visible

        leads = visible(self.request.user, Lead.objects.all()).values("pk")
        return LeadMerge.objects.filter(winner__in=leads)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        merge = self.get_object()
        return Response({"merge_id": merge.pk, "lead": s.LeadOutputSerializer(merge.winner).data})

    @extend_schema(request=None, responses=s.LeadOutputSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str | None = None) -> Response:
        loser = lead_merge_undo(actor=actor(request), merge=self.get_object())
        return Response(s.LeadOutputSerializer(loser).data)


class WebToLeadView(APIView):
    """Public: a website's form posts JSON here. Rate-limited per IP, honeypot, no cookies."""

    access = PUBLIC
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    @extend_schema(request=s.WebToLeadInputSerializer, responses={201: None})
    def post(self, request: Request) -> Response:
        count_submission(client_ip(request._request))
        data = s.WebToLeadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        web_to_lead_submit(
            data={**data.validated_data},
            ip=client_ip(request._request),
            form_key=data.validated_data.get("form", ""),
            origin=request_origin(request._request),
            counted=True,
        )
        return Response({"status": "received"}, status=status.HTTP_201_CREATED)
