"""Writes for import jobs: upload, map, start, cancel, resume. Each takes the acting user."""

import logging
import re
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm.dispatch import send_safely
from crm.errors import Conflict, DomainError, PermissionDenied
from crm.imports import dates
from crm.imports.context import CREATE, CREATE_PERSON, UNKNOWN_OWNER_CHOICES
from crm.imports.models import (
    ACTIVE_STATUSES,
    DedupePolicy,
    ImportJob,
    JobStatus,
    SavedMapping,
)
from crm.imports.parsers import clean_text, normalise_key
from crm.imports.readers import FileInfo, UnreadableFile, fingerprint, inspect_file, iter_rows
from crm.imports.registry import CUSTOM_PREFIX, Field, get_kind, guess_mapping
from crm.models import CustomField, CustomFieldType, User
from crm.models.audit import AuditAction
from crm.services.audit import audit
from crm.services.custom_fields import custom_field_create, key_from_name
from crm.visibility import can_edit

logger = logging.getLogger(__name__)

# A running job with no progress for this long and no worker holding its advisory lock was
# dropped by its worker (killed: PostgreSQL released the lock with the connection). Progress is
# recorded every batch (seconds), and beat sweeps every 15 s: picked up again within ~45 s.
STALL_AFTER = timedelta(seconds=30)
# A queued job may just wait behind others: it is queued again only after this long.
QUEUED_STALL_AFTER = timedelta(minutes=5)
OPTION_KEYS = {
    "day_first",
    "value_maps",
    "on_unknown",
    "pipeline",
    "unknown_owner",
    "keep_owner",
    "constants",
    "date_order",
}
REJECT_TARGET = "reject"


def _require_edit(actor: User, job: ImportJob) -> None:
    if not can_edit(actor, job):
        raise PermissionDenied("You can't change this import.")


def _store(upload: IO[bytes], name: str) -> tuple[ImportJob, Path]:
    """Stream the upload to MEDIA_ROOT through the FileField's storage (never all in RAM)."""
    job = ImportJob(original_name=name[:255])
    job.file.save(Path(name).name or "upload", File(upload), save=False)
    return job, Path(job.file.path)


