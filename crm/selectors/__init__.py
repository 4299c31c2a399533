"""Reads for the core: people, teams and the audit log."""

from datetime import datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from crm.models import AuditEntry, Team, User
from crm.visibility import visible


def user_list(*, actor: User, search: str = "", include_inactive: bool = False) -> QuerySet[User]:
    users = visible(actor, User.objects.select_related("team"))
    if not include_inactive:
        users = users.filter(is_active=True)
    if search:
        users = users.filter(
            Q(email__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    return users.order_by("-is_active", "first_name", "last_name", "id")


def team_list(*, actor: User) -> QuerySet[Team]:
    return visible(actor, Team.objects.select_related("manager", "parent")).annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    )


def audit_list(*, actor: User, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """Admins only (the view enforces it); newest first, keyset-paginated by the caller."""
    entries = AuditEntry.objects.select_related("actor", "content_type")
    if filters.get("actor"):
        entries = entries.filter(actor=filters["actor"])
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    if filters.get("object_type"):
        entries = entries.filter(content_type=filters["object_type"])
    if filters.get("object_id"):
        entries = entries.filter(object_id=str(filters["object_id"]).strip())
    tz = timezone.get_current_timezone()
    if filters.get("since"):
        entries = entries.filter(created_at__gte=datetime.combine(filters["since"], time.min, tz))
    if filters.get("until"):
        entries = entries.filter(created_at__lte=datetime.combine(filters["until"], time.max, tz))
    return entries.order_by("-created_at", "-id")
