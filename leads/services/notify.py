"""Telling a rep a lead is theirs: an in-app notification, in the same transaction as the
assignment (so there is never an assignment without its notification, or the reverse)."""

from django.urls import reverse

from crm.models import User
from crm.services.notifications import notification_create
from leads.models import Lead


def notify_assigned(*, owner: User, lead: Lead, actor: User | None) -> None:
    if actor is not None and owner.pk == actor.pk:
        return
    notification_create(
        user=owner,
        text=f"New lead assigned to you: {lead}",
        link=reverse("leads:detail", args=[lead.pk]),
    )
