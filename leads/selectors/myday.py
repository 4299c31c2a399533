"""What My day shows about leads: hot open leads and leads newly assigned to the rep."""

from datetime import timedelta

from django.db.models import F, QuerySet
from django.utils import timezone

from crm.models import User
from crm.visibility import visible
from leads.models import OPEN_STATUSES, Lead, LeadSettings, Temperature


def _rep(actor: User, rep: User | None) -> User:
    return rep if rep is not None else actor


def hot_leads_for_my_day(*, actor: User, rep: User | None = None, limit: int = 10) -> list[Lead]:
    """The rep's open hot leads, newest first (index lead_owner_temp_created)."""
    leads = visible(actor, Lead.objects.alive()).filter(
        owner=_rep(actor, rep), temperature=Temperature.HOT, status__in=OPEN_STATUSES
    )
    return list(leads.select_related("source").order_by("-created_at", "-id")[:limit])


def new_leads_query(*, actor: User, rep: User | None = None) -> QuerySet[Lead]:
    settings = LeadSettings.objects.filter(pk=1).first()
    days = settings.new_lead_days if settings else 7
    since = timezone.now() - timedelta(days=days)
    return visible(actor, Lead.objects.alive()).filter(
        owner=_rep(actor, rep),
        assigned_at__gte=since,
        assignment_seen_at__isnull=True,
    )


def new_leads_for_my_day(*, actor: User, rep: User | None = None, limit: int = 10) -> list[Lead]:
    """Leads assigned to the rep recently that they haven't opened, best score first (index
    lead_owner_unseen finds the few unseen ones; sorting them costs nothing)."""
    leads = new_leads_query(actor=actor, rep=rep).select_related("source")
    ordered = leads.order_by(F("score").desc(nulls_last=True), "-assigned_at", "-id")
    return list(ordered[:limit])
