"""API for the caller's notifications and saved views, and the administrators' audit log."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from crm import selectors
from crm.access import ADMIN, actor, scoped
from crm.api import inbox_serializers as s
from crm.api.base import ScopedQuerysetMixin
from crm.api.pagination import CursorPagination
from crm.api.permissions import IsAdministrator
from crm.models import AuditEntry, Notification, SavedView
from crm.services import notifications, saved_views


class NotificationViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """The caller's own notifications, newest first; mark one or all read."""

    access = scoped("crm.Notification")
    serializer_class = s.NotificationSerializer
    filter_backends: list[Any] = []

    def base_queryset(self) -> QuerySet[Notification]:
        return Notification.objects.all()

    def narrow(self, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return queryset.none()
        queryset = queryset.filter(user=actor(self.request))  # one's own, admins included
        if self.action == "list":
            query = s.NotificationQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            if query.validated_data.get("unread"):
                queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(parameters=[s.NotificationQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        note = self.get_object()
        note = notifications.notification_mark_read(actor=actor(request), notification_id=note.pk)
        return Response(s.NotificationSerializer(note).data)

    @extend_schema(request=None, responses=s.MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        marked = notifications.notifications_mark_all_read(actor=actor(request))
        return Response({"marked": marked})


class SavedViewViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """The caller's own saved list views. Saving a name that exists overwrites it."""

    access = scoped("crm.SavedView")
    serializer_class = s.SavedViewSerializer
    filter_backends: list[Any] = []

    def base_queryset(self) -> QuerySet[SavedView]:
        return SavedView.objects.all()

    def narrow(self, queryset: QuerySet[SavedView]) -> QuerySet[SavedView]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return queryset.none()
        queryset = queryset.filter(user=actor(self.request))
        if self.action == "list":
            query = s.SavedViewQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            if query.validated_data.get("kind"):
                queryset = queryset.filter(kind=query.validated_data["kind"])
        return queryset

    @extend_schema(parameters=[s.SavedViewQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.SavedViewInputSerializer, responses={201: s.SavedViewSerializer})
    def create(self, request: Request) -> Response:
        data = s.SavedViewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        view = saved_views.saved_view_save(actor=actor(request), **data.validated_data)
        return Response(s.SavedViewSerializer(view).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view = self.get_object()
        saved_views.saved_view_delete(actor=actor(request), view_id=view.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditPagination(CursorPagination):
    ordering = "-created_at"


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet[AuditEntry]):
    """Administrators read the append-only audit log, newest first (cursor-paginated)."""

    access = ADMIN
    permission_classes = [IsAuthenticated, IsAdministrator]
    serializer_class = s.AuditEntrySerializer
    pagination_class = AuditPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AuditEntry]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return AuditEntry.objects.none()
        filters: dict[str, Any] = {}
        if self.action == "list":
            query = s.AuditQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            filters = dict(query.validated_data)
        return selectors.audit_list(actor=actor(self.request), filters=filters)

    @extend_schema(parameters=[s.AuditQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
