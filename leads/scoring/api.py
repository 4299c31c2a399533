"""Scoring over the API (administrators): rules and their preview, settings, model versions."""

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import ADMIN, actor
from crm.api.base import ServiceWritesMixin
from crm.api.permissions import IsAdministrator
from crm.errors import NotFound
from crm.models import User
from leads.scoring import serializers as s
from leads.scoring import services, training
from leads.scoring.engine import scoring_settings
from leads.scoring.models import ScoringModel, ScoringRule
from leads.scoring.preview import preview_rules
from leads.scoring.queue import enqueue_train

ADMIN_ONLY = [IsAuthenticated, IsAdministrator]


class ScoringRuleViewSet(ServiceWritesMixin, viewsets.ModelViewSet[ScoringRule]):
    """Rules add (or take away) points when their condition holds; the rule score is their sum,
    clipped to 0-100. Saving a rule rescores every lead in the background."""

    access = ADMIN
    permission_classes = ADMIN_ONLY
    serializer_class = s.ScoringRuleSerializer
    input_serializer_class = s.ScoringRuleInputSerializer
    update_serializer_class = s.ScoringRuleUpdateSerializer
    queryset = ScoringRule.objects.all()
    pagination_class = None
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def service_create(self, user: User, data: dict[str, Any]) -> ScoringRule:
        return services.scoring_rule_create(actor=user, **data)

    def service_update(self, user: User, obj: ScoringRule, data: dict[str, Any]) -> ScoringRule:
        return services.scoring_rule_update(actor=user, rule=obj, data=data)

    def service_delete(self, user: User, obj: ScoringRule) -> None:
        services.scoring_rule_delete(actor=user, rule=obj)

    @extend_schema(request=s.PreviewInputSerializer, responses=s.PreviewSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """How today's open leads would score and move between bands with this rule (added,
        or replacing rule `rule`), without saving anything."""
        data = s.PreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        replaced = values.pop("rule", None)
        rule = ScoringRule(**services.clean_rule(values))
        if replaced is not None:
            existing = self.get_queryset().filter(pk=replaced).first()
            if existing is None:
                raise NotFound("No such rule.")
            rule.pk = existing.pk
        result = preview_rules(actor=actor(request), proposed=rule)
        return Response(s.PreviewSerializer(result).data)


class ScoringSettingsView(APIView):
    """What the model learns from, the model's share in the combined score, the cut-off."""

    access = ADMIN
    permission_classes = ADMIN_ONLY

    @extend_schema(responses=s.ScoringSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.ScoringSettingsSerializer(scoring_settings()).data)

    @extend_schema(request=s.ScoringSettingsInputSerializer, responses=s.ScoringSettingsSerializer)
    def patch(self, request: Request) -> Response:
        data = s.ScoringSettingsInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        settings = services.scoring_settings_update(
            actor=actor(request), data=dict(data.validated_data)
        )
        return Response(s.ScoringSettingsSerializer(settings).data)


class ScoringModelViewSet(viewsets.ReadOnlyModelViewSet[ScoringModel]):
    """Trained versions with their metrics on held-out leads (newest 30 % and a stratified
    30 %), beside the rule score's and the naive-Bayes baseline's; activate one (or roll back
    to an older one), or train a new one in the background."""

    access = ADMIN
    permission_classes = ADMIN_ONLY
    serializer_class = s.ScoringModelSerializer
    queryset = ScoringModel.objects.defer("artefact")
    filter_backends: list[Any] = []

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "active_id": scoring_settings().active_model_id}

    @extend_schema(request=None, responses=s.ScoringModelSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        version = training.scoring_model_activate(actor=actor(request), version=self.get_object())
        context = {"active_id": version.pk}
        return Response(s.ScoringModelSerializer(version, context=context).data)

    @extend_schema(request=s.TrainInputSerializer, responses={202: s.TrainQueuedSerializer})
    @action(detail=False, methods=["post"])
    def train(self, request: Request) -> Response:
        data = s.TrainInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = actor(request)
        services.require_admin(user)
        with transaction.atomic():
            enqueue_train(activate=data.validated_data["activate"], actor_id=user.pk)
        counts = training.class_counts(scoring_settings().outcome)
        body = {"queued": True, "positives": counts[0], "negatives": counts[1]}
        return Response(s.TrainQueuedSerializer(body).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=s.ScoringSettingsSerializer)
    @action(detail=False, methods=["post"])
    def deactivate(self, request: Request) -> Response:
        """Score by the rules alone."""
        training.scoring_model_deactivate(actor=actor(request))
        return Response(s.ScoringSettingsSerializer(scoring_settings()).data)
