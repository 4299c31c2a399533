"""Writing the audit log. Services call these inside their transaction."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from crm import events
from crm.models import AuditEntry, User
from crm.models.audit import AuditAction

# Audited actions that leave the record itself as it was.
NOT_A_CHANGE = frozenset({AuditAction.EXPORT, AuditAction.LOGIN})


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Concrete field values of `obj`, JSON-ready, for diffing before/after a write."""
    names = fields or [
        f.attname for f in obj._meta.concrete_fields if not getattr(f, "primary_key", False)
    ]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def audit(
    *,
    actor: User | None,
    obj: models.Model,
    action: AuditAction | str,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record the change and announce it (crm.events): every audited write is announced."""
    if action not in NOT_A_CHANGE:
        fields = list(changes or {}) if action == AuditAction.UPDATE else []
        events.announce(obj, [obj.pk], fields=fields, actor=actor)
    return AuditEntry.objects.create(
        actor=actor,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes=changes or {},
    )


def audit_update(
    *, actor: User | None, obj: models.Model, before: dict[str, Any], fields: Any = None
) -> dict[str, list[Any]]:
    """Audit what changed on `obj` since the `before` snapshot (of `fields`); nothing when
    nothing did. Returns the changes."""
    changes = diff(before, snapshot(obj, fields))
    if changes:
        audit(actor=actor, obj=obj, action=AuditAction.UPDATE, changes=changes)
    return changes
