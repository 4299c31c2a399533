"""Saved list views of the signed-in user."""

from django.db.models import QuerySet

from crm.models import SavedView, User


def saved_views_for(*, actor: User, kind: str) -> QuerySet[SavedView]:
    """Only the user's own views: saved filters are personal."""
    return SavedView.objects.filter(user=actor, kind=kind).order_by("name", "id")
