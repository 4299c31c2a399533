"""API for accounts, contacts, activities and tasks: CRUD through the services, scoped by
`crm.visibility`, filtered with django-filter, plus sharing endpoints on accounts and contacts."""

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.access import actor, scoped
from crm.api.base import ScopedModelViewSet, ServiceWritesMixin
from crm.api.filters import AccountFilter, ActivityFilter, ContactFilter, TaskFilter
from crm.api.relationship_serializers import (
    AccountDeleteSerializer,
    AccountInputSerializer,
    AccountOutputSerializer,
    ActivityInputSerializer,
    ActivityOutputSerializer,
    ActivityUpdateSerializer,
    ContactInputSerializer,
    ContactOutputSerializer,
    ShareInputSerializer,
    ShareOutputSerializer,
    TaskCompleteResultSerializer,
    TaskCompleteSerializer,
    TaskInputSerializer,
    TaskOutputSerializer,
    TaskUpdateSerializer,
)
from crm.api.timeline import TimelineMixin
from crm.errors import NotFound
from crm.models import Account, Activity, Contact, Task, User
from crm.services import accounts, activities, contacts, sharing
from crm.visibility import visible

WRITE_METHODS = ["get", "post", "patch", "delete", "head", "options"]


class SharesMixin:
    """GET/POST /<records>/{id}/shares/ and DELETE /<records>/{id}/shares/{share_id}/."""

    @extend_schema(request=ShareInputSerializer, responses=ShareOutputSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def shares(self, request: Request, pk: str | None = None) -> Response:
        record: Model = self.get_object()  # type: ignore[attr-defined]
        if request.method == "POST":
            data = ShareInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            share = sharing.share_create(actor=actor(request), obj=record, **data.validated_data)
            return Response(ShareOutputSerializer(share).data, status=status.HTTP_201_CREATED)
        sharing_rows = sharing.shares_of(record)
        return Response(ShareOutputSerializer(sharing_rows, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"shares/(?P<share_id>\d+)")
    def unshare(self, request: Request, pk: str | None = None, share_id: str = "") -> Response:
        record: Model = self.get_object()  # type: ignore[attr-defined]
        sharing.share_delete(actor=actor(request), obj=record, share_id=int(share_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccountViewSet(TimelineMixin, SharesMixin, ServiceWritesMixin, ScopedModelViewSet[Account]):
    """Accounts you may see. DELETE is a soft delete; when the account has contacts pass
    `?contacts=keep|move|delete` (and `move_to=<account id>` to move them)."""

    access = scoped("crm.Account")
    timeline_kind = "account"
    serializer_class = AccountOutputSerializer
    filterset_class = AccountFilter
    http_method_names = WRITE_METHODS

    def base_queryset(self) -> QuerySet[Account]:
        return Account.objects.alive().select_related("owner")

    input_serializer_class = AccountInputSerializer

    def service_create(self, user: User, data: dict[str, Any]) -> Account:
        return accounts.account_create(actor=user, **data)

    def service_update(self, user: User, obj: Account, data: dict[str, Any]) -> Account:
        return accounts.account_update(actor=user, account=obj, data=data)

    @extend_schema(parameters=[AccountDeleteSerializer], responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        account = self.get_object()
        data = AccountDeleteSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        accounts.account_delete(actor=actor(request), account=account, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=AccountOutputSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Administrators only: bring back a deleted account (and contacts deleted with it)."""
        user = actor(request)
        account = visible(user, Account.objects.filter(pk=pk or 0)).first()
        if account is None:
            raise NotFound("Not found.")
        account = accounts.account_restore(actor=user, account=account)
        return Response(AccountOutputSerializer(account).data)


class ContactViewSet(TimelineMixin, SharesMixin, ServiceWritesMixin, ScopedModelViewSet[Contact]):
    access = scoped("crm.Contact")
    timeline_kind = "contact"
    serializer_class = ContactOutputSerializer
    filterset_class = ContactFilter
    http_method_names = WRITE_METHODS

    def base_queryset(self) -> QuerySet[Contact]:
        return Contact.objects.alive()

    input_serializer_class = ContactInputSerializer

    def service_create(self, user: User, data: dict[str, Any]) -> Contact:
        return contacts.contact_create(actor=user, **data)

    def service_update(self, user: User, obj: Contact, data: dict[str, Any]) -> Contact:
        return contacts.contact_update(actor=user, contact=obj, data=data)

    def service_delete(self, user: User, obj: Contact) -> None:
        contacts.contact_delete(actor=user, contact=obj)


class ActivityViewSet(ServiceWritesMixin, ScopedModelViewSet[Activity]):
    """Calls, emails, meetings and notes; filter by account, contact, lead or deal."""

    access = scoped("crm.Activity")
    serializer_class = ActivityOutputSerializer
    filterset_class = ActivityFilter
    http_method_names = WRITE_METHODS

    def base_queryset(self) -> QuerySet[Activity]:
        return Activity.objects.all()

    input_serializer_class = ActivityInputSerializer
    update_serializer_class = ActivityUpdateSerializer
    drop_empty_inputs = True

    def service_create(self, user: User, data: dict[str, Any]) -> Activity:
        return activities.activity_log(actor=user, **data)

    def service_update(self, user: User, obj: Activity, data: dict[str, Any]) -> Activity:
        return activities.activity_update(actor=user, activity=obj, data=data)

    def service_delete(self, user: User, obj: Activity) -> None:
        activities.activity_delete(actor=user, activity=obj)


class TaskViewSet(ServiceWritesMixin, ScopedModelViewSet[Task]):
    """To-dos with a due time; PATCH `{"done": true}` ticks one off."""

    access = scoped("crm.Task")
    serializer_class = TaskOutputSerializer
    filterset_class = TaskFilter
    http_method_names = WRITE_METHODS

    def base_queryset(self) -> QuerySet[Task]:
        return Task.objects.all()

    input_serializer_class = TaskInputSerializer
    update_serializer_class = TaskUpdateSerializer
    drop_empty_inputs = True

    def service_create(self, user: User, data: dict[str, Any]) -> Task:
        return activities.task_create(actor=user, **data)

    def service_update(self, user: User, obj: Task, data: dict[str, Any]) -> Task:
        return activities.task_update(actor=user, task=obj, data=data)

    def service_delete(self, user: User, obj: Task) -> None:
        activities.task_delete(actor=user, task=obj)

    @extend_schema(request=TaskCompleteSerializer, responses=TaskCompleteResultSerializer)
    @action(detail=False, methods=["post"])
    def complete(self, request: Request) -> Response:
        """Tick many tasks done at once (at most 500); each one is audited."""
        data = TaskCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done, skipped = activities.tasks_complete(
            actor=actor(request), task_ids=data.validated_data["ids"]
        )
        return Response({"done": done, "skipped": skipped})
