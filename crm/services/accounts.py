"""Writes on accounts: create, update, soft delete (deciding what happens to contacts), restore."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.errors import Conflict, DomainError, PermissionDenied
from crm.events import update_and_announce
from crm.models import Account, Contact, User
from crm.models.audit import AuditAction
from crm.services.audit import audit, audit_update, diff, snapshot
from crm.services.custom_fields import clean_custom
from crm.services.external_ids import (
    check_external_id_free,
    clean_external_id,
    external_id_conflict,
    is_external_id_clash,
)
from crm.services.ownership import require_edit, visible_or_error
from crm.validators import normalise_domain
from crm.visibility import check_owner_change, editable

ACCOUNT_FIELDS = (
    "name",
    "domain",
    "website",
    "industry",
    "employee_count",
    "annual_revenue",
    "region",
    "country",
    "address",
    "parent_id",
    "owner_id",
    "segment",
    "relationship",
    "customer_since",
    "churned_at",
    "external_id",
    "custom",
)
EDITABLE = {"parent", "owner"} | (set(ACCOUNT_FIELDS) - {"parent_id", "owner_id"})


class DuplicateDomain(Conflict):
    """Another live account has the domain; `details["existing"]` is that account."""


def _domain_from(data: dict[str, Any]) -> str:
    domain = str(data.get("domain") or "")
    if not domain and data.get("website"):
        try:
            return normalise_domain(str(data["website"]))
        except DomainError:
            return ""
    return normalise_domain(domain)


def _check_domain_free(domain: str, *, exclude_pk: int | None = None) -> None:
    if not domain:
        return
    others = Account.objects.alive().filter(domain=domain)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    existing = others.first()
    if existing is not None:
        raise DuplicateDomain(
            f"{domain} already belongs to the account “{existing.name}”.",
            field="domain",
            existing=existing,
        )


def _clean(actor: User, data: dict[str, Any], *, account: Account | None = None) -> dict[str, Any]:
    unknown = set(data) - EDITABLE
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    clean = dict(data)
    if "name" in clean:
        clean["name"] = str(clean["name"] or "").strip()
        if not clean["name"]:
            raise DomainError("Give the account a name.", field="name")
    if "domain" in clean or ("website" in clean and account is None):
        clean["domain"] = _domain_from(clean)
    if clean.get("parent") is not None:
        parent = visible_or_error(actor, Account, clean["parent"], field="parent")
        if account is not None and _is_descendant(parent, account):
            raise DomainError("An account can't be its own parent.", field="parent")
        clean["parent"] = parent
    if "owner" in clean:
        clean["owner"] = check_owner_change(actor, account, clean["owner"])
    if "external_id" in clean:
        clean["external_id"] = clean_external_id(clean["external_id"])
        check_external_id_free(
            Account, clean["external_id"], exclude_pk=account.pk if account else None
        )
    if "custom" in clean or account is None:
        clean["custom"] = clean_custom(
            "crm.Account",
            clean.get("custom"),
            current=account.custom if account else None,
            creating=account is None,
        )
    return clean


def _is_descendant(candidate: Account, account: Account) -> bool:
    """True when `candidate` is `account` or sits below it (walks up, bounded)."""
    node: Account | None = candidate
    for _ in range(50):
        if node is None:
            return False
        if node.pk == account.pk:
            return True
        node = node.parent
    return True


@transaction.atomic
def account_create(*, actor: User, **data: Any) -> Account:
    clean = _clean(actor, {"owner": None, **data})
    _check_domain_free(clean.get("domain", ""))
    try:
        with transaction.atomic():
            account = Account.objects.create(**clean)
    except IntegrityError as exc:  # a concurrent create with the same domain or external id
        if is_external_id_clash(exc):
            raise external_id_conflict(Account, clean["external_id"]) from exc
        _check_domain_free(clean.get("domain", ""))
        raise Conflict("An account with this domain already exists.", field="domain") from exc
    audit(
        actor=actor,
        obj=account,
        action=AuditAction.CREATE,
        changes=diff({}, snapshot(account, ACCOUNT_FIELDS)),
    )
    return account


@transaction.atomic
def account_update(*, actor: User, account: Account, data: dict[str, Any]) -> Account:
    account = Account.objects.alive().select_for_update().get(pk=account.pk)
    require_edit(actor, account)
    clean = _clean(actor, data, account=account)
    if "domain" in clean:
        _check_domain_free(clean["domain"], exclude_pk=account.pk)
    before = snapshot(account, ACCOUNT_FIELDS)
    for name, value in clean.items():
        setattr(account, name, value)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        if is_external_id_clash(exc):
            raise external_id_conflict(Account, account.external_id) from exc
        raise Conflict("An account with this domain already exists.", field="domain") from exc
    audit_update(actor=actor, obj=account, before=before, fields=ACCOUNT_FIELDS)
    return account


class ContactsPlan:
    KEEP = "keep"  # keep the contacts, no longer linked to an account
    MOVE = "move"  # move them to another account
    DELETE = "delete"  # delete them too (restored with the account)
    CHOICES = (
        (KEEP, "Keep them, without an account"),
        (MOVE, "Move them to another account"),
        (DELETE, "Delete them too"),
    )


def _require_contacts_editable(actor: User, linked: Any, count: int) -> None:
    """Deleting an account changes each of its contacts (detached, moved or deleted): the
    actor must be allowed to edit every one of them, else nothing happens."""
    blocked = linked.exclude(pk__in=editable(actor, Contact.objects.all()).values("pk"))
    names = [
        f"{first} {last}".strip()
        for first, last in blocked.values_list("first_name", "last_name")[:6]
    ]
    if not names:
        return
    more = len(names) - 5
    listed = ", ".join(names[:5]) + (" and others" if more > 0 else "")
    raise PermissionDenied(
        f"{count} contact(s) belong to this account, and you may not change some of them "
        f"({listed}). Ask their owner or an administrator to move them first."
    )


@transaction.atomic
def account_delete(
    *, actor: User, account: Account, contacts: str | None = None, move_to: Any = None
) -> Account:
    """Soft delete. Contacts are never dropped silently: when the account has any, the caller
    must say what happens to them (`ContactsPlan`)."""
    account = Account.objects.alive().select_for_update().get(pk=account.pk)
    require_edit(actor, account)
    linked = Contact.objects.alive().filter(account=account)
    contact_ids = list(linked.values_list("pk", flat=True))
    now = timezone.now()
    target: Account | None = None
    if contact_ids:
        _require_contacts_editable(actor, linked, len(contact_ids))
        if contacts == ContactsPlan.MOVE:
            target = visible_or_error(actor, Account, move_to, field="move_to")
            if target is None or target.pk == account.pk or target.deleted_at is not None:
                raise DomainError("Pick another account to move the contacts to.", field="move_to")
            require_edit(actor, target)
            update_and_announce(linked, actor=actor, account=target, updated_at=now)
        elif contacts == ContactsPlan.DELETE:
            update_and_announce(linked, actor=actor, deleted_at=now, updated_at=now)
        elif contacts == ContactsPlan.KEEP:
            update_and_announce(linked, actor=actor, account=None, updated_at=now)
        else:
            raise DomainError(
                f"The account has {len(contact_ids)} contact(s): say whether to keep them "
                "without an account, move them to another account, or delete them too.",
                field="contacts",
            )
    account.deleted_at = now
    account.save(update_fields=["deleted_at", "updated_at"])
    audit(
        actor=actor,
        obj=account,
        action=AuditAction.DELETE,
        changes={
            "contacts": contacts if contact_ids else "none",
            "contact_ids": contact_ids,
            "moved_to": target.pk if target else None,
        },
    )
    return account


@transaction.atomic
def account_restore(*, actor: User, account: Account) -> Account:
    """Admins bring a deleted account back, with the contacts deleted together with it."""
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can restore deleted accounts.")
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.deleted_at is None:
        return account
    _check_domain_free(account.domain, exclude_pk=account.pk)
    restored = update_and_announce(
        Contact.objects.filter(account=account, deleted_at=account.deleted_at),
        actor=actor,
        deleted_at=None,
    )
    account.deleted_at = None
    account.save(update_fields=["deleted_at", "updated_at"])
    audit(
        actor=actor,
        obj=account,
        action=AuditAction.RESTORE,
        changes={"contacts_restored": restored},
    )
    return account