@transaction.atomic
def import_job_create(
    *,
    actor: User,
    kind: str,
    upload: IO[bytes],
    name: str,
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Store the file, check it can be read, and guess (or recall) the column mapping."""
    import_kind = get_kind(kind)
    if import_kind.admin_only and not actor.is_admin:
        raise PermissionDenied(f"Only administrators import {import_kind.label.lower()}.")
    job, path = _store(upload, name)
    try:
        info: FileInfo = inspect_file(path, name)
    except UnreadableFile:
        job.file.delete(save=False)
        raise
    job.kind = kind
    job.created_by = actor
    job.file_format, job.encoding, job.delimiter = info.file_format, info.encoding, info.delimiter
    job.headers = info.headers
    job.fingerprint = fingerprint(kind, info.headers)
    saved = SavedMapping.objects.filter(kind=kind, fingerprint=job.fingerprint).first()
    if mapping is None:
        job.mapping = saved.mapping if saved else guess_mapping(import_kind, info.headers)
        job.options = dict(saved.options) if saved else {}
    else:
        job.mapping = {}
    job.save()
    if mapping is not None or options:
        job = import_job_configure(
            actor=actor,
            job=job,
            mapping=mapping if mapping is not None else job.mapping,
            options=options or job.options,
        )
    audit(actor=actor, obj=job, action=AuditAction.CREATE, changes={"file": name, "kind": kind})
    return job


def validate_mapping(
    kind_name: str,
    headers: list[str],
    mapping: dict[str, str],
    constants: dict[str, str] | None = None,
) -> dict[str, str]:
    kind = get_kind(kind_name)
    fields = kind.import_fields()
    names = {f.name for f in fields}
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    for header, field in mapping.items():
        if not field:
            continue
        if header not in headers:
            raise DomainError(f"The file has no column “{header}”.", field="mapping")
        if field not in names:
            raise DomainError(f"{kind.label} have no field “{field}”.", field="mapping")
        if field in used:
            raise DomainError(
                f"“{kind.field(field).label}” is mapped from both “{used[field]}” and “{header}”.",
                field="mapping",
            )
        used[field] = header
        clean[header] = field
    for name in constants or {}:
        if name not in names:
            raise DomainError(f"{kind.label} have no field “{name}”.", field="options")
        if name in used:
            raise DomainError(
                f"“{kind.field(name).label}” is mapped from “{used[name]}” and also given the "
                "same for every row: choose one.",
                field="options",
            )
    missing = [
        f.label
        for f in fields
        if f.required and f.name not in used and f.name not in (constants or {})
    ]
    if missing:
        raise DomainError("Map a column to " + ", ".join(missing) + ".", field="mapping")
    return clean


def _clean_options(options: dict[str, Any], actor: User) -> dict[str, Any]:
    unknown = set(options) - OPTION_KEYS
    if unknown:
        raise DomainError(f"Unknown option {sorted(unknown)[0]}.", field="options")
    if options.get("unknown_owner", "reject") not in UNKNOWN_OWNER_CHOICES:
        raise DomainError(
            "For owners who aren't users, choose “importer”, “create” or “reject”.",
            field="options",
        )
    for header, order in (options.get("date_order") or {}).items():
        if order not in ("day", "month"):
            raise DomainError(
                f"Dates in “{header}”: choose “day” or “month” (first).", field="options"
            )
    if options.get("unknown_owner") == CREATE_PERSON and not actor.is_admin:
        raise PermissionDenied(
            "Only administrators add people; choose “importer” or “reject” for owners who "
            "aren't users."
        )
    return {k: v for k, v in options.items() if v not in (None, {}, "", "reject")}


def _clean_value_maps(job: ImportJob, actor: User, options: dict[str, Any]) -> None:
    """Value maps keyed by the normalised file value. A list field's target is an existing
    value (its id, or its name, as the command line gives it), `__create__` or `reject`;
    a choice field's target must be one of its choices; an owner's, a user's name or email
    (checked per row). Constants are checked like a cell of every row."""
    from crm.imports.batch import _parse  # the engine's own parser, so the check is the run's
    from crm.imports.context import ImportContext

    kind = get_kind(job.kind)
    ctx = ImportContext.for_job(actor, options)
    clean: dict[str, dict[str, str]] = {}
    for name, values in (options.get("value_maps") or {}).items():
        try:
            f = kind.field(name)
        except KeyError:
            raise DomainError(f"{kind.label} have no field “{name}”.", field="options") from None
        out: dict[str, str] = {}
        for key, target in (values or {}).items():
            target = str(target).strip()
            key = normalise_key(str(key))
            if not target or not key:
                continue
            if f.lookup is not None:
                if target.lower() in ("create", CREATE):
                    target = CREATE
                elif target.lower() == REJECT_TARGET:
                    target = REJECT_TARGET
                else:
                    found = f.lookup.resolve({normalise_key(target): target}, ctx)
                    if target.isdigit() and not found:
                        queryset = getattr(f.lookup, "queryset", None)
                        exists = (
                            queryset(ctx).filter(pk=int(target)).exists()
                            if queryset is not None
                            else any(t == target for t, _ in f.lookup.options(ctx))
                        )
                        found = {target: int(target)} if exists else {}
                    if not found:
                        raise DomainError(
                            f"{f.label}: there is no “{target}” to map “{key}” to.",
                            field="options",
                        )
                    target = str(next(iter(found.values())))
            elif f.type in ("choice", "multi", "bool"):
                try:
                    _parse(Field(f.name, f.label, type=f.type, choices=f.choices), target, ctx)
                except ValueError as exc:
                    raise DomainError(
                        f"{f.label}: can't map “{key}” there: {exc}", field="options"
                    ) from None
            out[key] = target
        if out:
            clean[name] = out
    options["value_maps"] = clean
    constants = {k: str(v).strip() for k, v in (options.get("constants") or {}).items()}
    options["constants"] = {k: v for k, v in constants.items() if v}


@transaction.atomic
def import_job_configure(
    *, actor: User, job: ImportJob, mapping: dict[str, str], options: dict[str, Any]
) -> ImportJob:
    _require_edit(actor, job)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.UPLOADED:
        raise Conflict("This import has already started; its mapping can't change.")
    options = dict(options)
    _clean_value_maps(job, actor, options)
    job.mapping = validate_mapping(job.kind, job.headers, mapping, options.get("constants"))
    job.options = _clean_options(options, actor)
    job.save(update_fields=["mapping", "options"])
    # The value maps and constants go with the column mapping: the next export of the same
    # layout is mapped as this one was (GTXPro → GTX Pro need not be chosen again).
    SavedMapping.objects.update_or_create(
        kind=job.kind,
        fingerprint=job.fingerprint,
        defaults={
            "mapping": job.mapping,
            "options": dict(job.options),
            "updated_by": actor,
            "updated_at": timezone.now(),
        },
    )
    return job


def _send(job_id: int, queue: str | None = None) -> None:
    from crm.imports.tasks import import_run_task

    send_safely(import_run_task.apply_async, args=[job_id], queue=queue)


def _enqueue(job_id: int, queue: str | None = None) -> None:
    transaction.on_commit(partial(_send, job_id, queue))


@transaction.atomic
def import_job_start(
    *, actor: User, job: ImportJob, policy: str, enqueue: bool = True
) -> ImportJob:
    """Queue the job for a worker (`enqueue=False`: the caller runs it, as the command does)."""
    _require_edit(actor, job)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.UPLOADED:
        raise Conflict("This import has already started.")
    if policy not in DedupePolicy.values:
        raise DomainError("Choose skip, update or create for duplicates.", field="policy")
    validate_mapping(job.kind, job.headers, job.mapping, job.options.get("constants"))
    checked = dates.check(job)
    if checked.questions:
        raise DomainError(checked.message, field="options")
    job.options = {**job.options, "date_order": checked.orders} if checked.orders else job.options
    job.policy = policy
    job.status = JobStatus.QUEUED
    job.save(update_fields=["policy", "status", "options"])
    audit(actor=actor, obj=job, action=AuditAction.UPDATE, changes={"status": "queued"})
    if enqueue:
        _enqueue(job.pk)
    return job


@transaction.atomic
def import_job_cancel(*, actor: User, job: ImportJob) -> ImportJob:
    _require_edit(actor, job)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.is_finished:
        raise Conflict("This import has already finished.")
    job.cancel_requested = True
    if job.status == JobStatus.UPLOADED:
        job.status = JobStatus.CANCELLED
        job.finished_at = timezone.now()
    job.save(update_fields=["cancel_requested", "status", "finished_at"])
    audit(actor=actor, obj=job, action=AuditAction.UPDATE, changes={"cancel_requested": True})
    return job


@transaction.atomic
def import_job_resume(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue a stalled or failed job again; it continues after its last recorded row."""
    _require_edit(actor, job)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in (*ACTIVE_STATUSES, JobStatus.FAILED) or job.cancel_requested:
        raise Conflict("Only a running, queued or failed import can be resumed.")
    job.status = JobStatus.QUEUED
    job.save(update_fields=["status"])
    audit(actor=actor, obj=job, action=AuditAction.UPDATE, changes={"status": "resumed"})
    _enqueue(job.pk)
    return job


@transaction.atomic
def import_job_mark_failed(*, job_id: int, error: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def import_jobs_resume_stalled(
    *,
    stale_after: timedelta = STALL_AFTER,
    queued_stale_after: timedelta = QUEUED_STALL_AFTER,
    queue: str | None = None,
) -> list[int]:
    """Queue again the jobs a worker dropped: queued or running, no progress for
    `stale_after`, and no worker holding their lock. Beat runs this every few minutes, so a
    job whose worker was killed continues after its last recorded row without waiting for
    the broker to redeliver the task. Returns the ids queued."""
    from crm.imports.engine import is_locked

    now = timezone.now()

    def quiet_since(cutoff: Any) -> Q:
        return (
            Q(heartbeat_at__lte=cutoff)
            | Q(heartbeat_at=None, started_at__lte=cutoff)
            | Q(heartbeat_at=None, started_at=None, created_at__lte=cutoff)
        )

    stalled = (
        ImportJob.objects.filter(
            (Q(status=JobStatus.RUNNING) & quiet_since(now - stale_after))
            | (Q(status=JobStatus.QUEUED) & quiet_since(now - queued_stale_after))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    resumed = []
    for pk in stalled:
        if is_locked(pk):
            continue
        with transaction.atomic():
            # The fresh heartbeat keeps the next sweep from queueing it again meanwhile.
            if ImportJob.objects.filter(pk=pk, status__in=ACTIVE_STATUSES).update(
                heartbeat_at=timezone.now()
            ):
                _enqueue(pk, queue)
                resumed.append(pk)
    if resumed:
        logger.warning("resumed stalled imports %s", resumed)
    return resumed


NEW_FIELD = "__new__:"  # a mapping target on the page: "__new__:number" makes a new field
FIELD_TYPE_NAMES = {
    **{t: t for t in CustomFieldType.values},
    "long-text": CustomFieldType.LONG_TEXT,
    "yes-no": CustomFieldType.BOOLEAN,
    "yes/no": CustomFieldType.BOOLEAN,
    "yesno": CustomFieldType.BOOLEAN,
    "bool": CustomFieldType.BOOLEAN,
    "multi-choice": CustomFieldType.MULTI_CHOICE,
    "multichoice": CustomFieldType.MULTI_CHOICE,
}
MAX_NEW_CHOICES = 200


def _column_values(job: ImportJob, header: str, field_type: str) -> list[str]:
    """The distinct values of one column (choices of a new choice field), in file order."""
    index = job.headers.index(header)
    seen: dict[str, str] = {}
    info = FileInfo(job.file_format, job.encoding, job.delimiter, list(job.headers))
    for _, cells in iter_rows(Path(job.file.path), info):
        text = clean_text(cells[index]) if index < len(cells) else ""
        parts = re.split(r"[;|]", text) if field_type == CustomFieldType.MULTI_CHOICE else [text]
        for part in parts:
            part = part.strip()
            if part:
                seen.setdefault(part.casefold(), part)
        if len(seen) > MAX_NEW_CHOICES:
            raise DomainError(
                f"“{header}” has more than {MAX_NEW_CHOICES} different values; make it a "
                "text field instead of a choice.",
                field="mapping",
            )
    return list(seen.values())


@transaction.atomic
def import_job_new_fields(
    *, actor: User, job: ImportJob, columns: dict[str, str]
) -> dict[str, str]:
    """Define a custom field for each unmapped column (header → type), named after the
    column and keyed from its name; an existing field with that key and type is reused.
    Choice fields take the column's distinct values as their choices. Returns header →
    import field name (`custom.<key>`) for the mapping."""
    _require_edit(actor, job)
    kind = get_kind(job.kind)
    if not kind.takes_custom_fields:
        raise DomainError(f"{kind.label} have no custom fields.", field="mapping")
    mapped: dict[str, str] = {}
    for header, type_name in columns.items():
        if header not in job.headers:
            raise DomainError(f"The file has no column “{header}”.", field="mapping")
        field_type = FIELD_TYPE_NAMES.get(type_name.strip().lower())
        if field_type is None:
            raise DomainError(
                f"“{type_name}” is not a field type; use one of "
                + ", ".join(CustomFieldType.values)
                + ".",
                field="mapping",
            )
        key = key_from_name(header)
        existing = CustomField.objects.filter(model_label=kind.model_label, key=key).first()
        if existing is not None and existing.type != field_type:
            raise Conflict(
                f"A {existing.get_type_display().lower()} field “{existing.name}” already has "
                f"the key {key}.",
                field="mapping",
            )
        if existing is None:
            choices = (
                _column_values(job, header, field_type)
                if field_type in (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE)
                else []
            )
            existing = custom_field_create(
                actor=actor,
                model_label=kind.model_label,
                name=header.strip()[:100] or key,
                key=key,
                type=field_type,
                choices=choices,
            )
        mapped[header] = CUSTOM_PREFIX + existing.key
    return mapped
