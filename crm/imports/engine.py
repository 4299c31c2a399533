"""Running an import job: stream the file, process it in batches, record every row.

Each batch is one transaction that writes the records *and* their row outcomes, so after a
crash the job resumes after the last recorded row and never writes a row twice. A
PostgreSQL advisory lock keeps two workers off the same job (a redelivered task waits its
turn and finds nothing left to do).
"""

import logging
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from crm.errors import DomainError
from crm.imports import dates
from crm.imports.batch import Outcome, columns_for, prepare, write
from crm.imports.context import ImportContext
from crm.imports.copy import copy_rows
from crm.imports.models import ImportJob, ImportRowResult, JobStatus, RowOutcome
from crm.imports.readers import FileInfo, count_rows, iter_rows
from crm.imports.registry import CUSTOM_PREFIX, PreparedRow, get_kind
from crm.imports.services import import_job_mark_failed
from crm.models.audit import AuditAction
from crm.services.audit import audit

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
LOCK_NAMESPACE = 7007
AfterBatch = Callable[[int], None]


def file_info(job: ImportJob) -> FileInfo:
    return FileInfo(job.file_format, job.encoding, job.delimiter, list(job.headers))


def job_path(job: ImportJob) -> Path:
    return Path(job.file.path)


def context_for(job: ImportJob) -> ImportContext:
    ctx = ImportContext.for_job(job.created_by, job.options)
    kind = get_kind(job.kind)
    ctx.constant_fields = [
        (kind.field(name), str(text)) for name, text in (job.options.get("constants") or {}).items()
    ]
    ctx.date_order = dates.field_orders(job, job.options.get("date_order") or {})
    return ctx


def checked_context(job: ImportJob) -> ImportContext:
    """The context of a job not started yet: its date columns checked in full first (a
    column whose order can't be told stops here with its question)."""
    checked = dates.check(job)
    if checked.questions:
        raise DomainError(checked.message, field="options")
    ctx = context_for(job)
    ctx.date_order = dates.field_orders(job, checked.orders)
    return ctx


def _batches(
    rows: Iterator[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    while batch := list(islice(rows, size)):
        yield batch


def _try_lock(job_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, job_id])
        return bool(cursor.fetchone()[0])


def is_locked(job_id: int) -> bool:
    """Whether some worker is processing the job right now (holds its advisory lock)."""
    if not _try_lock(job_id):
        return True
    _unlock(job_id)
    return False


def _unlock(job_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, job_id])


def _recount(job: ImportJob) -> dict[str, int]:
    counts = dict.fromkeys(RowOutcome.values, 0)
    for row in job.rows.values("outcome").annotate(n=Count("id")):
        counts[row["outcome"]] = row["n"]
    return counts


def run_import(
    job_id: int, *, after_batch: AfterBatch | None = None, batch_size: int = BATCH_SIZE
) -> ImportJob | None:
    """Process (or resume) job `job_id`. Returns the job, or None when another worker holds it."""
    if not _try_lock(job_id):
        logger.info("import %s is being processed elsewhere", job_id)
        return None
    try:
        return _run_locked(job_id, after_batch, batch_size)
    except DomainError as exc:
        # A problem with the job as a whole (no pipeline to import into, …), not with a
        # row: it fails with the reason instead of staying "running".
        logger.info("import %s failed: %s", job_id, exc.message)
        import_job_mark_failed(job_id=job_id, error=exc.message)
        return ImportJob.objects.filter(pk=job_id).first()
    finally:
        _unlock(job_id)


def _run_locked(job_id: int, after_batch: AfterBatch | None, batch_size: int) -> ImportJob | None:
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED):
        return job
    kind = get_kind(job.kind)
    info, path = file_info(job), job_path(job)
    if job.total_rows is None:
        job.total_rows = count_rows(path, info)
    counts = _recount(job)
    job.imported, job.updated = counts[RowOutcome.IMPORTED], counts[RowOutcome.UPDATED]
    job.skipped, job.rejected = counts[RowOutcome.SKIPPED], counts[RowOutcome.REJECTED]
    job.rows_done = sum(counts.values())
    job.status, job.error = JobStatus.RUNNING, ""
    job.started_at = job.started_at or timezone.now()
    job.heartbeat_at = timezone.now()
    job.save()
    last = job.rows.aggregate(last=Max("row_number"))["last"] or 0
    ctx = context_for(job)
    columns = columns_for(kind, job.headers, job.mapping)
    width = len(job.headers)
    rows = ((n, cells) for n, cells in iter_rows(path, info) if n > last)
    for number, batch in enumerate(_batches(rows, batch_size), start=1):
        if ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
            return _finish(job, JobStatus.CANCELLED)
        with transaction.atomic():
            _relax_commit()
            ImportJob.objects.select_for_update().filter(pk=job.pk).get()
            prepared = prepare(kind, batch, columns, width, ctx)
            outcomes = write(kind, prepared, job.policy, ctx, job.pk)
            _record(job, outcomes)
        if after_batch is not None:
            after_batch(number)
    return _finish(job, JobStatus.DONE)


