"""Lifecycle: suspect → MQL → SQL → converted, or disqualified with a reason (and recycled
back to suspect). Every step is a `LeadTransition` row with who and when; "converted" is
reached only through `conversion.lead_convert`."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from crm.errors import Conflict, DomainError
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit
from crm.visibility import editable
from leads.models import Lead, LeadStatus, LeadTransition
from leads.services._common import lock_editable_lead

S = LeadStatus
ALLOWED: dict[str, set[str]] = {
    S.SUSPECT: {S.MQL, S.SQL, S.DISQUALIFIED},
    S.MQL: {S.SQL, S.SUSPECT, S.DISQUALIFIED},
    S.SQL: {S.MQL, S.DISQUALIFIED},
    S.DISQUALIFIED: {S.SUSPECT},
    S.CONVERTED: set(),
}


def allowed_next(lead: Lead) -> list[str]:
    """Statuses a person may move `lead` to from here (conversion has its own action)."""
    return [s for s in S.values if s in ALLOWED.get(lead.status, set())]


def record_transition(
    *, actor: User | None, lead: Lead, from_status: str, to_status: str, reason: str = ""
) -> LeadTransition:
    return LeadTransition.objects.create(
        lead=lead, from_status=from_status, to_status=to_status, actor=actor, reason=reason
    )


def _check(lead: Lead, to_status: str, reason: str) -> None:
    if to_status not in S.values:
        raise DomainError("Unknown status.", field="to_status")
    if to_status == S.CONVERTED:
        raise DomainError("Use Convert to turn a lead into an account, contact and deal.")
    if lead.status == S.CONVERTED:
        raise Conflict("This lead is already converted.")
    if to_status == lead.status:
        raise Conflict(f"The lead is already {lead.get_status_display()}.")
    if to_status not in ALLOWED[lead.status]:
        raise DomainError(
            f"A lead can't go from {S(lead.status).label} to {S(to_status).label}.",
            field="to_status",
        )
    if to_status == S.DISQUALIFIED and not reason.strip():
        raise DomainError("Say why the lead is disqualified.", field="reason")


def _apply(actor: User, lead: Lead, to_status: str, reason: str) -> Lead:
    _check(lead, to_status, reason)
    from_status = lead.status
    lead.status = to_status
    lead.disqualified_reason = reason.strip()[:200] if to_status == S.DISQUALIFIED else ""
    lead.save(update_fields=["status", "disqualified_reason", "updated_at"])
    record_transition(
        actor=actor, lead=lead, from_status=from_status, to_status=to_status, reason=reason[:200]
    )
    audit(
        actor=actor,
        obj=lead,
        action=AuditAction.UPDATE,
        changes={"status": [from_status, to_status], "reason": reason[:200]},
    )
    return lead


@transaction.atomic
def lead_transition(*, actor: User, lead: Lead, to_status: str, reason: str = "") -> Lead:
    lead = lock_editable_lead(actor, lead)
    return _apply(actor, lead, to_status, reason)


def lead_disqualify(*, actor: User, lead: Lead, reason: str) -> Lead:
    return lead_transition(actor=actor, lead=lead, to_status=S.DISQUALIFIED, reason=reason)


def lead_recycle(*, actor: User, lead: Lead, reason: str = "") -> Lead:
    if lead.status != S.DISQUALIFIED:
        raise Conflict("Only a disqualified lead can be recycled.")
    return lead_transition(actor=actor, lead=lead, to_status=S.SUSPECT, reason=reason)


@transaction.atomic
def leads_bulk_transition(
    *, actor: User, lead_ids: Iterable[int], to_status: str, reason: str = ""
) -> tuple[int, int]:
    """Move many leads; those that may not make the step are skipped. (done, skipped)."""
    if to_status == S.DISQUALIFIED and not reason.strip():
        raise DomainError("Say why the leads are disqualified.", field="reason")
    if to_status not in S.values or to_status == S.CONVERTED:
        raise DomainError("Choose a status to move the leads to.", field="to_status")
    ids = list(lead_ids)
    done = skipped = 0
    leads = editable(actor, Lead.objects.alive().filter(pk__in=ids)).select_for_update()
    for lead in leads.order_by("id"):
        if lead.status == to_status or to_status not in ALLOWED[lead.status]:
            skipped += 1
            continue
        _apply(actor, lead, to_status, reason)
        done += 1
    skipped += len(set(ids)) - done - skipped
    return done, skipped


def mark_converted(*, actor: User, lead: Lead) -> None:
    """Called by the conversion, inside its transaction, on a locked lead."""
    from_status = lead.status
    lead.status = S.CONVERTED
    lead.converted_at = timezone.now()
    record_transition(actor=actor, lead=lead, from_status=from_status, to_status=S.CONVERTED)
