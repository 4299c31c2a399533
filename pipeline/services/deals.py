"""Deal writes: create, edit, move, close, reopen, delete — each atomic, audited, versioned.

Optimistic concurrency: every write after creation names the version the caller saw. The row
is locked; a different version means someone else wrote meanwhile, and the caller gets
`StaleVersion` carrying the current deal instead of silently overwriting it.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from crm.errors import DomainError, NotFound, PermissionDenied, StaleVersion
from crm.models import Account, Contact, User
from crm.models.audit import AuditAction
from crm.services.audit import audit, diff, snapshot
from crm.services.custom_fields import clean_custom
from crm.services.external_ids import (
    check_external_id_free,
    clean_external_id,
    save_checking_external_id,
)
from crm.visibility import can_edit, check_owner_change
from pipeline.models import (
    Deal,
    DealType,
    ForecastCategory,
    LostReason,
    Pipeline,
    Stage,
    StageHistory,
    StageKind,
    WonReason,
)

from . import validation

EDITABLE_FIELDS = (
    "name",
    "account",
    "primary_contact",
    "owner",
    "amount",
    "currency",
    "amount_follows_line_items",
    "expected_close_date",
    "probability",
    "forecast_category",
    "next_step",
    "deal_type",
    "external_id",
    "custom",
)
CREATE_EXTRAS = {
    "deal_type",
    "probability",
    "forecast_category",
    "next_step",
    "amount_follows_line_items",
    "created_at",
    "external_id",
    "custom",
}


def deal_to_dict(deal: Deal) -> dict[str, Any]:
    """The deal as plain JSON values (API bodies and the `current` of a stale-version error)."""
    return {
        "id": deal.pk,
        "version": deal.version,
        "name": deal.name,
        "pipeline": deal.pipeline_id,
        "stage": deal.stage_id,
        "stage_name": deal.stage.name,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "expected_close_date": (
            deal.expected_close_date.isoformat() if deal.expected_close_date else None
        ),
        "probability": deal.probability,
        "forecast_category": deal.forecast_category,
        "deal_type": deal.deal_type,
        "owner": deal.owner_id,
        "account": deal.account_id,
        "primary_contact": deal.primary_contact_id,
        "next_step": deal.next_step,
        "closed_at": deal.closed_at.isoformat() if deal.closed_at else None,
        "updated_by": deal.updated_by.full_name if deal.updated_by else None,
        "updated_at": deal.updated_at.isoformat() if deal.updated_at else None,
    }


def _first_open_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(kind=StageKind.OPEN, is_active=True).order_by("position", "id")
    first = stage.first()
    if first is None:
        raise DomainError(f"Pipeline {pipeline.name} has no open stage.", field="stage")
    return first


def _terminal_stage(pipeline: Pipeline, kind: StageKind) -> Stage:
    stage = pipeline.stages.filter(kind=kind).first()
    if stage is None:
        raise DomainError(f"Pipeline {pipeline.name} has no {kind.label.lower()} stage.")
    return stage


def _record_move(deal: Deal, to_stage: Stage, actor: User | None) -> None:
    """Write the history row and point the deal at `to_stage` (the caller saves the deal)."""
    now = timezone.now()
    StageHistory.objects.create(
        deal=deal,
        pipeline_id=deal.pipeline_id,
        from_stage_id=deal.stage_id,
        to_stage=to_stage,
        moved_by=actor,
        moved_at=now,
        seconds_in_previous_stage=max(int((now - deal.stage_changed_at).total_seconds()), 0),
    )
    deal.stage = to_stage
    deal.stage_changed_at = now
    deal.probability = to_stage.probability
    deal.forecast_category = to_stage.forecast_category


@transaction.atomic
def deal_create(
    *,
    actor: User,
    name: str,
    pipeline: Pipeline,
    stage: Stage | None = None,
    account: Account | None = None,
    primary_contact: Contact | None = None,
    amount: Decimal = Decimal(0),
    currency: str | None = None,
    expected_close_date: date | None = None,
    owner: User | None = None,
    **extra: Any,
) -> Deal:
    unknown = set(extra) - CREATE_EXTRAS
    if unknown:
        raise TypeError(f"deal_create() got unexpected fields: {sorted(unknown)}")
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the deal a name.", field="name")
    if not pipeline.is_active:
        raise DomainError("That pipeline is archived.", field="pipeline")
    if stage is None:
        stage = _first_open_stage(pipeline)
    if stage.pipeline_id != pipeline.pk:
        raise DomainError("That stage belongs to another pipeline.", field="stage")
    if stage.kind != StageKind.OPEN or not stage.is_active:
        raise DomainError("A new deal starts in an open stage.", field="stage")
    owner = check_owner_change(actor, None, owner)
    validation.check_related(actor, account=account, contact=primary_contact)
    if "external_id" in extra:
        extra["external_id"] = clean_external_id(extra["external_id"])
        check_external_id_free(Deal, extra["external_id"])
    extra["custom"] = clean_custom("pipeline.Deal", extra.get("custom"), creating=True)
    if "deal_type" in extra:
        extra["deal_type"] = _clean_deal_type(extra["deal_type"] or DealType.NEW_BUSINESS)
    deal = Deal(
        name=name[:200],
        pipeline=pipeline,
        stage=stage,
        account=account,
        primary_contact=primary_contact,
        owner=owner,
        amount=validation.clean_amount(amount),
        currency=validation.clean_currency(currency or settings.DEFAULT_CURRENCY),
        expected_close_date=validation.clean_close_date(expected_close_date),
        probability=validation.clean_probability(extra.pop("probability", stage.probability)),
        forecast_category=_clean_category(extra.pop("forecast_category", stage.forecast_category)),
        updated_by=actor,
        **extra,
    )
    deal.stage_changed_at = deal.created_at = extra.get("created_at") or timezone.now()
    save_checking_external_id(deal)
    StageHistory.objects.create(
        deal=deal,
        pipeline=pipeline,
        from_stage=None,
        to_stage=stage,
        moved_by=actor,
        moved_at=deal.created_at,
    )
    audit(actor=actor, obj=deal, action=AuditAction.CREATE, changes=snapshot(deal))
    return deal


def _clean_deal_type(value: Any) -> str:
    if value not in DealType.values:
        raise DomainError("Choose new business or renewal.", field="deal_type")
    return str(value)


def _clean_category(value: Any) -> str:
    if value not in ForecastCategory.values:
        raise DomainError("Choose a forecast category from the list.", field="forecast_category")
    return str(value)


def _lock(actor: User, deal: Deal, expected_version: int | None) -> Deal:
    """The deal row, locked, after the permission and version checks."""
    locked = (
        Deal.objects.select_for_update(of=("self",))
        .select_related("stage", "pipeline", "updated_by")
        .alive()
        .filter(pk=deal.pk)
        .first()
    )
    if locked is None:
        raise NotFound("This deal no longer exists.")
    if not can_edit(actor, locked):
        raise PermissionDenied("You can view this deal but not change it.")
    if expected_version is None:
        raise DomainError("Say which version of the deal you are changing.", field="version")
    if int(expected_version) != locked.version:
        who = locked.updated_by.full_name if locked.updated_by else "someone"
        raise StaleVersion(
            f"{who} changed this deal meanwhile (now in {locked.stage.name}). "
            "Review their change before saving yours.",
            current=deal_to_dict(locked),
        )
    return locked


def _save(actor: User, deal: Deal, before: dict[str, Any], action: str) -> Deal:
    deal.version += 1
    deal.updated_by = actor
    save_checking_external_id(deal)
    audit(actor=actor, obj=deal, action=action, changes=diff(before, snapshot(deal)))
    deal.refresh_from_db()
    return deal


@transaction.atomic
def deal_update(
    *, actor: User, deal: Deal, expected_version: int | None, data: dict[str, Any]
) -> Deal:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields can't be changed here: {', '.join(sorted(unknown))}.")
    deal = _lock(actor, deal, expected_version)
    before = snapshot(deal)
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise DomainError("Give the deal a name.", field="name")
        deal.name = name[:200]
    if "amount" in data:
        deal.amount = validation.clean_amount(data["amount"])
    if "currency" in data and data["currency"] != deal.currency:
        deal.currency = validation.clean_currency(data["currency"])
    if "expected_close_date" in data:
        deal.expected_close_date = validation.clean_close_date(data["expected_close_date"])
    if "probability" in data and data["probability"] is not None:
        deal.probability = validation.clean_probability(data["probability"])
    if data.get("forecast_category"):
        deal.forecast_category = _clean_category(data["forecast_category"])
    if data.get("deal_type"):
        deal.deal_type = _clean_deal_type(data["deal_type"])
    for field in ("account", "primary_contact"):
        if field in data and getattr(deal, f"{field}_id") != getattr(data[field], "pk", None):
            validation.check_related(actor, **{_related_kw(field): data[field]})
            setattr(deal, field, data[field])
    if "owner" in data:
        if data["owner"] is None:
            raise DomainError("A deal needs an owner.", field="owner")
        deal.owner = check_owner_change(actor, deal, data["owner"])
    if "next_step" in data:
        deal.next_step = (data["next_step"] or "")[:200]
    if "external_id" in data:
        deal.external_id = clean_external_id(data["external_id"])
        check_external_id_free(Deal, deal.external_id, exclude_pk=deal.pk)
    if "custom" in data:
        deal.custom = clean_custom("pipeline.Deal", data["custom"], current=deal.custom)
    if "amount_follows_line_items" in data:
        deal.amount_follows_line_items = bool(data["amount_follows_line_items"])
        if deal.amount_follows_line_items:
            deal.amount = line_items_total(deal)
    return _save(actor, deal, before, AuditAction.UPDATE)


def _related_kw(field: str) -> str:
    return "contact" if field == "primary_contact" else field


def line_items_total(deal: Deal) -> Decimal:
    return sum((item.total for item in deal.line_items.all()), Decimal(0))


@transaction.atomic
def deal_move(
    *,
    actor: User,
    deal: Deal,
    stage: Stage,
    expected_version: int | None,
    lost_reason: LostReason | None = None,
    won_reason: WonReason | None = None,
) -> Deal:
    """Move to `stage` of the same pipeline; a won/lost stage closes, an open one reopens."""
    deal = _lock(actor, deal, expected_version)
    if stage.pipeline_id != deal.pipeline_id:
        raise DomainError("That stage belongs to another pipeline.", field="stage")
    if not stage.is_active:
        raise DomainError("That stage has been removed.", field="stage")
    if stage.pk == deal.stage_id:
        return deal
    if stage.kind == StageKind.WON:
        return _close(actor, deal, stage, won_reason=won_reason)
    if stage.kind == StageKind.LOST:
        return _close(actor, deal, stage, lost_reason=lost_reason)
    if deal.closed_at is not None:
        return _reopen(actor, deal, stage)
    before = snapshot(deal)
    _record_move(deal, stage, actor)
    return _save(actor, deal, before, AuditAction.MOVE)


def _close(
    actor: User,
    deal: Deal,
    stage: Stage,
    *,
    won_reason: WonReason | None = None,
    lost_reason: LostReason | None = None,
    note: str = "",
) -> Deal:
    if stage.kind == StageKind.LOST and lost_reason is None:
        raise DomainError("Say why the deal was lost.", field="lost_reason")
    for reason, field in ((lost_reason, "lost_reason"), (won_reason, "won_reason")):
        if reason is not None and not reason.is_active:
            raise DomainError("That reason is no longer offered.", field=field)
    before = snapshot(deal)
    if deal.stage_id != stage.pk:
        _record_move(deal, stage, actor)
    deal.closed_at = timezone.now()
    deal.forecast_category = (
        ForecastCategory.CLOSED if stage.kind == StageKind.WON else ForecastCategory.OMITTED
    )
    deal.probability = 100 if stage.kind == StageKind.WON else 0
    deal.won_reason = won_reason if stage.kind == StageKind.WON else None
    deal.lost_reason = lost_reason if stage.kind == StageKind.LOST else None
    deal.close_note = (note or "").strip()
    return _save(actor, deal, before, AuditAction.UPDATE)


@transaction.atomic
def deal_close_won(
    *,
    actor: User,
    deal: Deal,
    expected_version: int | None,
    reason: WonReason | None = None,
    note: str = "",
) -> Deal:
    deal = _lock(actor, deal, expected_version)
    if deal.closed_at is not None:
        raise DomainError("This deal is already closed; reopen it first.")
    stage = _terminal_stage(deal.pipeline, StageKind.WON)
    return _close(actor, deal, stage, won_reason=reason, note=note)


@transaction.atomic
def deal_close_lost(
    *,
    actor: User,
    deal: Deal,
    expected_version: int | None,
    reason: LostReason | None,
    note: str = "",
) -> Deal:
    deal = _lock(actor, deal, expected_version)
    if deal.closed_at is not None:
        raise DomainError("This deal is already closed; reopen it first.")
    stage = _terminal_stage(deal.pipeline, StageKind.LOST)
    return _close(actor, deal, stage, lost_reason=reason, note=note)


def _reopen(actor: User, deal: Deal, stage: Stage) -> Deal:
    if deal.stage.kind != StageKind.LOST:
        raise DomainError("Only lost deals can be re-opened.", field="stage")
    before = snapshot(deal)
    _record_move(deal, stage, actor)
    deal.closed_at = None
    deal.lost_reason = None
    return _save(actor, deal, before, AuditAction.RESTORE)


@transaction.atomic
def deal_reopen(
    *, actor: User, deal: Deal, expected_version: int | None, stage: Stage | None = None
) -> Deal:
    """Re-engagement: a lost deal goes back to an open stage; its history is kept."""
    deal = _lock(actor, deal, expected_version)
    if deal.closed_at is None:
        raise DomainError("This deal is open already.")
    stage = stage or _first_open_stage(deal.pipeline)
    if stage.pipeline_id != deal.pipeline_id:
        raise DomainError("That stage belongs to another pipeline.", field="stage")
    if stage.kind != StageKind.OPEN or not stage.is_active:
        raise DomainError("Re-open the deal into an open stage.", field="stage")
    return _reopen(actor, deal, stage)


@transaction.atomic
def deal_delete(*, actor: User, deal: Deal, expected_version: int | None) -> None:
    deal = _lock(actor, deal, expected_version)
    deal.deleted_at = timezone.now()
    deal.version += 1
    deal.updated_by = actor
    deal.save(update_fields=["deleted_at", "version", "updated_by", "updated_at"])
    audit(actor=actor, obj=deal, action=AuditAction.DELETE)
