"""Who may own what: the checks every create/update of an owned record shares."""

from typing import Any

from django.db import models

from crm.errors import NotFound, PermissionDenied
from crm.models import User
from crm.visibility import can_edit, subtree_user_ids, visible


def check_owner(*, actor: User, owner: User | None) -> User:
    """Admins assign to anyone active, managers to their subtree, reps only to themselves."""
    if owner is None or owner.pk == actor.pk:
        return actor
    if not owner.is_active:
        raise PermissionDenied("That user is deactivated.", field="owner")
    if actor.is_admin:
        return owner
    if actor.is_manager and subtree_user_ids(actor).filter(pk=owner.pk).exists():
        return owner
    raise PermissionDenied("You can't give records to that user.", field="owner")


def require_edit(actor: User, obj: models.Model) -> None:
    if not can_edit(actor, obj):
        raise PermissionDenied("You can view this record but not change it.")


def visible_or_error(actor: User, model: type[models.Model], pk: Any, *, field: str) -> Any:
    """The record `pk` of `model` if `actor` may see it; a field error naming `field` if not."""
    if pk is None:
        return None
    found = visible(actor, model._default_manager.filter(pk=getattr(pk, "pk", pk))).first()
    if found is None:
        raise NotFound("No such record, or you can't see it.", field=field)
    return found
