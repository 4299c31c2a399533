"""Writing spreadsheets users open in Excel, LibreOffice or Google Sheets, safely.

A cell starting with `=`, `+`, `-`, `@`, tab or carriage return is run as a formula by
spreadsheet programs (CSV/formula injection, OWASP). `safe_cell` prefixes such text with a
single quote so it is shown, never evaluated. Numbers, dates and booleans pass unchanged.
"""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.http import StreamingHttpResponse
from django.utils import timezone

from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write in a cell: plain types as they are, formula-like text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def plain_time(value: Any) -> Any:
    """A moment as people read it in a spreadsheet: the company time zone, to the minute
    (`2026-12-02 05:23`), not `2026-12-02 04:23:37.761566+00:00`. The API keeps ISO 8601."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row: moments in plain local time, formula-like text escaped."""
    return [safe_cell(plain_time(v)) for v in values]


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Iterable[Any]]) -> int:
    """Write `header` and `rows` as escaped CSV; return the number of data rows written."""
    writer = csv.writer(out)
    writer.writerow(safe_row(header))
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def stream_csv(
    filename: str, header: Sequence[str], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """A CSV download written row by row as the rows are read; every cell escaped."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(safe_row(header))  # type: ignore[func-returns-value]
        for row in rows:
            yield writer.writerow(safe_row(row))  # type: ignore[func-returns-value]

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def list_export(
    *,
    actor: User,
    list_name: str,
    query: str,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Iterable[Any]],
) -> StreamingHttpResponse:
    """Stream a list page's rows as CSV and record who exported what in the audit log."""
    audit(
        actor=actor,
        obj=actor,
        action=AuditAction.EXPORT,
        changes={"list": list_name, "query": query[:500]},
    )
    return stream_csv(filename, header, rows)


def queryset_export(
    request: Any,
    *,
    list_name: str,
    header: Sequence[str],
    queryset: Any,
    row: Callable[[Any], Iterable[Any]],
    filename: str = "",
    query: str | None = None,
) -> StreamingHttpResponse:
    """A list page's export: each record of `queryset` turned into a row by `row`, read in
    chunks, streamed as `<list_name>.csv` (or `filename`) and audited with the page's query."""
    return list_export(
        actor=request.user,
        list_name=list_name,
        query=request.GET.urlencode() if query is None else query,
        filename=filename or f"{list_name}.csv",
        header=header,
        rows=(row(record) for record in queryset.iterator(chunk_size=2000)),
    )
