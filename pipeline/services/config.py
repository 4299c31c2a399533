"""Admin configuration: pipelines and stages, reasons, products, currencies and rates."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone

from crm.errors import Conflict, DomainError, PermissionDenied
from crm.events import update_and_announce
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit, diff, snapshot
from pipeline.models import Deal, ForecastCategory, Pipeline, Stage, StageHistory, StageKind

STAGE_FIELDS = ("name", "probability", "rotting_days", "forecast_category")


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators configure pipelines.")


def _full_clean(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(
            " ".join(messages), field=None if field == "__all__" else field
        ) from error


@transaction.atomic
def pipeline_create(*, actor: User, name: str, position: int = 0) -> Pipeline:
    """A pipeline starts with one open stage and its Won and Lost stages."""
    _require_admin(actor)
    pipeline = Pipeline(name=(name or "").strip(), position=position)
    _full_clean(pipeline)
    pipeline.save()
    Stage.objects.bulk_create(
        [
            Stage(pipeline=pipeline, name="Qualification", position=0, probability=10),
            Stage(
                pipeline=pipeline,
                name="Won",
                kind=StageKind.WON,
                position=1000,
                probability=100,
                forecast_category=ForecastCategory.CLOSED,
            ),
            Stage(
                pipeline=pipeline,
                name="Lost",
                kind=StageKind.LOST,
                position=1001,
                probability=0,
                forecast_category=ForecastCategory.OMITTED,
            ),
        ]
    )
    audit(actor=actor, obj=pipeline, action=AuditAction.CREATE, changes=snapshot(pipeline))
    return pipeline


@transaction.atomic
def pipeline_update(*, actor: User, pipeline: Pipeline, data: dict[str, Any]) -> Pipeline:
    _require_admin(actor)
    before = snapshot(pipeline)
    for field in ("name", "position", "is_active"):
        if field in data:
            setattr(pipeline, field, data[field])
    _full_clean(pipeline)
    pipeline.save()
    audit(
        actor=actor,
        obj=pipeline,
        action=AuditAction.UPDATE,
        changes=diff(before, snapshot(pipeline)),
    )
    return pipeline


def _save_stage(stage: Stage) -> None:
    taken = Stage.objects.filter(pipeline_id=stage.pipeline_id, name=stage.name, is_active=True)
    if stage.is_active and taken.exclude(pk=stage.pk).exists():
        raise DomainError("This pipeline already has a stage with that name.", field="name")
    _full_clean(stage)
    try:
        with transaction.atomic():
            stage.save()
    except IntegrityError as error:
        raise DomainError(
            "This pipeline already has a stage with that name.", field="name"
        ) from error


@transaction.atomic
def stage_create(*, actor: User, pipeline: Pipeline, **data: Any) -> Stage:
    """New open stages go after the last open stage (won and lost stay at the end)."""
    _require_admin(actor)
    last = pipeline.stages.filter(kind=StageKind.OPEN).order_by("-position").first()
    stage = Stage(pipeline=pipeline, position=(last.position + 1) if last else 0)
    for field in STAGE_FIELDS:
        if field in data and data[field] is not None:
            setattr(stage, field, data[field])
    _save_stage(stage)
    audit(actor=actor, obj=stage, action=AuditAction.CREATE, changes=snapshot(stage))
    return stage


@transaction.atomic
def stage_update(*, actor: User, stage: Stage, data: dict[str, Any]) -> Stage:
    _require_admin(actor)
    before = snapshot(stage)
    for field in STAGE_FIELDS:
        if field in data:
            setattr(stage, field, data[field])
    if stage.kind != StageKind.OPEN and "probability" in data:
        stage.probability = 100 if stage.kind == StageKind.WON else 0
    _save_stage(stage)
    audit(actor=actor, obj=stage, action=AuditAction.UPDATE, changes=diff(before, snapshot(stage)))
    return stage


@transaction.atomic
def stage_reorder(*, actor: User, pipeline: Pipeline, stage_ids: list[int]) -> None:
    """Order the open stages as given; won and lost always close the board."""
    _require_admin(actor)
    open_ids = set(
        pipeline.stages.filter(kind=StageKind.OPEN, is_active=True).values_list("id", flat=True)
    )
    if set(stage_ids) != open_ids or len(stage_ids) != len(open_ids):
        raise DomainError("List every open stage of this pipeline exactly once.")
    for position, stage_id in enumerate(stage_ids):
        Stage.objects.filter(pk=stage_id).update(position=position)
    audit(actor=actor, obj=pipeline, action=AuditAction.UPDATE, changes={"stage_order": stage_ids})


@transaction.atomic
def stage_shift(*, actor: User, stage: Stage, direction: str) -> None:
    """Move an open stage one place up or down (nothing happens at either end)."""
    _require_admin(actor)
    if direction not in ("up", "down"):
        raise DomainError("Say up or down.", field="direction")
    if stage.kind != StageKind.OPEN or not stage.is_active:
        raise DomainError("Only active open stages are reordered; won and lost stay last.")
    ids = list(
        stage.pipeline.stages.filter(kind=StageKind.OPEN, is_active=True)
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    index = ids.index(stage.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
        stage_reorder(actor=actor, pipeline=stage.pipeline, stage_ids=ids)


@transaction.atomic
def stage_delete(*, actor: User, stage: Stage, move_to: Stage | None = None) -> int:
    """Remove a stage. Its deals (if any) move to `move_to` in one UPDATE, with history rows.

    A stage some deal passed through stays archived so its history still names it.
    Returns how many deals moved.
    """
    _require_admin(actor)
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    if stage.kind != StageKind.OPEN:
        raise DomainError("The won and lost stages can't be removed.")
    if pipeline_open_stage_count(stage.pipeline) <= 1:
        raise DomainError("A pipeline needs at least one open stage.")
    has_deals = Deal.objects.filter(stage=stage).exists()
    moved = 0
    if has_deals:
        if move_to is None:
            raise Conflict("This stage has deals; choose where to move them.", field="move_to")
        if move_to.pk == stage.pk or move_to.pipeline_id != stage.pipeline_id:
            raise DomainError("Choose another stage of the same pipeline.", field="move_to")
        if move_to.kind != StageKind.OPEN or not move_to.is_active:
            raise DomainError("Move the deals to an open stage.", field="move_to")
        moved = _move_all(actor, stage, move_to)
    audit(
        actor=actor,
        obj=stage,
        action=AuditAction.DELETE,
        changes={"moved_deals": moved, "moved_to": move_to.pk if move_to else None},
    )
    if StageHistory.objects.filter(models.Q(from_stage=stage) | models.Q(to_stage=stage)).exists():
        stage.is_active = False
        stage.save(update_fields=["is_active"])
    else:
        stage.delete()
    return moved


def pipeline_open_stage_count(pipeline: Pipeline) -> int:
    return pipeline.stages.filter(kind=StageKind.OPEN, is_active=True).count()


def _move_all(actor: User, stage: Stage, move_to: Stage) -> int:
    """History rows with INSERT … SELECT, then one UPDATE: constant statements for any count."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {StageHistory._meta.db_table}
                (deal_id, pipeline_id, from_stage_id, to_stage_id, moved_by_id, moved_at,
                 seconds_in_previous_stage)
            SELECT id, pipeline_id, stage_id, %s, %s, %s,
                   GREATEST(EXTRACT(EPOCH FROM (%s - stage_changed_at))::bigint, 0)
            FROM {Deal._meta.db_table} WHERE stage_id = %s
            """,  # noqa: S608 - table names come from model metadata, values are parameters
            [move_to.pk, actor.pk, now, now, stage.pk],
        )
    return update_and_announce(
        Deal.objects.filter(stage=stage),
        actor=actor,
        stage=move_to,
        stage_changed_at=now,
        probability=move_to.probability,
        forecast_category=move_to.forecast_category,
        version=F("version") + 1,
        updated_by=actor,
        updated_at=now,
    )


@transaction.atomic
def catalog_save(*, actor: User, obj: models.Model, data: dict[str, Any]) -> models.Model:
    """Create or update a reason, product, currency or exchange rate."""
    _require_admin(actor)
    creating = obj.pk is None
    before = {} if creating else snapshot(obj)
    for field, value in data.items():
        setattr(obj, field, value)
    if hasattr(obj, "code"):
        obj.code = str(obj.code).strip().upper()
    if hasattr(obj, "currency") and isinstance(getattr(obj, "currency", None), str):
        obj.currency = obj.currency.strip().upper()  # type: ignore[attr-defined]
    _full_clean(obj)
    obj.save()
    audit(
        actor=actor,
        obj=obj,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        changes=diff(before, snapshot(obj)),
    )
    return obj


@transaction.atomic
def catalog_delete(*, actor: User, obj: models.Model) -> None:
    _require_admin(actor)
    audit(actor=actor, obj=obj, action=AuditAction.DELETE, changes=snapshot(obj))
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as error:
        raise Conflict("It is in use by deals; deactivate it instead.") from error
