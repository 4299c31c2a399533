"""API for people: the signed-in user, the user directory and teams."""

import threading
from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import AUTHENTICATED, actor, scoped
from crm.api.base import ScopedModelViewSet, ServiceWritesMixin
from crm.api.serializers import (
    DeactivateInputSerializer,
    TeamInputSerializer,
    TeamOutputSerializer,
    TeamUpdateSerializer,
    UserInputSerializer,
    UserOutputSerializer,
    UserUpdateSerializer,
)
from crm.models import Team, User
from crm.services import people


class AdminWrites(BasePermission):
    """Everyone signed in reads; only administrators write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return getattr(request.user, "is_admin", False)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process and version, under a lock.

    drf-spectacular's generator keeps state in module globals and is not thread-safe: two
    threads of one gunicorn gthread worker building it at once could fail. The schema is
    the same for every user (SERVE_PUBLIC), so the first request builds it and the others
    reuse it (which also spares each request the seconds a build takes)."""

    access = AUTHENTICATED
    _lock = threading.Lock()
    _built: ClassVar[dict[tuple[Any, ...], Any]] = {}

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, request.GET.get("lang", ""))
        with self._lock:
            if key not in self._built:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                self._built[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(
            data=self._built[key], headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with its init script served by this view (`?script`) and no inline style,
    so the page works under the site-wide CSP without loosening it."""

    access = AUTHENTICATED
    template_name = "api/swagger_ui.html"


class MeView(APIView):
    access = AUTHENTICATED

    @extend_schema(responses=UserOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(actor(request)).data)


class UserViewSet(ServiceWritesMixin, ScopedModelViewSet[User]):
    """The user directory. Non-admins see active colleagues; admins manage everyone."""

    access = scoped("crm.User")
    permission_classes = [*ScopedModelViewSet.permission_classes, AdminWrites]
    serializer_class = UserOutputSerializer
    filterset_fields = ("role", "team", "is_active")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[User]:
        return User.objects.select_related("team")

    input_serializer_class = UserInputSerializer
    update_serializer_class = UserUpdateSerializer

    def service_create(self, user: User, data: dict[str, Any]) -> User:
        return people.user_create(actor=user, **data)

    def service_update(self, user: User, obj: User, data: dict[str, Any]) -> User:
        return people.user_update(actor=user, user=obj, data=data)

    @extend_schema(request=DeactivateInputSerializer, responses=UserOutputSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        data = DeactivateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        people.user_deactivate(actor=actor(request), user=user, **data.validated_data)
        user.refresh_from_db()
        return Response(UserOutputSerializer(user).data)

    @extend_schema(request=None, responses=UserOutputSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        user = people.user_activate(actor=actor(request), user=self.get_object())
        return Response(UserOutputSerializer(user).data)


class TeamViewSet(ServiceWritesMixin, ScopedModelViewSet[Team]):
    access = scoped("crm.Team")
    permission_classes = [*ScopedModelViewSet.permission_classes, AdminWrites]
    serializer_class = TeamOutputSerializer
    filterset_fields = ("parent", "manager")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self) -> QuerySet[Team]:
        return Team.objects.all()

    input_serializer_class = TeamInputSerializer
    update_serializer_class = TeamUpdateSerializer

    def service_create(self, user: User, data: dict[str, Any]) -> Team:
        return people.team_create(actor=user, **data)

    def service_update(self, user: User, obj: Team, data: dict[str, Any]) -> Team:
        return people.team_update(actor=user, team=obj, data=data)

    def service_delete(self, user: User, obj: Team) -> None:
        people.team_delete(actor=user, team=obj)
