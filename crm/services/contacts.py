"""Writes on contacts: create, update (consent changes are dated), soft delete, restore."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.errors import DomainError, PermissionDenied
from crm.models import Account, Contact, User
from crm.models.accounts import EmailConsent
from crm.models.audit import AuditAction
from crm.services.audit import audit, audit_update, diff, snapshot
from crm.services.custom_fields import clean_custom
from crm.services.external_ids import (
    check_external_id_free,
    clean_external_id,
    save_checking_external_id,
)
from crm.services.ownership import require_edit, visible_or_error
from crm.validators import check_email, check_phone
from crm.visibility import check_owner_change

CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "account_id",
    "owner_id",
    "preferred_channel",
    "email_consent",
    "consent_changed_at",
    "consent_source",
    "notes",
    "external_id",
    "custom",
)
EDITABLE = {
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "account",
    "owner",
    "preferred_channel",
    "email_consent",
    "consent_source",
    "notes",
    "external_id",
    "custom",
}


def _clean(actor: User, data: dict[str, Any], *, contact: Contact | None = None) -> dict[str, Any]:
    unknown = set(data) - EDITABLE
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    clean = dict(data)
    for name in ("first_name", "last_name", "title", "consent_source"):
        if name in clean:
            clean[name] = str(clean[name] or "").strip()
    if "last_name" in clean and not clean["last_name"]:
        raise DomainError("A contact needs a last name.", field="last_name")
    if "email" in clean:
        clean["email"] = check_email(str(clean["email"] or ""))
    if "phone" in clean:
        clean["phone"] = check_phone(str(clean["phone"] or ""))
    if clean.get("account") is not None:
        account = visible_or_error(actor, Account, clean["account"], field="account")
        if account.deleted_at is not None:
            raise DomainError("That account is deleted.", field="account")
        clean["account"] = account
    if "owner" in clean:
        clean["owner"] = check_owner_change(actor, contact, clean["owner"])
    if "external_id" in clean:
        clean["external_id"] = clean_external_id(clean["external_id"])
        check_external_id_free(
            Contact, clean["external_id"], exclude_pk=contact.pk if contact else None
        )
    if "custom" in clean or contact is None:
        clean["custom"] = clean_custom(
            "crm.Contact",
            clean.get("custom"),
            current=contact.custom if contact else None,
            creating=contact is None,
        )
    return clean


def _stamp_consent(actor: User, contact: Contact, clean: dict[str, Any], before: str) -> None:
    if "email_consent" in clean and clean["email_consent"] != before:
        contact.consent_changed_at = timezone.now()
        if not clean.get("consent_source"):
            contact.consent_source = f"Recorded by {actor.full_name}"[:120]


@transaction.atomic
def contact_create(*, actor: User, **data: Any) -> Contact:
    clean = _clean(actor, {"owner": None, **data})
    contact = Contact(**clean)
    if contact.email_consent != EmailConsent.UNKNOWN:
        _stamp_consent(actor, contact, clean, EmailConsent.UNKNOWN)
    save_checking_external_id(contact)
    audit(
        actor=actor,
        obj=contact,
        action=AuditAction.CREATE,
        changes=diff({}, snapshot(contact, CONTACT_FIELDS)),
    )
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, data: dict[str, Any]) -> Contact:
    contact = Contact.objects.alive().select_for_update().get(pk=contact.pk)
    require_edit(actor, contact)
    if contact.erased_at is not None:
        raise DomainError("This contact's personal data was erased; it can't be edited.")
    clean = _clean(actor, data, contact=contact)
    before = snapshot(contact, CONTACT_FIELDS)
    previous_consent = contact.email_consent
    for name, value in clean.items():
        setattr(contact, name, value)
    _stamp_consent(actor, contact, clean, previous_consent)
    save_checking_external_id(contact)
    audit_update(actor=actor, obj=contact, before=before, fields=CONTACT_FIELDS)
    return contact


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact) -> Contact:
    contact = Contact.objects.alive().select_for_update().get(pk=contact.pk)
    require_edit(actor, contact)
    contact.deleted_at = timezone.now()
    contact.save(update_fields=["deleted_at", "updated_at"])
    audit(actor=actor, obj=contact, action=AuditAction.DELETE)
    return contact


@transaction.atomic
def contact_restore(*, actor: User, contact: Contact) -> Contact:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can restore deleted contacts.")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.deleted_at is None:
        return contact
    contact.deleted_at = None
    contact.save(update_fields=["deleted_at", "updated_at"])
    audit(actor=actor, obj=contact, action=AuditAction.RESTORE)
    return contact
