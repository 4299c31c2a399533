"""Helpers the lead services share: permission checks and the audited field set."""

from crm.errors import NotFound, PermissionDenied
from crm.models import User
from crm.visibility import editable, visible
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
