"""Report tables as CSV or Excel: the rows a page shows, formula-safe, audited."""

import io
from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from crm.exports import list_export, safe_cell
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit
from reporting.kpis.registry import KpiTable

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_header(table: KpiTable) -> list[str]:
    extra = sorted({key for row in table.rows for key in row.extra})
    return [table.group_by or "step", table.kpi.title, "count", *extra, "list"]


def table_rows(table: KpiTable, base_url: str) -> Iterator[list[Any]]:
    extra = sorted({key for row in table.rows for key in row.extra})
    for row in table.rows:
        yield [
            row.label,
            row.value,
            row.count,
            *(row.extra.get(key) for key in extra),
            base_url + row.url if row.url else "",
        ]


def csv_export(
    *, actor: User, table: KpiTable, query: str, filename: str, base_url: str
) -> StreamingHttpResponse:
    return list_export(
        actor=actor,
        list_name=f"report:{table.kpi.name}",
        query=query,
        filename=f"{filename}.csv",
        header=table_header(table),
        rows=table_rows(table, base_url),
    )


def xlsx_export(
    *, actor: User, table: KpiTable, query: str, filename: str, base_url: str
) -> HttpResponse:
    """One sheet; every text cell is written as text, so nothing runs as a formula."""
    return xlsx_response(
        actor=actor,
        list_name=f"report:{table.kpi.name}",
        query=query,
        filename=filename,
        title=table.kpi.title,
        header=table_header(table),
        rows=table_rows(table, base_url),
    )


def xlsx_response(
    *,
    actor: User,
    list_name: str,
    query: str,
    filename: str,
    title: str,
    header: list[str],
    rows: Iterator[list[Any]],
) -> HttpResponse:
    """Rows as one Excel sheet, audited; text cells are escaped and written as text."""
    from openpyxl import Workbook  # heavy; only exports need it
    from openpyxl.cell import WriteOnlyCell

    audit(
        actor=actor,
        obj=actor,
        action=AuditAction.EXPORT,
        changes={"list": list_name, "query": query[:500], "format": "xlsx"},
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "Report")
    sheet.append([safe_cell(h) for h in header])
    for values in rows:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
