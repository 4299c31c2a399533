"""Administrators' writes on lead configuration: sources and web forms."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from crm.errors import Conflict, DomainError, PermissionDenied
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit, diff, snapshot
from leads.models import LeadSource, WebForm

WEBFORM_FIELDS = ("name", "source_id", "campaign", "allowed_origins", "redirect_url", "is_active")


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators change lead settings.")


def _check_origins(text: str) -> str:
    lines = [line.strip().rstrip("/") for line in text.splitlines() if line.strip()]
    for line in lines:
        if not line.startswith(("https://", "http://")) or "/" in line.split("://", 1)[1]:
            raise DomainError(
                f"“{line}” is not an origin like https://www.example.com.",
                field="allowed_origins",
            )
    return "\n".join(lines)


@transaction.atomic
def webform_create(*, actor: User, **data: Any) -> WebForm:
    _require_admin(actor)
    if not str(data.get("name") or "").strip():
        raise DomainError("Name the form.", field="name")
    data["allowed_origins"] = _check_origins(str(data.get("allowed_origins") or ""))
    form = WebForm.objects.create(created_by=actor, **data)
    audit(actor=actor, obj=form, action=AuditAction.CREATE, changes=snapshot(form, WEBFORM_FIELDS))
    return form


@transaction.atomic
def webform_update(*, actor: User, form: WebForm, data: dict[str, Any]) -> WebForm:
    _require_admin(actor)
    form = WebForm.objects.select_for_update().get(pk=form.pk)
    before = snapshot(form, WEBFORM_FIELDS)
    if "allowed_origins" in data:
        data["allowed_origins"] = _check_origins(str(data["allowed_origins"] or ""))
    for key, value in data.items():
        setattr(form, key, value)
    form.save()
    audit(
        actor=actor,
        obj=form,
        action=AuditAction.UPDATE,
        changes=diff(before, snapshot(form, WEBFORM_FIELDS)),
    )
    return form


@transaction.atomic
def lead_source_save(
    *, actor: User, source: LeadSource | None = None, data: dict[str, Any]
) -> LeadSource:
    _require_admin(actor)
    name = str(data.get("name") or "").strip()
    if not name:
        raise DomainError("Name the source.", field="name")
    data["slug"] = slugify(data.get("slug") or name)[:80]
    target = source or LeadSource()
    before = snapshot(target) if source else {}
    for key, value in data.items():
        setattr(target, key, value)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise Conflict("A source with this name already exists.", field="name") from exc
    audit(
        actor=actor,
        obj=target,
        action=AuditAction.UPDATE if source else AuditAction.CREATE,
        changes=diff(before, snapshot(target)),
    )
    return target
