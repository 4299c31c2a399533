"""Reads for accounts and contacts: the lists with their filters, and export rows."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from crm.models import Account, Contact, User
from crm.models.accounts import EmailConsent
from crm.models.soft_delete import SoftDeleteQuerySet
from crm.search import filter_words
from crm.visibility import visible


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool

    @property
    def ordering(self) -> tuple[str, str]:
        return (f"-{self.field}" if self.descending else self.field, "id")


def sort_from(sorts: dict[str, Sort], filters: dict[str, Any], default: str = "name") -> Sort:
    """The list's sort named in `filters`, else the list's default (by name)."""
    return sorts.get(filters.get("sort") or default, sorts[default])


ACCOUNT_SORTS = {
    "name": Sort("name", False),
    "-name": Sort("name", True),
    "created": Sort("created_at", False),
    "-created": Sort("created_at", True),
}
CONTACT_SORTS = {
    "name": Sort("last_name", False),
    "-name": Sort("last_name", True),
    "created": Sort("created_at", False),
    "-created": Sort("created_at", True),
}


def _deleted_scope[S: SoftDeleteQuerySet[Any]](actor: User, rows: S, deleted: bool) -> S:
    if deleted and actor.is_admin:
        return rows.deleted()
    return rows.alive()


def account_list(*, actor: User, filters: dict[str, Any] | None = None) -> QuerySet[Account]:
    """Accounts `actor` may see, narrowed by the list filters (see AccountFilterForm)."""
    filters = filters or {}
    rows = visible(
        actor,
        _deleted_scope(
            actor, Account.objects.select_related("owner", "parent"), bool(filters.get("deleted"))
        ),
    )
    if q := str(filters.get("q") or "").strip():
        rows = filter_words(rows, q)
    if filters.get("owner"):
        rows = rows.filter(owner=filters["owner"])
    for name in ("segment", "relationship"):
        if filters.get(name):
            rows = rows.filter(**{name: filters[name]})
    for name in ("industry", "country", "region"):
        if value := str(filters.get(name) or "").strip():
            rows = rows.filter(**{name: value})
    return rows


def contact_list(*, actor: User, filters: dict[str, Any] | None = None) -> QuerySet[Contact]:
    """Contacts `actor` may see, narrowed by the list filters (see ContactFilterForm)."""
    filters = filters or {}
    rows = visible(
        actor,
        _deleted_scope(
            actor, Contact.objects.select_related("owner", "account"), bool(filters.get("deleted"))
        ),
    )
    if q := str(filters.get("q") or "").strip():
        rows = filter_words(rows, q)
    if filters.get("account"):
        rows = rows.filter(account=filters["account"])
    if filters.get("owner"):
        rows = rows.filter(owner=filters["owner"])
    if filters.get("consent"):
        rows = rows.filter(email_consent=filters["consent"])
    return rows


def mailing_list(*, actor: User, filters: dict[str, Any] | None = None) -> QuerySet[Contact]:
    """Contacts fit for a mailing: an email address, not opted out, not erased."""
    return (
        contact_list(actor=actor, filters={**(filters or {}), "deleted": False})
        .exclude(email="")
        .exclude(email_consent=EmailConsent.OPT_OUT)
        .filter(erased_at__isnull=True)
    )


def account_choices(*, actor: User) -> QuerySet[Account]:
    """Live accounts `actor` may pick as a parent or a contact's company."""
    return visible(actor, Account.objects.alive()).only("id", "name")


def colleague_choices(*, actor: User) -> QuerySet[User]:
    """Active users to assign or share with."""
    return visible(actor, User.objects.filter(is_active=True)).only(
        "id", "first_name", "last_name", "email"
    )