def _relax_commit() -> None:
    """Don't wait for the WAL flush at each batch's commit. A crash can lose the last
    batches, records and row outcomes together (one transaction), so resume redoes them."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def _record(job: ImportJob, outcomes: list[Outcome]) -> None:
    copy_rows(
        ImportRowResult,
        ("job_id", "row_number", "outcome", "object_id", "message", "data"),
        (
            (
                job.pk,
                o.number,
                o.outcome,
                o.object_id,
                o.message[:2000],
                o.cells if o.outcome == RowOutcome.REJECTED else None,
            )
            for o in outcomes
        ),
    )
    tally = dict.fromkeys(RowOutcome.values, 0)
    for o in outcomes:
        tally[o.outcome] += 1
    ImportJob.objects.filter(pk=job.pk).update(
        rows_done=F("rows_done") + len(outcomes),
        imported=F("imported") + tally[RowOutcome.IMPORTED],
        updated=F("updated") + tally[RowOutcome.UPDATED],
        skipped=F("skipped") + tally[RowOutcome.SKIPPED],
        rejected=F("rejected") + tally[RowOutcome.REJECTED],
        heartbeat_at=timezone.now(),
    )


@transaction.atomic
def _finish(job: ImportJob, status: str) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    job.status = status
    job.finished_at = timezone.now()
    if status == JobStatus.DONE:
        job.total_rows = job.rows_done
    job.save()
    audit(
        actor=job.created_by,
        obj=job,
        action=AuditAction.IMPORT,
        changes={
            "status": status,
            "kind": job.kind,
            "file": job.original_name,
            "imported": job.imported,
            "updated": job.updated,
            "skipped": job.skipped,
            "rejected": job.rejected,
        },
    )
    return job


def preview(job: ImportJob, limit: int = 20) -> list[dict[str, Any]]:
    """The first rows as they would be imported, with validation messages; writes nothing."""
    kind = get_kind(job.kind)
    ctx = checked_context(job)
    items = list(islice(iter_rows(job_path(job), file_info(job)), limit))
    columns = columns_for(kind, job.headers, job.mapping)
    with transaction.atomic():
        # Lookups may create admin-list values the user chose to create; preview undoes them.
        prepared = prepare(kind, items, columns, len(job.headers), ctx)
        keys = [r.key for r in prepared if r.key is not None and not r.error]
        existing = kind.find_matches(keys, ctx) if keys else {}
        transaction.set_rollback(True)
    return [_preview_row(row, columns, existing) for row in prepared]


def shown(value: Any, f: Any) -> str:
    """A parsed value as the preview shows it beside the raw cell."""
    if value is None or value == "" or f.type == "lookup":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, list):
        return "; ".join(shown(v, f) for v in value)
    if f.type == "choice":
        return str(dict(f.choices).get(value, value))
    if hasattr(value, "full_name"):
        return str(value.full_name)
    return str(value)


def _preview_row(row: PreparedRow, columns: list[Any], existing: dict[Any, Any]) -> dict[str, Any]:
    match = existing.get(row.key) if row.key is not None else None
    parsed = {**row.values, **{CUSTOM_PREFIX + k: v for k, v in row.custom.items()}}
    cells = []
    for i, _, f in columns:
        raw = row.cells[i] if i < len(row.cells) else ""
        value = shown(parsed.get(f.name), f)
        cells.append({"raw": raw, "parsed": value if value != raw.strip() else ""})
    return {
        "number": row.number,
        "cells": cells,
        "error": row.error,
        "note": row.note,
        "duplicate_of": match.pk if match is not None else None,
    }


def dry_run(job: ImportJob) -> dict[str, int]:
    """Run the whole job inside a transaction that is rolled back: exact counts, no writes."""
    kind = get_kind(job.kind)
    ctx = checked_context(job)
    columns = columns_for(kind, job.headers, job.mapping)
    tally = dict.fromkeys(RowOutcome.values, 0)
    with transaction.atomic():
        for batch in _batches(iter_rows(job_path(job), file_info(job)), BATCH_SIZE):
            prepared = prepare(kind, batch, columns, len(job.headers), ctx)
            for outcome in write(kind, prepared, job.policy, ctx, None):
                tally[outcome.outcome] += 1
        transaction.set_rollback(True)
    return tally
