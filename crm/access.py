"""Every route declares who may reach it; the route sweep test refuses routes that don't.

Rules:
- "public": anyone, no login (login page, web-to-lead, health check).
- "authenticated": any signed-in user; the view scopes its data with `crm.visibility`.
- "admin": administrators only (403 for others).
- "scoped:<app_label.Model>": the URL names one record of that model, fetched through
  `crm.visibility`; out-of-scope records are 404.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from crm.models import User
from crm.visibility import editable, visible

V = TypeVar("V", bound=Callable[..., HttpResponseBase])

PUBLIC = "public"
AUTHENTICATED = "authenticated"
ADMIN = "admin"


def scoped(model_label: str) -> str:
    return f"scoped:{model_label}"


def access(rule: str) -> Callable[[V], V]:
    """Mark a view with its access rule and enforce login/admin where the rule asks."""

    def decorate(view: V) -> V:
        wrapped: Callable[..., HttpResponseBase] = view
        if rule == ADMIN:

            @wraps(view)
            def admin_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
                if not getattr(request.user, "is_admin", False):
                    raise PermissionDenied("Administrators only.")
                return view(request, *args, **kwargs)

            wrapped = login_required(admin_only)
        elif rule != PUBLIC:
            wrapped = login_required(view)
        wrapped.crm_access = rule  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def get_visible_or_404[M: Model](
    request: HttpRequest, queryset: QuerySet[M, Any], **lookup: Any
) -> M:
    try:
        return visible(request.user, queryset).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from exc


def get_editable_or_404[M: Model](
    request: HttpRequest, queryset: QuerySet[M, Any], **lookup: Any
) -> M:
    """404 when hidden; 403 when visible but read-only for this user."""
    obj = get_visible_or_404(request, queryset, **lookup)
    if not editable(request.user, queryset.model._default_manager.filter(pk=obj.pk)).exists():
        raise PermissionDenied("You can view this record but not change it.")
    return obj


class AuthenticatedRequest(HttpRequest):
    """What a view behind `access(...)` (other than PUBLIC) receives."""

    user: User


def actor(request: Request | HttpRequest) -> User:
    """The signed-in user of an API request (DRF has already refused anonymous callers)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
