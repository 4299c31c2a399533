"""Checks every create/update of an owned record shares: edit rights and linked records.

Who may be made the owner of a record is `crm.visibility.check_owner_change`."""

from typing import Any

from django.db import models

from crm.errors import DomainError, PermissionDenied
from crm.models import User
from crm.visibility import can_edit, visible

NOT_VISIBLE = "No such record, or you can't see it."


def require_edit(actor: User, obj: models.Model) -> None:
    if not can_edit(actor, obj):
        raise PermissionDenied("You can view this record but not change it.")


def visible_or_error(actor: User, model: type[models.Model], pk: Any, *, field: str) -> Any:
    """The record `pk` of `model` if `actor` may see it; a field error naming `field` if not."""
    if pk is None:
        return None
    found = visible(actor, model._default_manager.filter(pk=getattr(pk, "pk", pk))).first()
    if found is None:
        raise DomainError(NOT_VISIBLE, field=field)
    return found
