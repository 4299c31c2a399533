"""Reads for imports and exports, always through crm.visibility."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import models
from django.db.models import Count, QuerySet

from crm.exports import safe_row
from crm.imports.context import CREATE, OWNER_NOTE, ImportContext
from crm.imports.engine import file_info, job_path
from crm.imports.models import ExportJob, ImportJob, ImportRowResult, RowOutcome
from crm.imports.parsers import clean_text, normalise_key
from crm.imports.readers import iter_rows
from crm.imports.registry import Field, get_kind
from crm.models import User
from crm.visibility import visible

SCAN_ROWS = 50_000
MAX_UNKNOWN_SHOWN = 50


def import_job_list(*, actor: User) -> QuerySet[ImportJob]:
    return visible(actor, ImportJob.objects.select_related("created_by")).order_by(
        "-created_at", "-id"
    )


def export_job_list(*, actor: User) -> QuerySet[ExportJob]:
    return visible(actor, ExportJob.objects.select_related("created_by")).order_by(
        "-created_at", "-id"
    )


@dataclass
class ColumnView:
    index: int
    header: str
    samples: list[str]
    field: str


@dataclass
class UnknownValues:
    field: Field
    values: list[tuple[str, str, str]]  # (normalised key, text as in the file, current choice)
    more: int
    options: list[tuple[str, str]]
    can_create: bool
    on_unknown: str
    is_list: bool = True  # an admin list (create / reject choices); else choices or people


@dataclass
class MappingScreen:
    columns: list[ColumnView]
    unknown: list[UnknownValues] = field(default_factory=list)


def mapping_screen(job: ImportJob) -> MappingScreen:
    """Each column with sample values and its mapped field; for mapped list fields, the
    values the file uses that the list doesn't have yet (from the first rows)."""
    kind = get_kind(job.kind)
    rows = list(islice(iter_rows(job_path(job), file_info(job)), 5))
    columns = [
        ColumnView(
            i,
            header,
            [r[1][i] for r in rows if i < len(r[1]) and r[1][i].strip()][:3],
            job.mapping.get(header, ""),
        )
        for i, header in enumerate(job.headers)
        if header
    ]
    mapped = {header: kind.field(name) for header, name in job.mapping.items()}
    lookups = {
        h: f for h, f in mapped.items() if f.lookup is not None or f.type in ("choice", "user")
    }
    if not lookups:
        return MappingScreen(columns)
    index = {h: i for i, h in enumerate(job.headers)}
    seen: dict[str, dict[str, str]] = {h: {} for h in lookups}
    for _, cells in islice(iter_rows(job_path(job), file_info(job)), SCAN_ROWS):
        for header in lookups:
            i = index[header]
            text = clean_text(cells[i]) if i < len(cells) else ""
            if text:
                seen[header].setdefault(normalise_key(text), text)
    ctx = ImportContext.for_job(job.created_by, job.options)
    screen = MappingScreen(columns)
    for header, f in lookups.items():
        chosen = ctx.value_maps.get(f.name, {})
        if f.lookup is None:
            screen.unknown.append(_unknown_values(f, seen[header], chosen, ctx))
            continue
        known = f.lookup.resolve(seen[header], ctx)
        missing = [(k, t) for k, t in seen[header].items() if k not in known]
        default = ctx.on_unknown.get(f.name) or (CREATE if f.lookup.can_create(ctx) else "reject")
        screen.unknown.append(
            UnknownValues(
                field=f,
                values=[(k, t, chosen.get(k, "")) for k, t in missing[:MAX_UNKNOWN_SHOWN]],
                more=max(0, len(missing) - MAX_UNKNOWN_SHOWN),
                options=f.lookup.options(ctx),
                can_create=f.lookup.can_create(ctx),
                on_unknown=default,
            )
        )
    return MappingScreen(columns, [u for u in screen.unknown if u.values])


def _unknown_values(
    f: Field, seen: dict[str, str], chosen: dict[str, str], ctx: ImportContext
) -> UnknownValues:
    """Values of a choice field that aren't among its choices (a `Converted` 0/1 for the
    lead status), or owner names that aren't users: each can be mapped to a choice / user.
    A value already mapped stays listed with its choice, so it can be changed."""
    from crm.imports.batch import _parse

    if f.type == "user":
        options = [(u.email or str(u.pk), u.full_name) for u in _assignable(ctx)]
        missing = [(k, t) for k, t in seen.items() if ctx.known_user(t) is None or k in chosen]
    else:
        options = [(value, label) for value, label in f.choices]
        missing = []
        for k, t in seen.items():
            try:
                _parse(f, t, ctx)
            except ValueError:
                missing.append((k, t))
            else:
                if k in chosen:
                    missing.append((k, t))
    return UnknownValues(
        field=f,
        values=[(k, t, chosen.get(k, "")) for k, t in missing[:MAX_UNKNOWN_SHOWN]],
        more=max(0, len(missing) - MAX_UNKNOWN_SHOWN),
        options=options,
        can_create=False,
        on_unknown="reject",
        is_list=False,
    )


def _assignable(ctx: ImportContext) -> list[User]:
    from crm.visibility import assignable_owners

    return list(assignable_owners(ctx.actor).order_by("first_name", "last_name", "id")[:500])


def rejected_rows(job: ImportJob) -> QuerySet[ImportRowResult]:
    return job.rows.filter(outcome=RowOutcome.REJECTED).order_by("row_number")


def rejected_rows_csv(job: ImportJob) -> Iterator[str]:
    """The rejected rows as the original columns plus `error` and `row`, escaped against
    formula injection, ready to fix and upload again."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    width = len(job.headers)
    writer.writerow(safe_row([*job.headers, "error", "row"]))
    yield "\ufeff" + flush()
    for result in rejected_rows(job).iterator(chunk_size=2000):
        cells: list[Any] = list(result.data or [])
        cells = (cells + [""] * width)[: max(width, len(cells))]
        writer.writerow(safe_row([*cells, result.message, result.row_number]))
        yield flush()


def outcome_rows(job: ImportJob, limit: int = 50) -> list[ImportRowResult]:
    return list(rejected_rows(job)[:limit])


@dataclass
class NotedRows:
    count: int
    rows: list[ImportRowResult]


def assigned_to_importer_rows(job: ImportJob, limit: int = 50) -> NotedRows:
    """Rows that went in with the importer as owner because their owner isn't a user."""
    qs = job.rows.filter(
        outcome__in=(RowOutcome.IMPORTED, RowOutcome.UPDATED), message__startswith=OWNER_NOTE
    ).order_by("row_number")
    rows = list(qs[:limit])
    return NotedRows(count=len(rows) if len(rows) < limit else qs.count(), rows=rows)


def owners_of_imported(job: ImportJob, model: type[models.Model]) -> list[tuple[str, int]]:
    """Who owns the records this job created, and how many each: assignment rules may have
    given some to colleagues, and the importer should know where they went."""
    if not any(f.name == "owner" for f in model._meta.concrete_fields):
        return []
    ids = job.rows.filter(outcome=RowOutcome.IMPORTED, object_id__isnull=False).values("object_id")
    counts = (
        model._default_manager.filter(pk__in=ids)
        .values("owner__first_name", "owner__last_name", "owner__email")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner__email")
    )
    return [
        (f"{c['owner__first_name']} {c['owner__last_name']}".strip() or c["owner__email"], c["n"])
        for c in counts
    ]
