"""Administrators' lead settings over the API: assignment rules, temperature rules,
web-to-lead forms (with the embed snippet), lead sources and the fallback owner.

Rules, forms and settings are administrator things: reads and writes answer 403 to
everyone else. Lead sources are read by everyone (lead forms pick them), written by admins.
"""

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import ADMIN, AUTHENTICATED, actor
from crm.api.base import ServiceWritesMixin
from crm.api.permissions import IsAdministrator
from crm.api.views import AdminWrites
from crm.models import User
from leads.api import settings_serializers as s
from leads.api.serializers import LeadSourceSerializer
from leads.models import AssignmentRule, LeadSettings, LeadSource, TemperatureRule, WebForm
from leads.services import assignment, configuration, temperature
from leads.services.webtolead import embed_snippet

ADMIN_ONLY = [IsAuthenticated, IsAdministrator]


class AssignmentRuleViewSet(ServiceWritesMixin, viewsets.ModelViewSet[AssignmentRule]):
    """Evaluated in `position` order (then id); the first active matching rule wins."""

    access = ADMIN
    permission_classes = ADMIN_ONLY
    serializer_class = s.AssignmentRuleSerializer
    input_serializer_class = s.AssignmentRuleInputSerializer
    queryset = AssignmentRule.objects.all()
    pagination_class = None
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def service_create(self, user: User, data: dict[str, Any]) -> AssignmentRule:
        return assignment.assignment_rule_create(actor=user, **data)

    def service_update(self, user: User, obj: AssignmentRule, data: dict[str, Any]) -> Any:
        return assignment.assignment_rule_update(actor=user, rule=obj, data=data)

    def service_delete(self, user: User, obj: AssignmentRule) -> None:
        assignment.assignment_rule_delete(actor=user, rule=obj)


class TemperatureRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """One rule per buying timeframe; edits apply to leads at the nightly recompute."""

    access = ADMIN
    permission_classes = ADMIN_ONLY
    serializer_class = s.TemperatureRuleSerializer
    queryset = TemperatureRule.objects.all()
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(request=s.TemperatureRuleInputSerializer, responses=s.TemperatureRuleSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self.get_object()
        data = s.TemperatureRuleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = temperature.temperature_rule_update(
            actor=actor(request), rule=rule, **data.validated_data
        )
        return Response(s.TemperatureRuleSerializer(rule).data)


class WebFormViewSet(ServiceWritesMixin, viewsets.ModelViewSet[WebForm]):
    """Web-to-lead forms; each answer carries the public key and the HTML embed snippet.
    Switch a form off with `is_active: false` (there is no delete: leads keep pointing at it)."""

    access = ADMIN
    permission_classes = ADMIN_ONLY
    serializer_class = s.WebFormSerializer
    input_serializer_class = s.WebFormInputSerializer
    queryset = WebForm.objects.select_related("source")
    pagination_class = None
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "snippet": self._snippet_maker()}

    def _snippet_maker(self) -> Callable[[WebForm], str]:
        request = self.request._request
        action_url = request.build_absolute_uri(reverse("leads_public:web_to_lead"))
        return lambda form: embed_snippet(webform=form, action_url=action_url)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().create(request, *args, **kwargs)
        return self._with_snippet(response)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._with_snippet(super().partial_update(request, *args, **kwargs))

    def _with_snippet(self, response: Response) -> Response:
        # ServiceWritesMixin answers with a context-less serializer; add the snippet.
        form = WebForm.objects.get(pk=response.data["id"])  # type: ignore[index]
        response.data["embed_snippet"] = self._snippet_maker()(form)  # type: ignore[index]
        return response

    def service_create(self, user: User, data: dict[str, Any]) -> WebForm:
        return configuration.webform_create(actor=user, **data)

    def service_update(self, user: User, obj: WebForm, data: dict[str, Any]) -> WebForm:
        return configuration.webform_update(actor=user, form=obj, data=data)


class LeadSourceViewSet(ServiceWritesMixin, viewsets.ModelViewSet[LeadSource]):
    """Everyone signed in reads the sources; administrators add and rename them."""

    access = AUTHENTICATED
    permission_classes = [IsAuthenticated, AdminWrites]
    serializer_class = LeadSourceSerializer
    input_serializer_class = s.LeadSourceInputSerializer
    queryset = LeadSource.objects.all()
    pagination_class = None
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def service_create(self, user: User, data: dict[str, Any]) -> LeadSource:
        return configuration.lead_source_save(actor=user, data=data)

    def service_update(self, user: User, obj: LeadSource, data: dict[str, Any]) -> LeadSource:
        values = {"name": obj.name, "slug": obj.slug, **data}
        return configuration.lead_source_save(actor=user, source=obj, data=values)


class LeadSettingsView(APIView):
    """The workspace's lead settings: the fallback owner and how long new leads show."""

    access = ADMIN
    permission_classes = ADMIN_ONLY

    @extend_schema(responses=s.LeadSettingsSerializer)
    def get(self, request: Request) -> Response:
        settings = LeadSettings.current()
        return Response(s.LeadSettingsSerializer(settings).data)

    @extend_schema(request=s.LeadSettingsInputSerializer, responses=s.LeadSettingsSerializer)
    def patch(self, request: Request) -> Response:
        current = LeadSettings.current()
        data = s.LeadSettingsInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {
            "fallback_owner": current.fallback_owner,
            "new_lead_days": current.new_lead_days,
            **data.validated_data,
        }
        settings = assignment.lead_settings_update(actor=actor(request), **values)
        return Response(s.LeadSettingsSerializer(settings).data)
