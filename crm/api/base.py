"""Base classes every API view inherits, so the visibility rule is never skipped."""

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from crm.access import actor
from crm.api.schema import CrmAutoSchema
from crm.models import User
from crm.services.ownership import NOT_VISIBLE
from crm.visibility import visible


class ScopedQuerysetMixin:
    """`get_queryset` always passes through `crm.visibility.visible`.

    Subclasses implement `base_queryset()` (select_related/prefetch as the page needs) and
    may narrow further with `narrow(queryset)`; they can't widen it.
    """

    access: str | None = None  # each viewset names its rule: scoped("app.Model")

    def base_queryset(self) -> QuerySet[Any, Any]:
        raise NotImplementedError

    def narrow(self, queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
        return queryset

    def get_queryset(self) -> QuerySet[Any, Any]:
        request: Request = self.request  # type: ignore[attr-defined]
        return self.narrow(visible(request.user, self.base_queryset()))


class VisibleRecordField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """An id of an owned record the requesting user can see. An unknown id and a hidden one
    get the same 400, so the answer doesn't tell whether a hidden record exists. Needs the
    request in the serializer context."""

    default_error_messages = {
        "does_not_exist": NOT_VISIBLE,
        "incorrect_type": "Give the record's id as a number.",
    }

    def get_queryset(self) -> QuerySet[Any, Any]:
        queryset: QuerySet[Any, Any] | None = super().get_queryset()
        if queryset is None:
            raise TypeError("VisibleRecordField needs a queryset")
        alive = getattr(queryset, "alive", None)
        return visible(actor(self.context["request"]), alive() if alive else queryset.all())


class ServiceSchema(CrmAutoSchema):
    """Document a ServiceWritesMixin view: the input serializer in, `serializer_class` out."""

    def get_request_serializer(self) -> Any:
        view = self.view
        if getattr(view, "action", None) == "create" and hasattr(view, "input_serializer_class"):
            return view.input_serializer_class
        if getattr(view, "action", None) == "partial_update" and hasattr(
            view, "input_serializer_class"
        ):
            return getattr(view, "update_serializer_class", None) or view.input_serializer_class
        return super().get_request_serializer()


class ServiceWritesMixin:
    """Create, PATCH and DELETE through the app's services.

    A viewset names `input_serializer_class` (and `update_serializer_class` when PATCH takes
    other fields) and implements `service_create`, `service_update` and `service_delete`;
    the input serializer checks shape, the service decides, `serializer_class` answers.
    """

    schema: Any = ServiceSchema()
    input_serializer_class: type[serializers.Serializer[Any]]
    update_serializer_class: type[serializers.Serializer[Any]] | None = None
    serializer_class: type[serializers.BaseSerializer[Any]]
    drop_empty_inputs = False  # leave out None values (links not given) before the service

    def service_create(self, user: User, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def service_update(self, user: User, obj: Any, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def service_delete(self, user: User, obj: Any) -> None:
        raise NotImplementedError

    def _input(
        self,
        serializer_class: type[serializers.Serializer[Any]],
        request: Request,
        *,
        partial: bool,
    ) -> dict[str, Any]:
        data = serializer_class(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if self.drop_empty_inputs:
            values = {k: v for k, v in values.items() if v is not None}
        return values

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self._input(self.input_serializer_class, request, partial=False)
        obj = self.service_create(actor(request), values)
        return Response(self.serializer_class(obj).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()  # type: ignore[attr-defined]
        serializer_class = self.update_serializer_class or self.input_serializer_class
        values = self._input(serializer_class, request, partial=True)
        obj = self.service_update(actor(request), obj, values)
        return Response(self.serializer_class(obj).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.service_delete(actor(request), self.get_object())  # type: ignore[attr-defined]
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScopedReadOnlyViewSet[M: Model](ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[M]):
    pass


class ScopedModelViewSet[M: Model](ScopedQuerysetMixin, viewsets.ModelViewSet[M]):
    pass
