"""Creating and editing leads: quick add, full form, API. Web-to-lead lives in webtolead.py."""

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.errors import Conflict, DomainError
from crm.events import update_and_announce
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit, audit_update, diff, snapshot
from crm.services.custom_fields import clean_custom
from crm.services.external_ids import (
    check_external_id_free,
    external_id_conflict,
    is_external_id_clash,
)
from crm.validators import check_email, check_phone
from crm.visibility import check_owner_change, visible
from leads.models import Lead, LeadSource, Timeframe
from leads.services._common import LEAD_FIELDS, lock_editable_lead
from leads.services.assignment import pick_owner
from leads.services.notify import notify_assigned
from leads.services.temperature import apply_temperature

EDITABLE = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "website",
    "industry",
    "employee_count",
    "country",
    "region",
    "source",
    "campaign",
    "timeframe",
    "budget",
    "notes",
    "external_id",
}
TEXT_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "company": 200,
    "title": 120,
    "website": 253,
    "industry": 100,
    "country": 100,
    "region": 100,
    "campaign": 120,
    "external_id": 100,
}


class DuplicateEmail(Conflict):
    """A live lead already has this email; `details["existing_id"]` when the actor sees it."""


def clean_lead_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - EDITABLE
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    clean = dict(data)
    for name, limit in TEXT_LIMITS.items():
        if name in clean:
            value = str(clean[name] or "").strip()
            if len(value) > limit:
                raise DomainError(f"At most {limit} characters.", field=name)
            clean[name] = value
    if "email" in clean:
        clean["email"] = check_email(str(clean["email"] or ""))
    if "phone" in clean:
        clean["phone"] = check_phone(str(clean["phone"] or ""))
    if "notes" in clean:
        clean["notes"] = str(clean["notes"] or "")
    if "timeframe" in clean:
        clean["timeframe"] = clean["timeframe"] or Timeframe.UNKNOWN
        if clean["timeframe"] not in Timeframe.values:
            raise DomainError("Choose a timeframe from the list.", field="timeframe")
    if clean.get("budget") is not None:
        budget = Decimal(str(clean["budget"]))
        if budget < 0:
            raise DomainError("A budget can't be negative.", field="budget")
        clean["budget"] = budget
    employees = clean.get("employee_count")
    if employees is not None and int(employees) < 0:
        raise DomainError("Employee count can't be negative.", field="employee_count")
    source = clean.get("source")
    if source is not None and not isinstance(source, LeadSource):
        found = LeadSource.objects.filter(pk=source).first()
        if found is None:
            raise DomainError("Choose a source from the list.", field="source")
        clean["source"] = found
    return clean


IDENTITY_MESSAGE = "A lead needs a name, a company, an email, a phone number or an external id."


IDENTITY_FIELDS = ("first_name", "last_name", "company", "email", "phone")


def has_identity(values: Any) -> bool:
    """Whether a lead (or a dict of its fields) names anyone: marketing exports are often
    anonymous but carry an email or a phone, and that is enough to work the lead."""

    def get(name: str) -> Any:
        return values.get(name) if isinstance(values, dict) else getattr(values, name, "")

    return any(get(name) for name in (*IDENTITY_FIELDS, "external_id"))


def _require_identity(lead: Lead) -> None:
    if not has_identity(lead):
        raise DomainError(IDENTITY_MESSAGE, field="last_name")


def _duplicate_email(actor: User | None, email: str) -> DuplicateEmail:
    existing = Lead.objects.alive().with_email(email.strip().lower()).first()
    existing_id = None
    if existing is not None and actor is not None:
        existing_id = (
            visible(actor, Lead.objects.filter(pk=existing.pk)).values_list("pk", flat=True).first()
        )
    return DuplicateEmail(
        "A lead with this email already exists.", field="email", existing_id=existing_id
    )


def save_new_lead(lead: Lead, actor: User | None) -> Lead:
    """INSERT under a savepoint; the unique index turns a concurrent double-create into a 409."""
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError as exc:
        if "lead_email_unique" in str(exc):
            raise _duplicate_email(actor, lead.email) from exc
        if is_external_id_clash(exc):
            raise external_id_conflict(Lead, lead.external_id) from exc
        raise
    return lead


@transaction.atomic
def lead_create(
    *,
    actor: User,
    owner: User | None = None,
    assign_by_rules: bool = False,
    **data: Any,
) -> Lead:
    """A new lead owned by `owner` (default: the actor), or by the assignment rules."""
    custom = data.pop("custom", None)
    clean = clean_lead_data(data)
    lead = Lead(**clean)
    lead.custom = clean_custom("leads.Lead", custom, creating=True)
    _require_identity(lead)
    if lead.email and Lead.objects.alive().with_email(lead.email.lower()).exists():
        raise _duplicate_email(actor, lead.email)
    check_external_id_free(Lead, lead.external_id)
    rule = None
    if assign_by_rules:
        chosen, rule = pick_owner(lead)
    else:
        chosen = check_owner_change(actor, None, owner)
    lead.owner = chosen
    if chosen.pk != actor.pk:
        lead.assigned_at = timezone.now()
    apply_temperature(lead)
    save_new_lead(lead, actor)
    audit(
        actor=actor,
        obj=lead,
        action=AuditAction.CREATE,
        changes={**diff({}, snapshot(lead, LEAD_FIELDS)), "rule": rule.pk if rule else None},
    )
    if chosen.pk != actor.pk:
        notify_assigned(owner=chosen, lead=lead, actor=actor)
    return lead


@transaction.atomic
def lead_update(*, actor: User, lead: Lead, data: dict[str, Any]) -> Lead:
    lead = lock_editable_lead(actor, lead)
    before = snapshot(lead, LEAD_FIELDS)
    owner = data.pop("owner", None) if "owner" in data else None
    custom = data.pop("custom") if "custom" in data else None
    clean = clean_lead_data(data)
    for key, value in clean.items():
        setattr(lead, key, value)
    if custom is not None:
        lead.custom = clean_custom("leads.Lead", custom, current=lead.custom)
    _require_identity(lead)
    if (
        "email" in clean
        and lead.email
        and Lead.objects.alive().with_email(lead.email.lower()).exclude(pk=lead.pk).exists()
    ):
        raise _duplicate_email(actor, lead.email)
    if "external_id" in clean:
        check_external_id_free(Lead, lead.external_id, exclude_pk=lead.pk)
    moved_to: User | None = None
    if owner is not None and owner.pk != lead.owner_id:
        moved_to = check_owner_change(actor, lead, owner)
        lead.owner = moved_to
        lead.assigned_at = timezone.now()
        lead.assignment_seen_at = None
    apply_temperature(lead)
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError as exc:
        if "lead_email_unique" in str(exc):
            raise _duplicate_email(actor, lead.email) from exc
        if is_external_id_clash(exc):
            raise external_id_conflict(Lead, lead.external_id) from exc
        raise
    audit_update(actor=actor, obj=lead, before=before, fields=LEAD_FIELDS)
    if moved_to is not None:
        notify_assigned(owner=moved_to, lead=lead, actor=actor)
    return lead


def lead_mark_seen(*, actor: User, lead: Lead) -> None:
    """The owner opened a newly assigned lead: it leaves "new for you" on My day."""
    if lead.owner_id == actor.pk and lead.assigned_at and lead.assignment_seen_at is None:
        update_and_announce(
            Lead.objects.filter(pk=lead.pk, assignment_seen_at__isnull=True),
            actor=actor,
            assignment_seen_at=timezone.now(),
        )
