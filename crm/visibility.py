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

The ownership rule lives here too: who `actor` may make the owner of a record.
- `assignable_owners(actor)`: admins any active user; managers themselves and everyone in
  the subtree of the teams they manage; reps themselves only.
- `reassignable(actor, queryset)`: the rows whose owner `actor` may change at all: an
  admin any row, others the rows owned by someone in their own owner scope. An edit share
  lets you change a record, never take it or give it away.
- `can_assign_owner(actor, record_or_None, new_owner)` / `check_owner_change(...)`: both
  together; keeping a record's current owner is always allowed.
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

from crm.errors import PermissionDenied
from crm.models import RecordShare, Team, User
from crm.models.sharing import ShareAccess
from crm.models.users import can_own_q
from crm.request_cache import remembered

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


def _shares_of(user: User) -> dict[tuple[int, bool], list[int]]:
    """Every share reaching the user or their team, read once per request: (content type,
    edit only?) → object ids. A page asks about three to six kinds of record; one query
    answers them all."""

    def read() -> dict[tuple[int, bool], list[int]]:
        target = Q(user=user)
        if user.team_id is not None:
            target |= Q(team_id=user.team_id)
        found: dict[tuple[int, bool], list[int]] = {}
        rows = RecordShare.objects.filter(target).values_list(
            "content_type_id", "object_id", "access"
        )
        for content_type_id, object_id, access in rows:
            found.setdefault((content_type_id, False), []).append(object_id)
            if access == ShareAccess.EDIT:
                found.setdefault((content_type_id, True), []).append(object_id)
        return found

    return remembered(("shares", user.pk, user.team_id), read)


def _shared_ids(user: User, model: type[models.Model], *, edit: bool = False) -> list[int]:
    """Ids of `model` rows shared with the user or their team (remembered for the request)."""
    content_type = ContentType.objects.get_for_model(model)
    return list(_shares_of(user).get((content_type.pk, edit), []))


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


def can_see(user: AnyUser, obj: models.Model) -> bool:
    """Whether `user` may see `obj` (soft-deleted or not: callers say which they serve),
    asked once per request and record, like `can_edit`."""
    model = type(obj)
    return remembered(
        ("can_see", getattr(user, "pk", None), model._meta.label, obj.pk),
        lambda: visible(user, model._default_manager.filter(pk=obj.pk)).exists(),
    )


def can_edit(user: AnyUser, obj: models.Model) -> bool:
    """Whether `user` may edit `obj`: asked once per request and record (a record page asks
    for its header, its panels and its forms); any audited write forgets the answers."""
    model = type(obj)
    return remembered(
        ("can_edit", getattr(user, "pk", None), model._meta.label, obj.pk),
        lambda: editable(user, model._default_manager.filter(pk=obj.pk)).exists(),
    )


def assignable_owners(actor: AnyUser) -> QuerySet[User]:
    """The users `actor` may make the owner of a record (the choices of every owner field):
    the active ones and the people imported without an email."""
    users = User.objects.filter(can_own_q())
    if not isinstance(actor, User) or not _is_active_user(actor):
        return users.none()
    if actor.is_admin:
        return users
    return users.filter(pk__in=_owner_ids(actor))


def reassignable[M: models.Model](actor: AnyUser, queryset: QuerySet[M, Any]) -> QuerySet[M, Any]:
    """Narrow `queryset` to the rows whose owner `actor` may change: shares never count."""
    if not isinstance(actor, User) or not _is_active_user(actor):
        return queryset.none()
    field = owner_field(queryset.model)
    if actor.is_admin:
        return queryset
    return queryset.filter(**{f"{field}__in": _owner_ids(actor)})


def _owner_change_refusal(
    actor: AnyUser, record: models.Model | None, new_owner: User
) -> str | None:
    """Why `actor` may not make `new_owner` the owner of `record` (None: a new record)."""
    if not isinstance(actor, User) or not _is_active_user(actor):
        return "Sign in to change owners."
    if record is not None and record.pk is not None:
        # The stored owner, not the attribute: callers may already have set the new one.
        field = owner_field(type(record))
        rows = type(record)._base_manager.filter(pk=record.pk)
        current = rows.values_list(f"{field}_id", flat=True).first()
        if current == new_owner.pk:
            return None
        if not actor.is_admin and current not in _owner_ids(actor):
            return "Only the owner, their manager or an administrator can change the owner."
    if new_owner.pk == actor.pk:
        return None
    if not new_owner.is_active:
        return "That user is deactivated."
    if not assignable_owners(actor).filter(pk=new_owner.pk).exists():
        if actor.is_manager:
            return "You can only give records to yourself or to people in your teams."
        return "You can only give records to yourself."
    return None


def can_assign_owner(actor: AnyUser, record: models.Model | None, new_owner: User) -> bool:
    """Whether `actor` may make `new_owner` the owner of `record` (None: a new record)."""
    return _owner_change_refusal(actor, record, new_owner) is None


def check_owner_change(
    actor: User, record: models.Model | None, new_owner: User | None, *, field: str = "owner"
) -> User:
    """The owner to save: `new_owner`, or the actor when none is named ("leave empty for
    yourself"); raises `crm.errors.PermissionDenied` (403, on `field`) when the rule refuses."""
    if new_owner is None:
        new_owner = actor
    refusal = _owner_change_refusal(actor, record, new_owner)
    if refusal is not None:
        raise PermissionDenied(refusal, field=field)
    return new_owner
