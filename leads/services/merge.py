"""Merging a duplicate lead into another: pick each field's value, move activities and
tasks, keep the loser (soft-deleted) and snapshots so an administrator can undo it."""

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone

from crm.errors import Conflict, DomainError, PermissionDenied
from crm.events import update_and_announce
from crm.models import Activity, Task, User
from crm.models.audit import AuditAction
from crm.services.audit import audit, snapshot
from crm.visibility import check_owner_change
from leads.models import Lead, LeadMerge, LeadStatus
from leads.services._common import lock_editable_lead
from leads.services.temperature import apply_temperature

MERGE_FIELDS = (
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
    "timeframe",
    "budget",
    "notes",
)
RESTORE_FIELDS = (*MERGE_FIELDS, "status", "temperature", "last_activity_at")


def _raw(lead: Lead) -> dict[str, Any]:
    return {name: getattr(lead, name) for name in RESTORE_FIELDS}


@transaction.atomic
def lead_merge(
    *, actor: User, winner: Lead, loser: Lead, choices: dict[str, str] | None = None
) -> LeadMerge:
    """`choices` maps a field of MERGE_FIELDS to "winner" or "loser" (default: winner's
    value, or the loser's where the winner's is empty)."""
    if winner.pk == loser.pk:
        raise DomainError("Pick two different leads.", field="loser")
    first, second = sorted([winner, loser], key=lambda lead: lead.pk)
    locked = {
        first.pk: lock_editable_lead(actor, first),
        second.pk: lock_editable_lead(actor, second),
    }
    winner, loser = locked[winner.pk], locked[loser.pk]
    if LeadStatus.CONVERTED in (winner.status, loser.status):
        raise Conflict("Converted leads can't be merged.")
    choices = choices or {}
    unknown = set(choices) - {f.removesuffix("_id") for f in MERGE_FIELDS} - set(MERGE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    winner_before, loser_before = _raw(winner), _raw(loser)
    for field in MERGE_FIELDS:
        pick = choices.get(field) or choices.get(field.removesuffix("_id"))
        if pick not in (None, "winner", "loser"):
            raise DomainError("Pick the winner's or the loser's value.", field=field)
        mine, theirs = getattr(winner, field), getattr(loser, field)
        if pick == "loser" or (pick is None and mine in ("", None) and theirs not in ("", None)):
            setattr(winner, field, theirs)
    owner_changed = winner.owner_id != winner_before["owner_id"]
    if owner_changed:
        check_owner_change(actor, winner, winner.owner)

    activity_ids = list(Activity.objects.filter(lead=loser).values_list("pk", flat=True))
    task_ids = list(Task.objects.filter(lead=loser).values_list("pk", flat=True))
    update_and_announce(Activity.objects.filter(pk__in=activity_ids), actor=actor, lead=winner)
    update_and_announce(Task.objects.filter(pk__in=task_ids), actor=actor, lead=winner)

    loser.deleted_at = timezone.now()
    loser.merged_into = winner
    loser.save(update_fields=["deleted_at", "merged_into", "updated_at"])
    latest = Activity.objects.filter(lead=winner).aggregate(at=Max("occurred_at"))["at"]
    winner.last_activity_at = max(
        [t for t in (winner.last_activity_at, loser.last_activity_at, latest) if t], default=None
    )
    apply_temperature(winner)
    try:
        with transaction.atomic():
            winner.save()
    except IntegrityError as exc:
        raise Conflict("Another lead already has the email you picked.", field="email") from exc
    merge = LeadMerge.objects.create(
        winner=winner,
        loser=loser,
        actor=actor,
        winner_before=snapshot_values(winner_before),
        loser_before=snapshot_values(loser_before),
        moved_activity_ids=activity_ids,
        moved_task_ids=task_ids,
    )
    changes = {"loser": loser.pk, "merge": merge.pk, "activities": len(activity_ids)}
    audit(actor=actor, obj=winner, action=AuditAction.MERGE, changes=changes)
    audit(actor=actor, obj=loser, action=AuditAction.MERGE, changes={"into": winner.pk})
    return merge


def snapshot_values(values: dict[str, Any]) -> dict[str, Any]:
    plain = Lead(**dict(values.items()))
    return snapshot(plain, RESTORE_FIELDS)


@transaction.atomic
def lead_merge_undo(*, actor: User, merge: LeadMerge) -> Lead:
    """Administrators only: the loser comes back, the winner gets its values back, the
    moved activities and tasks return to the loser."""
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can undo a merge.")
    merge = LeadMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Conflict("This merge was already undone.")
    winner = Lead.objects.select_for_update().get(pk=merge.winner_id)
    loser = Lead.objects.select_for_update().get(pk=merge.loser_id)
    if winner.status == LeadStatus.CONVERTED:
        raise Conflict("The merged lead was converted since; the merge can't be undone.")
    _restore(winner, merge.winner_before)
    try:
        with transaction.atomic():
            winner.save()
            loser.deleted_at = None
            loser.merged_into = None
            _restore(loser, merge.loser_before)
            loser.save()
    except IntegrityError as exc:
        raise Conflict("Another lead now has the merged lead's email; change it first.") from exc
    activities = Activity.objects.filter(pk__in=merge.moved_activity_ids, lead=winner)
    update_and_announce(activities, actor=actor, lead=loser)
    tasks = Task.objects.filter(pk__in=merge.moved_task_ids, lead=winner)
    update_and_announce(tasks, actor=actor, lead=loser)
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    audit(actor=actor, obj=winner, action=AuditAction.RESTORE, changes={"merge": merge.pk})
    audit(actor=actor, obj=loser, action=AuditAction.RESTORE, changes={"merge": merge.pk})
    return loser


def _restore(lead: Lead, values: dict[str, Any]) -> None:
    for name, value in values.items():
        field = Lead._meta.get_field(name.removesuffix("_id"))
        if not isinstance(field, models.Field):
            continue
        setattr(lead, name, field.to_python(value) if value is not None else None)
