"""Hot / warm / cold: from the stated buying timeframe and recent engagement (admin rules),
unless a person overrode it for one lead."""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from crm import events
from crm.errors import DomainError, PermissionDenied
from crm.events import update_and_announce
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit
from leads.models import OPEN_STATUSES, Lead, Temperature, TemperatureRule
from leads.services._common import lock_editable_lead

ORDER = [Temperature.COLD, Temperature.WARM, Temperature.HOT]


def rules_by_timeframe() -> dict[str, TemperatureRule]:
    return {rule.timeframe: rule for rule in TemperatureRule.objects.all()}


def computed_temperature(lead: Lead, rules: dict[str, TemperatureRule] | None = None) -> str:
    """What the rules say for `lead`, ignoring any override."""
    rules = rules_by_timeframe() if rules is None else rules
    rule = rules.get(lead.timeframe)
    if rule is None:
        return str(Temperature.COLD)
    level = ORDER.index(Temperature(rule.temperature))
    if (
        rule.engaged_within_days is not None
        and lead.last_activity_at is not None
        and lead.last_activity_at >= timezone.now() - timedelta(days=rule.engaged_within_days)
    ):
        level = min(level + 1, len(ORDER) - 1)
    return str(ORDER[level])


def apply_temperature(lead: Lead, rules: dict[str, TemperatureRule] | None = None) -> None:
    """Set `lead.temperature` from the rules unless overridden (no save)."""
    if not lead.temperature_overridden:
        lead.temperature = computed_temperature(lead, rules)


@transaction.atomic
def lead_set_temperature_override(
    *, actor: User, lead: Lead, temperature: str | None, reason: str = ""
) -> Lead:
    """Pin a temperature (recorded who/when/why) or, with None, go back to the rules."""
    lead = lock_editable_lead(actor, lead)
    before = {"temperature": lead.temperature, "overridden": lead.temperature_overridden}
    if temperature is None:
        lead.temperature_overridden = False
        lead.temperature_override_by = None
        lead.temperature_override_at = None
        lead.temperature_override_reason = ""
        lead.temperature = computed_temperature(lead)
    else:
        if temperature not in Temperature.values:
            raise DomainError("Choose hot, warm or cold.", field="temperature")
        if not reason.strip():
            raise DomainError("Say why you override the temperature.", field="reason")
        lead.temperature = temperature
        lead.temperature_overridden = True
        lead.temperature_override_by = actor
        lead.temperature_override_at = timezone.now()
        lead.temperature_override_reason = reason.strip()[:200]
    lead.save()
    audit(
        actor=actor,
        obj=lead,
        action=AuditAction.UPDATE,
        changes={
            "temperature": [before["temperature"], lead.temperature],
            "temperature_overridden": [before["overridden"], lead.temperature_overridden],
            "reason": lead.temperature_override_reason,
        },
    )
    return lead


@transaction.atomic
def temperature_rule_update(
    *, actor: User, rule: TemperatureRule, temperature: str, engaged_within_days: int | None
) -> TemperatureRule:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators edit temperature rules.")
    if temperature not in Temperature.values:
        raise DomainError("Choose hot, warm or cold.", field="temperature")
    rule = TemperatureRule.objects.select_for_update().get(pk=rule.pk)
    before = {"temperature": rule.temperature, "engaged_within_days": rule.engaged_within_days}
    rule.temperature = temperature
    rule.engaged_within_days = engaged_within_days
    rule.save()
    audit(
        actor=actor,
        obj=rule,
        action=AuditAction.UPDATE,
        changes={
            "temperature": [before["temperature"], temperature],
            "engaged_within_days": [before["engaged_within_days"], engaged_within_days],
        },
    )
    return rule


LAST_ACTIVITY_SQL = """
UPDATE leads_lead AS l SET last_activity_at = a.latest
FROM (
    SELECT lead_id, max(occurred_at) AS latest FROM crm_activity
    WHERE lead_id IS NOT NULL AND occurred_at >= now() - interval '3 days'
    GROUP BY lead_id
) AS a
WHERE l.id = a.lead_id AND (l.last_activity_at IS NULL OR l.last_activity_at < a.latest)
RETURNING l.id
"""


@transaction.atomic
def leads_refresh_last_activity() -> int:
    """Nightly safety net: each lead's last activity from the recent activity log."""
    with connection.cursor() as cursor:
        cursor.execute(LAST_ACTIVITY_SQL)
        ids = [row[0] for row in cursor.fetchall()]
    events.announce(Lead, ids, fields=["last_activity_at"])
    return len(ids)


def leads_recompute_temperature() -> int:
    """Nightly: re-derive every open, non-overridden lead's temperature. Returns rows changed.

    One UPDATE per (timeframe rule, engaged or not) pair, so a million leads take seconds.
    """
    changed = 0
    now = timezone.now()
    base = Lead.objects.alive().filter(status__in=OPEN_STATUSES, temperature_overridden=False)
    for timeframe, rule in rules_by_timeframe().items():
        level = ORDER.index(Temperature(rule.temperature))
        plain = str(ORDER[level])
        warmer = str(ORDER[min(level + 1, len(ORDER) - 1)])
        rows = base.filter(timeframe=timeframe)
        if rule.engaged_within_days is None:
            changed += update_and_announce(rows.exclude(temperature=plain), temperature=plain)
            continue
        engaged = Q(last_activity_at__gte=now - timedelta(days=rule.engaged_within_days))
        with transaction.atomic():
            changed += update_and_announce(
                rows.filter(engaged).exclude(temperature=warmer), temperature=warmer
            )
            changed += update_and_announce(
                rows.exclude(engaged).exclude(temperature=plain), temperature=plain
            )
    return changed
