"""Admins enter, change and remove spend rows (audited)."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from crm.errors import Conflict, DomainError, PermissionDenied
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit, audit_update, snapshot
from leads.models import LeadSource

from .models import SourceSpend

FIELDS = ("source_id", "month", "marketing", "sales", "note")


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only admins enter marketing and sales spend.")


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation as exc:
        raise DomainError("Give an amount.", field=field) from exc
    if amount < 0 or amount >= Decimal("1e14"):
        raise DomainError("An amount of 0 or more.", field=field)
    return amount.quantize(Decimal("0.01"))


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    source = values.get("source")
    if not isinstance(source, LeadSource):
        raise DomainError("Choose a lead source.", field="source")
    month = values.get("month")
    if not isinstance(month, date):
        raise DomainError("Give the month.", field="month")
    return {
        "source": source,
        "month": month.replace(day=1),
        "marketing": _money(values.get("marketing"), "marketing"),
        "sales": _money(values.get("sales"), "sales"),
        "note": str(values.get("note") or "")[:200],
    }


@transaction.atomic
def spend_create(*, actor: User, **values: Any) -> SourceSpend:
    _require_admin(actor)
    clean = _clean(values)
    if SourceSpend.objects.filter(source=clean["source"], month=clean["month"]).exists():
        raise Conflict("That source already has spend for that month: change it.", field="month")
    row = SourceSpend.objects.create(updated_by=actor, **clean)
    audit(actor=actor, obj=row, action=AuditAction.CREATE, changes=snapshot(row, FIELDS))
    return row


@transaction.atomic
def spend_update(*, actor: User, spend: SourceSpend, **values: Any) -> SourceSpend:
    _require_admin(actor)
    current = {
        "source": spend.source,
        "month": spend.month,
        "marketing": spend.marketing,
        "sales": spend.sales,
        "note": spend.note,
    }
    clean = _clean({**current, **values})
    clash = SourceSpend.objects.filter(source=clean["source"], month=clean["month"])
    if clash.exclude(pk=spend.pk).exists():
        raise Conflict("That source already has spend for that month.", field="month")
    before = snapshot(spend, FIELDS)
    for name, value in clean.items():
        setattr(spend, name, value)
    spend.updated_by = actor
    spend.save()
    audit_update(actor=actor, obj=spend, before=before, fields=FIELDS)
    return spend


@transaction.atomic
def spend_delete(*, actor: User, spend: SourceSpend) -> None:
    _require_admin(actor)
    audit(actor=actor, obj=spend, action=AuditAction.DELETE, changes=snapshot(spend, FIELDS))
    spend.delete()
