"""The reporting settings: read as their defaults until an admin saves them (reads never
write), changed by an audited service."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.errors import DomainError, PermissionDenied
from crm.models import User
from crm.services.audit import audit_update, snapshot

from .models import Board, BoardAudience, ReportingSettings

FIELDS = (
    "leaderboard_min_deals",
    "revenue_audience",
    "attainment_audience",
    "activity_audience",
    "improvement_audience",
    "streak_weeks",
    "gross_margin_percent",
)


def reporting_settings() -> ReportingSettings:
    return ReportingSettings.objects.filter(pk=1).first() or ReportingSettings(pk=1)


@transaction.atomic
def reporting_settings_update(*, actor: User, **values: Any) -> ReportingSettings:
    """Admins change who sees which board, the minimum deals, the streak and the margin."""
    if not actor.is_admin:
        raise PermissionDenied("Only admins change the reporting settings.")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise DomainError(f"Unknown setting {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    for board in Board.values:
        audience = values.get(f"{board}_audience")
        if audience is not None and audience not in BoardAudience.values:
            raise DomainError("Choose everyone, managers or team.", field=f"{board}_audience")
    if "leaderboard_min_deals" in values and not 0 <= int(values["leaderboard_min_deals"]) <= 100:
        raise DomainError("Between 0 and 100 deals.", field="leaderboard_min_deals")
    if "streak_weeks" in values and not 2 <= int(values["streak_weeks"]) <= 52:
        raise DomainError("Between 2 and 52 weeks.", field="streak_weeks")
    if "gross_margin_percent" in values:
        margin = Decimal(str(values["gross_margin_percent"]))
        if not Decimal(0) < margin <= Decimal(100):
            raise DomainError("A margin above 0 and at most 100 %.", field="gross_margin_percent")
        values["gross_margin_percent"] = margin
    row, _ = ReportingSettings.objects.select_for_update().get_or_create(pk=1)
    before = snapshot(row, FIELDS)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = timezone.now()
    row.updated_by = actor
    row.save()
    audit_update(actor=actor, obj=row, before=before, fields=FIELDS)
    return row
