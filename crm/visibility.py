"""The sharing model, in one place.

`visible(user, queryset)` is the only way an owned record reaches a user:
- admins see everything;
- managers see their own records and those owned by anyone in the subtree of the teams
  they manage;
- reps see what they own;
- everyone also sees records explicitly shared with them or with their team.

Models opt in by naming their owner field in `visibility_owner_field`. A model without it
raises, so a new queryset can't silently skip the rule. Users and teams have their own
rule: everyone may see the directory of active colleagues (to assign and share), only
admins see deactivated users.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet

from crm.models import RecordShare, Team, User
from crm.models.sharing import ShareAccess

AnyUser = User | AnonymousUser


def _managed_paths(user: User) -> list[str]:
    cached: list[str] | None = getattr(user, "_crm_managed_paths", None)
    if cached is None:
        cached = list(Team.objects.filter(manager=user).values_list("path", flat=True))
        user._crm_managed_paths = cached  # type: ignore[attr-defined]
    return cached


def subtree_team_ids(user: User) -> QuerySet[Team, Any]:
    """Teams in the subtrees of the teams `user` manages (a subquery, not evaluated)."""
    paths = _managed_paths(user)
    if not paths:
        return Team.objects.none().values("id")
    return Team.objects.filter(reduce(or_, [Q(path__startswith=p) for p in paths])).values("id")


def subtree_user_ids(user: User) -> QuerySet[User, Any]:
    return User.objects.filter(team__in=subtree_team_ids(user)).values("id")


def _shared_ids(user: User, model: type[models.Model], *, edit: bool = False) -> list[int]:
    content_type = ContentType.objects.get_for_model(model)
    target = Q(user=user)
    if user.team_id is not None:
        target |= Q(team_id=user.team_id)
    shares = RecordShare.objects.filter(target, content_type=content_type)
    if edit:
        shares = shares.filter(access=ShareAccess.EDIT)
    return list(shares.values_list("object_id", flat=True))


def _owner_ids(user: User) -> list[int]:
    """The user plus, for a manager, everyone in their subtree; remembered on the user
    object for the request, like the managed team paths."""
    if not user.is_manager:
        return [user.pk]
    cached: list[int] | None = getattr(user, "_crm_owner_ids", None)
    if cached is None:
        cached = [user.pk, *subtree_user_ids(user).exclude(pk=user.pk).values_list("id", flat=True)]
        user._crm_owner_ids = cached  # type: ignore[attr-defined]
    return cached


def owner_field(model: type[models.Model]) -> str:
    field = getattr(model, "visibility_owner_field", None)
    if not field:
        raise ImproperlyConfigured(
            f"{model.__name__} has no visibility_owner_field; add one or a rule in crm.visibility."
        )
    return str(field)


def _scope(user: User, model: type[models.Model], *, edit: bool) -> Q:
    """Owner ids and shared ids are fetched first (small, indexed look-ups) and passed as
    literal lists: `owner_id = ANY(...) OR id = ANY(...)` lets PostgreSQL combine two index
    scans, where an OR with a sub-select forces it to filter every row of a big table."""
    field = owner_field(model)
    owners = _owner_ids(user)
    scope = Q(**{field: owners[0]}) if len(owners) == 1 else Q(**{f"{field}__in": owners})
    shared = _shared_ids(user, model, edit=edit)
    if shared:
        scope |= Q(pk__in=shared)
    return scope


@dataclass(frozen=True)
class OwnerScope:
    """What a manager may see of a model, spelled out: rows owned by `owner_ids`, plus the
    rows in `shared_ids`. Lets a selector drive a big table from the owner side."""

    owner_ids: list[int]
    shared_ids: list[int]


def owner_scope(user: AnyUser, model: type[models.Model]) -> OwnerScope | None:
    """The owner list behind `visible(user, model)` for managers (2 small queries); None for
    everyone else (admins see every row; a rep's single owner needs no help)."""
    if not isinstance(user, User) or not _is_active_user(user) or not user.is_manager:
        return None
    owner_field(model)
    return OwnerScope(_owner_ids(user), _shared_ids(user, model))


def _is_active_user(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def visible[M: models.Model](user: AnyUser, queryset: QuerySet[M, Any]) -> QuerySet[M, Any]:
    """Narrow `queryset` to the rows `user` may see."""
    if not _is_active_user(user):
        return queryset.none()
    if not isinstance(user, User):
        return queryset.none()
    model = queryset.model
    if model is User:
        return queryset if user.is_admin else queryset.filter(is_active=True)
    if model is Team:
        return queryset
    if user.is_admin:
        owner_field(model)  # still refuse models without a rule
        return queryset
    return queryset.filter(_scope(user, model, edit=False))


def editable[M: models.Model](user: AnyUser, queryset: QuerySet[M, Any]) -> QuerySet[M, Any]:
    """Narrow `queryset` to the rows `user` may change (shares must grant edit)."""
    if not _is_active_user(user):
        return queryset.none()
    if not isinstance(user, User):
        return queryset.none()
    model = queryset.model
    if model in (User, Team):
        return queryset if user.is_admin else queryset.none()
    if user.is_admin:
        owner_field(model)
        return queryset
    return queryset.filter(_scope(user, model, edit=True))


def can_edit(user: AnyUser, obj: models.Model) -> bool:
    return editable(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
