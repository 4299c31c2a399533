"""Base classes every API view inherits, so the visibility rule is never skipped."""

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import viewsets
from rest_framework.request import Request

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


class ScopedReadOnlyViewSet[M: Model](ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[M]):
    pass


class ScopedModelViewSet[M: Model](ScopedQuerysetMixin, viewsets.ModelViewSet[M]):
    pass
