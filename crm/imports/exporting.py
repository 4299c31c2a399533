"""Exports of list views to CSV or XLSX, as background jobs.

Each list registers an `ExportKind` whose `queryset(user, params)` starts from
`crm.visibility.visible` and applies the same filters as the page, so an export holds
exactly what the user sees and may see. Every text cell goes through `safe_cell`.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from crm.dispatch import send_safely
from crm.errors import DomainError
from crm.exports import safe_cell, safe_row
from crm.imports.models import ExportJob, FileFormat, JobStatus
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit

PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class ExportKind:
    name: str
    label: str
    columns: Sequence[tuple[str, Callable[[Any], Any]]]
    queryset: Callable[[User, QueryDict], QuerySet[Any]]


_EXPORTS: dict[str, ExportKind] = {}


def register_export(kind: ExportKind) -> ExportKind:
    _EXPORTS[kind.name] = kind
    return kind


def get_export_kind(name: str) -> ExportKind:
    try:
        return _EXPORTS[name]
    except KeyError:
        raise DomainError(f"Nothing called “{name}” can be exported.", field="kind") from None


def all_export_kinds() -> list[ExportKind]:
    return list(_EXPORTS.values())


def _rows(kind: ExportKind, queryset: QuerySet[Any]) -> Iterator[list[Any]]:
    for obj in queryset.iterator(chunk_size=2000):
        yield [getter(obj) for _, getter in kind.columns]


def _xlsx_value(value: Any) -> Any:
    value = safe_cell(value)
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


class _Progress:
    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.done = 0

    def tick(self) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=self.job.pk).update(rows_done=self.done)


def _write_csv(
    kind: ExportKind, queryset: QuerySet[Any], progress: _Progress, out: IO[bytes]
) -> None:
    # utf-8-sig: Excel opens UTF-8 CSV correctly only with a BOM.
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(safe_row(h for h, _ in kind.columns))
    for row in _rows(kind, queryset):
        writer.writerow(safe_row(row))
        progress.tick()
    text.flush()
    text.detach()


def _write_xlsx(
    kind: ExportKind, queryset: QuerySet[Any], progress: _Progress, out: IO[bytes]
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind.label[:31])
    sheet.append([h for h, _ in kind.columns])
    for row in _rows(kind, queryset):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
        progress.tick()
    workbook.save(out)


def run_export(job_id: int) -> ExportJob | None:
    job = ExportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    kind = get_export_kind(job.kind)
    queryset = kind.queryset(job.created_by, QueryDict(job.query))
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, total_rows=queryset.count(), rows_done=0
    )
    progress = _Progress(job)
    writer = _write_xlsx if job.file_format == FileFormat.XLSX else _write_csv
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    with tempfile.TemporaryFile() as out:
        writer(kind, queryset, progress, out)
        out.seek(0)
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().get(pk=job.pk)
            job.file.save(f"{kind.name}-{stamp}.{job.file_format}", File(out), save=False)
            job.rows_done = progress.done
            job.total_rows = progress.done
            job.status = JobStatus.DONE
            job.finished_at = timezone.now()
            job.save()
            audit(
                actor=job.created_by,
                obj=job,
                action=AuditAction.EXPORT,
                changes={"kind": job.kind, "rows": progress.done, "query": job.query},
            )
    return job


@transaction.atomic
def export_job_create(*, actor: User, kind: str, query: str, file_format: str) -> ExportJob:
    get_export_kind(kind)
    if file_format not in FileFormat.values:
        raise DomainError("Choose CSV or XLSX.", field="file_format")
    job = ExportJob.objects.create(
        kind=kind, query=query[:2000], file_format=file_format, created_by=actor
    )
    from crm.imports.tasks import export_run_task

    transaction.on_commit(lambda: send_safely(export_run_task.delay, job.pk))
    return job
