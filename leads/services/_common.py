"""Helpers the lead services share: permission checks and the audited field set."""

from django.db.models import Q

from crm.errors import NotFound, PermissionDenied
from crm.models import Role, User
from crm.visibility import editable, subtree_user_ids, visible
from leads.models import Lead

LEAD_FIELDS = (
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
    "source_id",
    "campaign",
    "owner_id",
    "status",
    "disqualified_reason",
    "timeframe",
    "temperature",
    "temperature_overridden",
    "budget",
    "notes",
    "external_id",
    "custom",
)


def lock_editable_lead(actor: User, lead: Lead) -> Lead:
    """Re-read `lead` under a row lock; 404 when hidden, 403 when read-only for `actor`."""
    if not visible(actor, Lead.objects.alive().filter(pk=lead.pk)).exists():
        raise NotFound("This lead doesn't exist or isn't visible to you.")
    locked = editable(actor, Lead.objects.alive().filter(pk=lead.pk)).select_for_update().first()
    if locked is None:
        raise PermissionDenied("You can view this lead but not change it.")
    return locked


def can_own(actor: User, owner: User) -> bool:
    """Whether `actor` may make `owner` the owner of a lead."""
    if not owner.is_active:
        return False
    if actor.role == Role.ADMIN or owner.pk == actor.pk:
        return True
    if actor.role == Role.MANAGER:
        return User.objects.filter(Q(pk=owner.pk) & Q(pk__in=subtree_user_ids(actor))).exists()
    return False


def require_can_own(actor: User, owner: User) -> None:
    if not can_own(actor, owner):
        raise PermissionDenied(
            "You can only give leads to yourself or to reps in your teams.", field="owner"
        )
